package io.tether.client.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.tether.internal.Exchange;
import io.tether.internal.Failures;
import io.tether.internal.LivenessHandler;
import io.tether.protocol.CloseReason;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import io.tether.protocol.Hello;
import io.tether.protocol.ProtocolException;
import io.tether.protocol.Welcome;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Says HELLO as soon as the socket connects and waits for WELCOME, so a server that accepts and then never
 * answers is detected like any other dead server. It waits {@link ClientConnector#handshakeTimeout}.
 */
final class ClientHandshakeHandler extends ChannelInboundHandlerAdapter {
    private final ClientConnector connector;
    /** What was said, so that the WELCOME can be held to its version. */
    private Hello hello;

    ClientHandshakeHandler(ClientConnector connector) {
        this.connector = connector;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ClientConfig config = connector.config();
        Duration timeout = connector.handshakeTimeout();
        ctx.pipeline().get(LivenessHandler.class).arm(timeout.toNanos(), (silent, now) -> {
            connector.closing(ctx.channel(), CloseReason.TIMEOUT, "no answer to HELLO from "
                    + ClientConnector.describe((InetSocketAddress) ctx.channel().remoteAddress()) + " within " + timeout.toMillis() + " ms");
            ctx.close();
        });
        byte[] credential;
        try {
            credential = config.credential() == null ? null : config.credential().get();
            hello = Hello.of(config.heartbeat().interval().toMillis(), config.clientId(), credential);
        } catch (RuntimeException e) {
            connector.closing(ctx.channel(), CloseReason.UNAUTHENTICATED, "no credential to present: " + Failures.words(e));
            ctx.close();
            return;
        }
        ctx.writeAndFlush(hello.encode(ctx.alloc()));
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            if (Frames.type(frame) == FrameType.GOAWAY) {
                connector.refused(ctx.channel(), Frames.goAwayReason(frame), Frames.goAwayMessage(frame));
                ctx.close();
                return;
            }
            Welcome welcome = Welcome.decode(frame);
            if (welcome.version() != hello.version()) {
                throw new ProtocolException("server answered a version " + hello.version() + " HELLO with a version "
                        + welcome.version() + " WELCOME");
            }
            Exchange exchange = Exchange.over(ctx.channel(), welcome.maxPayload());
            ctx.pipeline().replace(this, "session", new ClientSessionHandler(connector, welcome, exchange));
            connector.online(ctx.channel(), welcome, exchange);
        } finally {
            frame.release();
        }
    }
}
