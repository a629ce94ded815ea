package io.tether.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.internal.Exchange;
import io.tether.internal.Failures;
import io.tether.internal.GracefulClose;
import io.tether.internal.LivenessHandler;
import io.tether.internal.PartialFrameAware;
import io.tether.protocol.CloseReason;
import io.tether.protocol.Frames;
import io.tether.protocol.Hello;
import io.tether.protocol.ProtocolException;
import io.tether.protocol.Welcome;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards a new connection until it has said HELLO: enforces the handshake timeout, validates the HELLO,
 * answers WELCOME, puts the session online and hands the pipeline to a {@link SessionHandler}. A
 * connection refused here was never online, so it produces no presence events.
 */
final class ServerHandshakeHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ServerHandshakeHandler.class);

    private final ServerRuntime runtime;
    private boolean done;

    ServerHandshakeHandler(ServerRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        long timeout = runtime.config().handshakeTimeout().toNanos();
        liveness(ctx).arm(timeout, (c, silent) -> {
            String partial = c.pipeline().get("decoder") instanceof PartialFrameAware d ? d.partialFrame() : null;
            reject(c, CloseReason.PROTOCOL_ERROR, "no HELLO within " + TimeUnit.NANOSECONDS.toMillis(timeout) + " ms"
                    + (partial != null ? "; " + partial : ""));
        });
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
            accept(ctx, Hello.decode(frame));
        } catch (ProtocolException e) {
            reject(ctx, CloseReason.PROTOCOL_ERROR, e.getMessage());
        } finally {
            frame.release();
        }
    }

    private void accept(ChannelHandlerContext ctx, Hello hello) {
        SessionRegistry registry = runtime.registry();
        if (registry.isClosing()) {
            reject(ctx, CloseReason.SERVER_SHUTDOWN, "server is shutting down");
            return;
        }
        ServerConfig config = runtime.config();
        HeartbeatPolicy policy = config.enforce(hello.requestedInterval());
        LivenessHandler liveness = liveness(ctx);
        ServerSession session = new ServerSession(registry, ctx.channel(), liveness,
                new Exchange(ctx.channel(), config.maxPayload()), hello.clientId(), registry.nextSessionId(), policy,
                false);
        ctx.pipeline().replace(this, "session", new SessionHandler(session, config));
        ctx.pipeline().addLast("lifecycle", new SessionLifecycleHandler(session));
        ctx.channel().writeAndFlush(new Welcome(Hello.PROTOCOL_VERSION, policy.interval().toMillis(), policy.timeout().toMillis(),
                config.maxPayload(), session.sessionId()).encode(ctx.alloc()));
        ServerSession replaced = registry.register(session);
        if (replaced == session) {
            reject(ctx, CloseReason.SERVER_SHUTDOWN, "server is shutting down");
            return;
        }
        if (replaced != null) {
            replaced.cleanUp(CloseReason.REPLACED, SessionRegistry.replacedDetail(session));
        }
        session.watch(config);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = Failures.rootOf(cause);
        if (root instanceof ProtocolException) {
            reject(ctx, CloseReason.PROTOCOL_ERROR, root.getMessage());
        } else if (root instanceof IOException) {
            log.debug("connection from {} failed before its handshake: {}", ServerSession.remoteOf(ctx.channel()),
                    root.getMessage());
            ctx.close();
        } else {
            log.error("unexpected failure during handshake with {}", ServerSession.remoteOf(ctx.channel()), root);
            reject(ctx, CloseReason.PROTOCOL_ERROR, "internal error");
        }
    }

    /** Called on the channel's loop when the server stops before this connection said HELLO. */
    void refuseForShutdown(io.netty.channel.Channel ch) {
        ChannelHandlerContext ctx = ch.pipeline().context(this);
        if (ctx != null && !done) {
            reject(ctx, CloseReason.SERVER_SHUTDOWN, "server is shutting down");
        }
    }

    private void reject(ChannelHandlerContext ctx, CloseReason reason, String message) {
        done = true;
        if (!ctx.channel().isActive()) {
            return;
        }
        runtime.registry().countRejected();
        log.warn("refused connection from {}: {} - {}", ServerSession.remoteOf(ctx.channel()), reason, message);
        liveness(ctx).disarm();
        GracefulClose.afterLastFrame(ctx.channel(), Frames.goAway(ctx.alloc(), reason, message),
                GracefulClose.DEFAULT_LINGER_MILLIS);
    }

    private static LivenessHandler liveness(ChannelHandlerContext ctx) {
        return ctx.pipeline().get(LivenessHandler.class);
    }
}
