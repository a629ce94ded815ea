package io.tether.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeadPeerBoundTest {

    @Test
    void kernelTimeoutsFollowTheHeartbeatTimeoutOnEpoll() throws Exception {
        assumeTrue(Transports.name().equals("epoll"), "TCP_USER_TIMEOUT is Linux epoll only");
        EventLoopGroup group = Transports.newGroup(1, "bound-test", true);
        try {
            Channel server = new ServerBootstrap().group(group).channel(Transports.serverChannelType())
                    .childHandler(new ChannelInboundHandlerAdapter()).bind("127.0.0.1", 0).sync().channel();
            Channel client = new Bootstrap().group(group).channel(Transports.socketChannelType())
                    .handler(new ChannelInboundHandlerAdapter()).connect(server.localAddress()).sync().channel();

            Transports.boundDeadPeer(client, Duration.ofSeconds(6));

            EpollSocketChannel epoll = (EpollSocketChannel) client;
            assertThat(epoll.config().getOption(EpollChannelOption.TCP_USER_TIMEOUT)).isEqualTo(6000);
            assertThat(epoll.config().getOption(EpollChannelOption.TCP_KEEPIDLE)).isEqualTo(3);
            assertThat(epoll.config().getOption(EpollChannelOption.TCP_KEEPINTVL)).isEqualTo(1);
            assertThat(epoll.config().getOption(EpollChannelOption.TCP_KEEPCNT)).isEqualTo(3);
            client.close().sync();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }
}
