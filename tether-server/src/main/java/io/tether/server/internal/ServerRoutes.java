package io.tether.server.internal;

import io.netty.buffer.ByteBuf;
import io.tether.internal.Exchange;
import io.tether.internal.FrameRouter;
import io.tether.internal.Traffic;
import io.tether.protocol.CloseReason;
import io.tether.util.LogSafe;
import java.util.concurrent.CompletionStage;

/** Frames of an online Tether session, after the handshake, whatever kind of connection carries them. */
final class ServerRoutes implements FrameRouter.Side {
    private final ServerSession session;
    private final ServerConfig config;
    private final SessionLimits limits;

    ServerRoutes(ServerSession session, ServerConfig config) {
        this.session = session;
        this.config = config;
        this.limits = new SessionLimits(session, config.limits(), session.link().lastReadNanos());
    }

    @Override
    public Exchange exchange() {
        return session.exchange();
    }

    @Override
    public boolean onPing(int reportedRttMicros, long nowNanos) {
        if (reportedRttMicros != 0) {
            session.reportedRtt(reportedRttMicros);
            Traffic traffic = session.link().traffic();
            if (traffic != null) {
                traffic.rtt(reportedRttMicros & 0xFFFFFFFFL);
            }
        }
        return limits.allowPing(nowNanos);
    }

    @Override
    public boolean admit(int length, long nowNanos) {
        return limits.allowFrame(length, nowNanos);
    }

    @Override
    public long takeLogLine(long nowNanos) {
        return limits.takeLogLine(nowNanos);
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
        // The client's words travel on in the OFFLINE event and the log: escaped and bounded.
        session.end(CloseReason.CLIENT_CLOSED, "client said goodbye" + (message.isEmpty() ? "" : ": " + LogSafe.text(message)));
    }

    @Override
    public String describe() {
        return session.toString();
    }
}
