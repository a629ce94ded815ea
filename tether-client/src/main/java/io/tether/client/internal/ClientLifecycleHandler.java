package io.tether.client.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.tether.internal.Failures;
import io.tether.internal.GracefulClose;
import io.tether.protocol.CloseReason;
import io.tether.protocol.Frames;
import io.tether.util.LogSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Last in the client pipeline: turns failures and the connection's end into the connector's next move. */
final class ClientLifecycleHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ClientLifecycleHandler.class);

    private final ClientConnector connector;

    ClientLifecycleHandler(ClientConnector connector) {
        this.connector = connector;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connector.channelClosed(ctx.channel());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        CloseReason reason = CloseReason.of(cause);
        String detail = Failures.detail(cause);
        if (Failures.unexpected(cause)) {
            log.error("{}: unexpected failure", connector.config().clientId(), Failures.rootOf(cause));
            connector.closing(ctx.channel(), reason, detail);
        } else if (Failures.tls(cause)) {
            connector.closing(ctx.channel(), reason, "TLS with the server failed: " + LogSafe.text(Failures.tlsReason(cause)));
        } else if (reason == CloseReason.CONNECTION_RESET) {
            connector.closing(ctx.channel(), reason, "connection broken: " + detail);
        } else {
            log.warn("{}: server broke the protocol: {}", connector.config().clientId(), detail);
            connector.closing(ctx.channel(), reason, "protocol error: " + detail);
            GracefulClose.afterLastFrame(ctx.channel(), Frames.goAway(ctx.alloc(), reason, detail),
                    GracefulClose.DEFAULT_LINGER_MILLIS);
            return;
        }
        ctx.close();
    }
}
