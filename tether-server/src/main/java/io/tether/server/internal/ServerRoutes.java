package io.tether.server.internal;

import io.netty.buffer.ByteBuf;
import io.tether.internal.Exchange;
import io.tether.internal.FrameRoutes;
import io.tether.protocol.CloseReason;
import io.tether.protocol.Frames;
import java.util.concurrent.CompletionStage;

/** Frames of an online Tether session, after the handshake, whatever kind of connection carries them. */
final class ServerRoutes implements FrameRoutes {
    private final ServerSession session;
    private final ServerConfig config;
    private final PingLimit pingLimit;

    ServerRoutes(ServerSession session, ServerConfig config) {
        this.session = session;
        this.config = config;
        this.pingLimit = new PingLimit(session, config.maxPingsPerInterval());
    }

    @Override
    public Exchange exchange() {
        return session.exchange();
    }

    @Override
    public boolean onPing(ByteBuf ping) {
        if (Frames.payloadLength(ping) == Frames.PING_PAYLOAD_LENGTH) {
            session.reportedRtt(ping.getInt(Frames.payloadOffset(ping) + 4));
        }
        return pingLimit.allow();
    }

    @Override
    public void onPong(ByteBuf pong) {
        // The server sends no pings in protocol version 1; an unsolicited PONG is harmless.
    }

    @Override
    public void onData(byte[] payload) {
        config.messageHandler().onMessage(session, payload);
    }

    @Override
    public CompletionStage<byte[]> onRequest(byte[] payload) {
        return config.requestHandler() == null ? null : config.requestHandler().onRequest(session, payload);
    }

    @Override
    public void onGoAway(CloseReason reason, String message) {
        session.end(CloseReason.CLIENT_CLOSED, "client said goodbye" + (message.isEmpty() ? "" : ": " + message));
    }

    @Override
    public String describe() {
        return session.toString();
    }
}
