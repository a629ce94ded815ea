package io.tether.server;

import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.protocol.CloseReason;
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

    /**
     * Ends the session for a reason decided outside this server, such as a cluster's: REPLACED (the client
     * came online on another node), NODE_LOST (this node can no longer vouch for it), FORBIDDEN (its id is
     * online elsewhere as another principal) or KICKED. The client is
     * told GOAWAY with the reason and {@code detail}, and an OFFLINE event is emitted unless the session had
     * already ended. Other reasons are the server's own to give.
     *
     * @throws IllegalArgumentException for any other reason
     */
    void close(CloseReason reason, String detail);
}
