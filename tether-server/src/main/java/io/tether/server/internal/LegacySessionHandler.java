package io.tether.server.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A classic client is online from the moment it connects: it has no handshake, is named by its remote
 * address and port, and is held to the server's own heartbeat policy. It never reads, so nothing is ever
 * written to it.
 */
final class LegacySessionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(LegacySessionHandler.class);

    private final ServerRuntime runtime;
    private ServerSession session;

    LegacySessionHandler(ServerRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        SessionRegistry registry = runtime.registry();
        ChannelLink link = new ChannelLink(ctx.channel());
        ServerSession candidate = new ServerSession(registry, link, null, link.remote(), registry.nextSessionId(),
                runtime.config().heartbeat(), true);
        if (registry.register(candidate) == candidate) {
            ctx.close();
            return;
        }
        session = candidate;
        ctx.pipeline().addLast("lifecycle", new SessionLifecycleHandler(session));
        session.watch(runtime.config());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            runtime.config().messageHandler().onMessage(session, (byte[]) msg);
        } catch (RuntimeException e) {
            log.error("{}: message handler failed; the connection stays open", session, e);
        }
    }
}
