package io.tether.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * The heartbeat server teams write today with plain Netty: a length-field decoder, an IdleStateHandler
 * that closes a connection after a silent period, and a handler that answers each PING frame with a PONG.
 * It speaks Tether's frame layout without the handshake ({@code tether bench load --protocol frames}), and
 * uses no Tether code, so it is the baseline that Tether's own server is compared with.
 *
 * <p>Usage: {@code java -cp tether-bench.jar io.tether.bench.IdleStateHandlerServer PORT [READER_IDLE_MS]}
 */
public final class IdleStateHandlerServer {
    private static final int PING = 0x03;
    private static final int PONG = 0x04;

    private IdleStateHandlerServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = Integer.parseInt(args[0]);
        long readerIdleMillis = args.length > 1 ? Long.parseLong(args[1]) : 3000;
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        ChannelHandler pong = new PongHandler();
        Channel server = new ServerBootstrap().group(boss, workers).channel(channelType)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new IdleStateHandler(readerIdleMillis, 0, 0, TimeUnit.MILLISECONDS),
                                new LengthFieldBasedFrameDecoder(1 << 20, 2, 4), pong);
                    }
                }).bind("127.0.0.1", port).sync().channel();
        System.out.println("listening on 127.0.0.1:" + port + (epoll ? " (epoll)" : " (nio)"));
        server.closeFuture().sync();
    }

    @ChannelHandler.Sharable
    private static final class PongHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            if (frame.getUnsignedByte(frame.readerIndex()) == PING) {
                frame.setByte(frame.readerIndex(), PONG);
                ctx.writeAndFlush(frame, ctx.voidPromise());
            } else {
                frame.release();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
