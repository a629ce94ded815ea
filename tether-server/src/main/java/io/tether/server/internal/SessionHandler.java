package io.tether.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.tether.internal.FrameDispatcher;
import io.tether.protocol.CloseReason;
import io.tether.protocol.Frames;
import java.util.concurrent.CompletionStage;

/** Frames of an online Tether session, after the handshake. */
final class SessionHandler extends FrameDispatcher {
    private final ServerSession session;
    private final ServerConfig config;

    private final PingLimit pingLimit;

    SessionHandler(ServerSession session, ServerConfig config) {
        super(session.exchange());
        this.session = session;
        this.config = config;
        this.pingLimit = new PingLimit(session, config.maxPingsPerInterval());
    }

    @Override
    protected boolean onPing(ChannelHandlerContext ctx, ByteBuf ping) {
        if (Frames.payloadLength(ping) == Frames.PING_PAYLOAD_LENGTH) {
            session.reportedRtt(ping.getInt(Frames.payloadOffset(ping) + 4));
        }
        return pingLimit.allow(ctx);
    }

    @Override
    protected void onPong(ByteBuf pong) {
        // The server sends no pings in protocol version 1; an unsolicited PONG is harmless.
    }

    @Override
    protected void onData(byte[] payload) {
        config.messageHandler().onMessage(session, payload);
    }

    @Override
    protected CompletionStage<byte[]> onRequest(byte[] payload) {
        return config.requestHandler() == null ? null : config.requestHandler().onRequest(session, payload);
    }

    @Override
    protected void onGoAway(ChannelHandlerContext ctx, CloseReason reason, String message) {
        session.end(CloseReason.CLIENT_CLOSED, "client said goodbye" + (message.isEmpty() ? "" : ": " + message));
    }

    @Override
    protected String describe() {
        return session.toString();
    }
}
