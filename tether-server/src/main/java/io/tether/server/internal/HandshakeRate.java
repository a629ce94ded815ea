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
 *
 * <p>Listeners take turns: one the bucket turned away, other than the one that took the last token, has the
 * next tokens, up to {@value #TURN_MILLIS} ms after they are due, before any other listener. Without turns
 * the listener whose wake-up came first took every token, round after round: on the compact engine the
 * classic port's {@link AcceptPacer} (which hands tokens out from its timer, where the compact listener needs
 * one more epoll wake-up after re-arming) won them all, so a flood on the classic port, as cheap as TCP
 * connects, admitted no Tether client until it ended.
 */
final class HandshakeRate {
    /** How long a turned-away listener's claim on the next tokens lasts past their time: its pause and a loop's lag. */
    static final long TURN_MILLIS = 100;

    private final long nanosPerToken;
    private final long depthNanos;
    private long tat;
    /** The listener the bucket turned away first, which has the next tokens until {@link #turnEnds}; or null. */
    private Object turn;
    private long turnEnds;
    /** The listener that took the last token. */
    private Object lastTaker;

    HandshakeRate(int perSecond, long nowNanos) {
        if (perSecond < 0) {
            throw new IllegalArgumentException("a handshake rate is 0 (none) or positive");
        }
        this.nanosPerToken = perSecond == 0 ? 0 : Math.max(1, TimeUnit.SECONDS.toNanos(1) / perSecond);
        this.depthNanos = TimeUnit.SECONDS.toNanos(1);
        this.tat = nowNanos - depthNanos; // full
    }

    /**
     * Whether {@code listener} may accept a connection now: the bucket has a token, and no other listener it
     * turned away has its turn. A listener turned away while no other has a turn has the next one, unless
     * it took the last token itself: it has just had its turn.
     */
    synchronized boolean mayAccept(Object listener, long nowNanos) {
        if (nanosPerToken == 0) {
            return true;
        }
        if (turn != null && turn != listener && turnEnds - nowNanos > 0) {
            return false;
        }
        if (tat + nanosPerToken - nowNanos <= 0) {
            return true;
        }
        if (listener != lastTaker) {
            turn = listener;
            turnEnds = tat + nanosPerToken + TimeUnit.MILLISECONDS.toNanos(TURN_MILLIS);
        }
        return false;
    }

    /** {@code listener} accepted a connection at {@code nowNanos}: one token is spent (or owed), its turn taken. */
    synchronized void accepted(Object listener, long nowNanos) {
        if (nanosPerToken != 0) {
            tat = Math.max(tat, nowNanos - depthNanos) + nanosPerToken;
            lastTaker = listener;
            if (turn == listener) {
                turn = null;
            }
        }
    }

    /** When the next connection may be accepted (now or earlier when it already may). */
    synchronized long nextAcceptNanos() {
        return tat + nanosPerToken;
    }
}
