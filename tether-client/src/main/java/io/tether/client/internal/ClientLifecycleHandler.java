package io.tether.client.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.tether.internal.Failures;
import io.tether.internal.GracefulClose;
import io.tether.protocol.CloseReason;
import io.tether.protocol.Frames;
import io.tether.protocol.ProtocolException;
import java.io.IOException;
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
        Throwable root = Failures.rootOf(cause);
        if (root instanceof ProtocolException) {
            log.warn("{}: server broke the protocol: {}", connector.config().clientId(), root.getMessage());
            connector.closing(ctx.channel(), CloseReason.PROTOCOL_ERROR, "protocol error: " + root.getMessage());
            GracefulClose.afterLastFrame(ctx.channel(), Frames.goAway(ctx.alloc(), CloseReason.PROTOCOL_ERROR,
                    root.getMessage()), GracefulClose.DEFAULT_LINGER_MILLIS);
            return;
        } else if (root instanceof IOException) {
            connector.closing(ctx.channel(), CloseReason.CONNECTION_RESET, "connection broken: " + root.getMessage());
        } else {
            log.error("{}: unexpected failure", connector.config().clientId(), root);
            connector.closing(ctx.channel(), CloseReason.PROTOCOL_ERROR, "internal error: " + root);
        }
        ctx.close();
    }
}
