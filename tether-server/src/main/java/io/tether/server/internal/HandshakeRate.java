package io.tether.server.internal;

import java.util.concurrent.TimeUnit;

/**
 * How fast the server takes new connections off its listening sockets: a token bucket of {@code perSecond}
 * tokens a second holding at most one second's worth, shared by every listener of the server. While it is
 * empty the listeners stop accepting, so a reconnecting herd waits in the kernel's accept queue (already
 * connected, its HELLO buffered) instead of as half-served connections competing with established sessions
 * for the event loops; the kernel's queue is the waiting room, and the loops keep their time for pongs.
 *
 * <p>Kept as the time the bucket is next full minus its depth (a theoretical arrival time): an accept moves it
 * on by one token's worth, and a batch of accepts the socket handed over at once may leave it in debt, which
 * the next pause then pays. Time is an argument; callers on different threads are serialised.
 * {@code perSecond == 0} is no limit.
 */
final class HandshakeRate {
    private final long nanosPerToken;
    private final long depthNanos;
    private long tat;

    HandshakeRate(int perSecond, long nowNanos) {
        if (perSecond < 0) {
            throw new IllegalArgumentException("a handshake rate is 0 (none) or positive");
        }
        this.nanosPerToken = perSecond == 0 ? 0 : Math.max(1, TimeUnit.SECONDS.toNanos(1) / perSecond);
        this.depthNanos = TimeUnit.SECONDS.toNanos(1);
        this.tat = nowNanos - depthNanos; // full
    }

    /** Whether a connection may be accepted now. */
    synchronized boolean mayAccept(long nowNanos) {
        return nanosPerToken == 0 || tat + nanosPerToken - nowNanos <= 0;
    }

    /** A connection was accepted at {@code nowNanos}: one token is spent (or owed). */
    synchronized void accepted(long nowNanos) {
        if (nanosPerToken != 0) {
            tat = Math.max(tat, nowNanos - depthNanos) + nanosPerToken;
        }
    }

    /** When the next connection may be accepted (now or earlier when it already may). */
    synchronized long nextAcceptNanos() {
        return tat + nanosPerToken;
    }
}
