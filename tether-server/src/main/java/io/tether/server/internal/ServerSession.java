package io.tether.server.internal;

import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.internal.Exchange;
import io.tether.internal.Failures;
import io.tether.internal.LoopChores;
import io.tether.messaging.ConnectionLostException;
import io.tether.protocol.CloseReason;
import io.tether.protocol.Frames;
import io.tether.server.Session;
import io.tether.server.SessionInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's record of one online client. It ends exactly once, through {@link #end}, whatever the cause
 * and whichever thread notices first.
 */
public final class ServerSession implements Session {
    private static final Logger log = LoggerFactory.getLogger(ServerSession.class);

    private final SessionRegistry registry;
    private final SessionLink link;
    private final Exchange exchange;
    private final String clientId;
    private final long sessionId;
    private final String remote;
    private final HeartbeatPolicy heartbeat;
    private final boolean legacy;
    /** Who the client authenticated as; null where anonymous clients are admitted (and on the classic port). */
    private final String principal;
    /** The end of an authenticated identity's validity, when it has one; cancelled when the session ends. */
    private volatile ScheduledFuture<?> expiry;
    private final long connectedAtMillis = System.currentTimeMillis();
    /** Admitted, not yet announced: ended now, it was never online and no event is owed for it. */
    static final int PENDING = 0;
    /** Announced ONLINE: its end owes exactly one OFFLINE. */
    static final int ONLINE = 1;
    static final int OFFLINE = 2;
    private static final AtomicIntegerFieldUpdater<ServerSession> STATE =
            AtomicIntegerFieldUpdater.newUpdater(ServerSession.class, "state");
    private volatile int state; // PENDING, ONLINE, OFFLINE, in that order only; a field, not an object, per session
    private volatile int lastRttMicros;

    ServerSession(SessionRegistry registry, SessionLink link, Exchange exchange, String clientId, long sessionId,
                  HeartbeatPolicy heartbeat, boolean legacy, String principal) {
        this.registry = registry;
        this.link = link;
        this.exchange = exchange;
        this.clientId = clientId;
        this.sessionId = sessionId;
        this.remote = link.remote();
        this.heartbeat = heartbeat;
        this.legacy = legacy;
        this.principal = principal;
    }

    String principal() {
        return principal;
    }

    /**
     * Ends the session with UNAUTHENTICATED when its credential expires at {@code at}, {@code delayNanos} from
     * now. Must run after the session was registered, on its connection's event loop.
     */
    void expireAt(Instant at, long delayNanos) {
        expiry = link.executor().schedule(() -> end(CloseReason.UNAUTHENTICATED, "credential expired at " + at),
                delayNanos, TimeUnit.NANOSECONDS);
        if (isEnded()) {
            expiry.cancel(false); // it ended while the expiry was being set: cleanUp may have missed it
        }
    }

    SessionLink link() {
        return link;
    }

    Exchange exchange() {
        return exchange;
    }

    /** PENDING to ONLINE; false when the session ended before it could be announced. */
    boolean markOnline() {
        return STATE.compareAndSet(this, PENDING, ONLINE);
    }

    boolean isEnded() {
        return state == OFFLINE;
    }

    /** Ends the session's life; returns the state it left (OFFLINE if it had already ended). */
    int markOffline() {
        while (true) {
            int was = state;
            if (was == OFFLINE || STATE.compareAndSet(this, was, OFFLINE)) {
                return was;
            }
        }
    }

    void reportedRtt(int micros) {
        lastRttMicros = micros;
    }

    long silentMillis() {
        return (System.nanoTime() - link.lastReadNanos()) / 1_000_000;
    }

    /** Takes the session offline with this reason unless something else already did. */
    public void end(CloseReason reason, String detail) {
        if (state == OFFLINE) {
            return; // the usual case for the connection end that follows our own close
        }
        if (registry.retire(this, reason, detail)) {
            cleanUp(reason, detail);
        }
    }

    /** Clean-up after the session was marked offline; runs once, by whoever marked it. */
    void cleanUp(CloseReason reason, String detail) {
        ScheduledFuture<?> pending = expiry;
        if (pending != null) {
            pending.cancel(false); // else it would hold the ended session until the credential's expiry
        }
        if (exchange != null) {
            exchange.close(new ConnectionLostException(reason, "session " + sessionId + " of " + clientId
                    + " is offline: " + reason + " - " + detail));
        }
        LoopChores.submit(link.executor(), () -> closeConnection(reason, detail));
    }

