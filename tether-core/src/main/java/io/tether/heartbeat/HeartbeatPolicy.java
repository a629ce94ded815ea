package io.tether.heartbeat;

import java.time.Duration;
import java.util.Objects;

/**
 * How often a client heartbeats when otherwise idle, and how long a peer may stay silent before it is
 * declared dead. Immutable.
 *
 * @param interval time between heartbeats on an idle connection
 * @param timeout  silence after which the peer is declared offline; at least the interval
 */
public record HeartbeatPolicy(Duration interval, Duration timeout) {

    public HeartbeatPolicy {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        if (interval.toMillis() < 1) {
            throw new IllegalArgumentException("heartbeat interval must be at least 1 ms, got " + interval.toMillis() + " ms");
        }
        if (timeout.compareTo(interval) < 0) {
            throw new IllegalArgumentException("heartbeat timeout (" + timeout.toMillis()
                    + " ms) must not be shorter than the interval (" + interval.toMillis() + " ms)");
        }
        if (timeout.toMillis() > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("heartbeat timeout too large: " + timeout);
        }
    }

    public static HeartbeatPolicy of(Duration interval, Duration timeout) {
        return new HeartbeatPolicy(interval, timeout);
    }

    /** The classic form: a period and how many of them may be missed. */
    public static HeartbeatPolicy ofMissedPeriods(Duration period, int missedPeriods) {
        if (missedPeriods < 1) {
            throw new IllegalArgumentException("missed periods must be at least 1");
        }
        return new HeartbeatPolicy(period, period.multipliedBy(missedPeriods));
    }

    /** Timeout divided by interval: how many silent periods are tolerated. */
    public double missedPeriods() {
        return (double) timeout.toNanos() / interval.toNanos();
    }

    public HeartbeatPolicy withInterval(Duration newInterval) {
        return new HeartbeatPolicy(newInterval, timeout);
    }

    public HeartbeatPolicy withTimeout(Duration newTimeout) {
        return new HeartbeatPolicy(interval, newTimeout);
    }

    @Override
    public String toString() {
        return "every " + interval.toMillis() + " ms, offline after " + timeout.toMillis() + " ms";
    }
}
