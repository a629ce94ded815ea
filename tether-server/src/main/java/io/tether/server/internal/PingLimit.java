package io.tether.server.internal;

import io.tether.protocol.CloseReason;
import io.tether.protocol.ErrorCode;
import io.tether.protocol.Frames;

/**
 * Keeps a client from pinging far more often than its heartbeat needs, in the spirit of gRPC's
 * {@code too_many_pings}. A well-behaved client pings at most about once per interval; each interval in
 * which one pings more than the limit is a strike, answered with ERROR TOO_MANY_PINGS (the excess pings go
 * unanswered), and the {@value #MAX_STRIKES}rd strike ends the session with GOAWAY TOO_MANY_PINGS.
 * Three fields per session, no allocation per ping.
 */
final class PingLimit {
    static final int MAX_STRIKES = 3;

    private final ServerSession session;
    private final int maxPerInterval;
    private final long intervalNanos;
    private long windowStartNanos;
    private int pingsInWindow;
    private int strikes;

    PingLimit(ServerSession session, int maxPerInterval) {
        this.session = session;
        this.maxPerInterval = maxPerInterval;
        this.intervalNanos = session.heartbeat().interval().toNanos();
        this.windowStartNanos = System.nanoTime();
    }

    /** Counts one ping; returns whether it should be answered. */
    boolean allow() {
        long now = System.nanoTime();
        if (now - windowStartNanos >= intervalNanos) {
            windowStartNanos = now;
            pingsInWindow = 0;
        }
        if (++pingsInWindow <= maxPerInterval) {
            return true;
        }
        if (pingsInWindow == maxPerInterval + 1) {
            String detail = "too_many_pings: more than " + maxPerInterval + " pings within "
                    + session.heartbeat().interval().toMillis() + " ms (strike " + (strikes + 1) + " of " + MAX_STRIKES + ")";
            if (++strikes >= MAX_STRIKES) {
                session.end(CloseReason.TOO_MANY_PINGS, detail);
            } else {
                SessionLink link = session.link();
                link.write(Frames.error(link.alloc(), 0, ErrorCode.TOO_MANY_PINGS, detail), null);
            }
        }
        return false;
    }
}