    private void closeConnection(CloseReason reason, String detail) {
        if (!link.isOpen()) {
            return;
        }
        // A classic client never reads. A client that may still be there is told why. A live one closes on
        // GOAWAY, and letting it close first leaves TIME_WAIT on its side, where its next connect can reuse the
        // port (docs/PERFORMANCE.md, reconnect storm); one presumed dead will not, and is closed behind it.
        if (!legacy && reason.toldGoAway()) {
            link.close(Frames.goAway(link.alloc(), reason, detail),
                    reason.peerPresumedDead() ? SessionLink.Goodbye.CLOSE : SessionLink.Goodbye.AWAIT_PEER);
        } else {
            link.close(null, null);
        }
    }

    /**
     * Starts judging this online session's silence by the server's rule, and makes the kernel give up on
     * a vanished peer at about the same bound. Must run on the connection's event loop.
     */
    void watch(Admission admission) {
        if (state != ONLINE || !link.isOpen()) {
            return; // ended while it was being admitted: its connection is already on its way out
        }
        link.watch(admission.silenceRule(heartbeat, link.lastReadNanos()));
        link.boundDeadPeer(heartbeat.timeout());
    }

    /** The heartbeat deadline passed with no byte from the client. */
    void timedOut(long silentNanos) {
        String detail = "no bytes for " + silentNanos / 1_000_000 + " ms (" + link.silenceRule() + ")";
        String partial = link.partialFrame();
        if (partial != null) {
            detail += "; " + partial;
        }
        end(CloseReason.TIMEOUT, detail);
    }

    /** Ends the session for whatever broke its connection, with the reason that failure stands for. */
    void failed(Throwable cause) {
        if (Failures.unexpected(cause)) {
            log.error("{}: unexpected failure", this, Failures.rootOf(cause));
        }
        end(CloseReason.of(cause), Failures.detail(cause));
    }

    void connectionClosed() {
        end(CloseReason.CLIENT_CLOSED, "client closed the connection");
    }

    void becameUnwritable() {
        end(CloseReason.SLOW_CONSUMER, "client stopped reading; more than "
                + link.outboundLimit() + " bytes waiting to be sent");
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public long sessionId() {
        return sessionId;
    }

    @Override
    public String remote() {
        return remote;
    }

    @Override
    public Instant connectedAt() {
        return Instant.ofEpochMilli(connectedAtMillis);
    }

    @Override
    public Instant lastSeenAt() {
        return Instant.ofEpochMilli(System.currentTimeMillis() - silentMillis());
    }

    @Override
    public HeartbeatPolicy heartbeat() {
        return heartbeat;
    }

    @Override
    public boolean isOnline() {
        return state == ONLINE;
    }

    @Override
    public boolean isLegacy() {
        return legacy;
    }

    @Override
    public SessionInfo info() {
        int rtt = lastRttMicros;
        return new SessionInfo(clientId, sessionId, remote, connectedAt(), lastSeenAt(),
                rtt > 0 ? Duration.ofNanos(rtt * 1000L) : null, heartbeat, legacy, principal);
    }

    @Override
    public CompletableFuture<Void> send(byte[] payload) {
        return legacy ? CompletableFuture.failedFuture(legacyCannotRead()) : exchange.send(payload);
    }

    @Override
    public CompletableFuture<byte[]> request(byte[] payload, Duration timeout) {
        return legacy ? CompletableFuture.failedFuture(legacyCannotRead()) : exchange.request(payload, timeout);
    }

    private UnsupportedOperationException legacyCannotRead() {
        return new UnsupportedOperationException(clientId + " is a classic client, which never reads replies");
    }

    @Override
    public void kick(String reason) {
        end(CloseReason.KICKED, reason == null || reason.isBlank() ? "kicked" : reason);
    }

    @Override
    public void close(CloseReason reason, String detail) {
        if (reason != CloseReason.REPLACED && reason != CloseReason.NODE_LOST && reason != CloseReason.KICKED
                && reason != CloseReason.FORBIDDEN) {
            throw new IllegalArgumentException("a session can be closed from outside only as REPLACED, NODE_LOST,"
                    + " FORBIDDEN or KICKED, not " + reason);
        }
        end(reason, detail == null || detail.isBlank() ? reason.name().toLowerCase(java.util.Locale.ROOT) : detail);
    }

    @Override
    public String toString() {
        return clientId + " [session " + sessionId + ", " + remote + "]";
    }
}
