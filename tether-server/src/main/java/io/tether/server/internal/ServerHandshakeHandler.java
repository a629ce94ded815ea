package io.tether.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.tether.internal.Failures;
import io.tether.internal.FrameDispatcher;
import io.tether.protocol.CloseReason;
import io.tether.protocol.Hello;
import io.tether.protocol.ProtocolException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards a new channel until it has said HELLO: enforces the handshake timeout and hands the HELLO to
 * {@link Admission}. An admitted session's frames then go to a {@link FrameDispatcher} in this handler's place.
 */
final class ServerHandshakeHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ServerHandshakeHandler.class);

    private final ServerRuntime runtime;
    private ChannelLink link;
    private boolean done;

    ServerHandshakeHandler(ServerRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        link = new ChannelLink(ctx.channel()); // before any event, so every path below has it
    }

    /** Replaced on admission, or torn down with its channel: either way its handshake is over. */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        runtime.counts().handshakeEnded();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Admission.awaitHello(runtime, link);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            if (done) {
                return; // frames that arrived behind a rejected HELLO in the same read
            }
            done = true;
            Hello hello = Hello.decode(frame);
            Admission.admit(runtime, link, hello, (session, routes) -> {
                ctx.pipeline().replace(this, "session", new FrameDispatcher(routes));
                ctx.pipeline().addLast("lifecycle", new SessionLifecycleHandler(session));
            });
        } catch (ProtocolException e) {
            reject(e.reason(), e.getMessage());
        } finally {
            frame.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = Failures.rootOf(cause);
        if (root instanceof ProtocolException refused) {
            reject(refused.reason(), root.getMessage());
        } else if (root instanceof IOException) {
            log.debug("connection from {} failed before its handshake: {}", link.remote(), root.getMessage());
            ctx.close();
        } else {
            log.error("unexpected failure during handshake with {}", link.remote(), root);
            reject(CloseReason.PROTOCOL_ERROR, "internal error");
        }
    }

    /** Called on the channel's loop when the server stops before this connection said HELLO. */
    void refuseForShutdown(Channel ch) {
        if (ch.pipeline().context(this) != null && !done) {
            reject(CloseReason.SERVER_SHUTDOWN, "server is shutting down");
        }
    }

    private void reject(CloseReason reason, String message) {
        done = true;
        Admission.refuse(runtime, link, reason, message);
    }
}
