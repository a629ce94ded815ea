package io.tether.server;

import io.tether.heartbeat.HeartbeatPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/** One connected client, as the server sees it. Safe to use from any thread. */
public interface Session {
    String clientId();

    long sessionId();

    /** The peer's address as {@code host:port}. */
    String remote();

    Instant connectedAt();

    /** When the last byte arrived from the client. */
    Instant lastSeenAt();

    /** The heartbeat this session is held to, after the server clamped what the client asked for. */
    HeartbeatPolicy heartbeat();

    boolean isOnline();

    /** Whether this client speaks the classic 8-byte header and never reads replies. */
    boolean isLegacy();

    SessionInfo info();

    /** Sends one DATA frame; completes when written to the socket, fails if the session is gone. */
    CompletableFuture<Void> send(byte[] payload);

    /** Asks the client; fails with a timeout, the client's ERROR, or at once if the session ends first. */
    CompletableFuture<byte[]> request(byte[] payload, Duration timeout);

    /** Ends the session with reason KICKED: the client gets GOAWAY and an OFFLINE event is emitted. */
    void kick(String reason);
}
