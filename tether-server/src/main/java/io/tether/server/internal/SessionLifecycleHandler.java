package io.tether.server.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Last in an online session's pipeline: turns the connection's end, failures and a full outbound buffer
 * into the session's single OFFLINE, whatever protocol the client speaks.
 */
final class SessionLifecycleHandler extends ChannelInboundHandlerAdapter {
    private final ServerSession session;

    SessionLifecycleHandler(ServerSession session) {
        this.session = session;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        session.connectionClosed();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        session.failed(cause);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (!ctx.channel().isWritable()) {
            session.becameUnwritable();
        }
    }
}
