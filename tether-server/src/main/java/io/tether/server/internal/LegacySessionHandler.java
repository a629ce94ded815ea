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

    private final Admission admission;
    private final ChannelLink link;
    private ServerSession session;

    LegacySessionHandler(Admission admission, ChannelLink link) {
        this.admission = admission;
        this.link = link;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        SessionRegistry registry = admission.registry();
        ServerSession candidate = new ServerSession(registry, link, null, link.remote(), registry.nextSessionId(),
                admission.config().heartbeat(), true, null);
        if (registry.register(candidate).outcome() != SessionRegistry.Outcome.ONLINE) {
            ctx.close();
            return;
        }
        session = candidate;
        link.carry(session);
        ctx.pipeline().addLast("lifecycle", new SessionLifecycleHandler(session));
        session.watch(admission);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            admission.config().messageHandler().onMessage(session, (byte[]) msg);
        } catch (RuntimeException e) {
            log.error("{}: message handler failed; the connection stays open", session, e);
        }
    }
}
