package io.tether.internal;

import java.util.concurrent.TimeUnit;

/**
 * One connection's liveness: when it last read, and a silence deadline under a {@link SilenceRule}. A plain
 * record that never reads a clock: every method takes the time ({@code System.nanoTime()} or a test's), and
 * whoever owns the record schedules its deadline (the server in its loop's {@link DeadlineWheel}, the client
 * as one task on its loop) and calls {@link #expire} when that deadline comes.
 *
 * <p>A deadline that finds newer traffic asks to be scheduled again for the remainder, so it fires about once
 * per timeout, not once per read: the same trick as Netty's IdleStateHandler, with the deadline measured from
 * the last byte.
 *
 * <p>Pause guard: a deadline met more than {@value #PAUSE_TOLERANCE_MILLIS} ms after it was due means this
 * process was not running its event loop (a GC pause, CPU starvation, a handler that blocked). Bytes the peer
 * sent meanwhile may still be unread, so its silence cannot be trusted yet: instead of a verdict the peer gets
 * a grace period as long as the stall, time for the loop to read what piled up. A peer that is really silent
 * is convicted when the grace ends.
 *
 * <p>Used on the connection's event loop; {@link #lastReadNanos} may be read from any thread.
 */
public final class Liveness {
    public static final long PAUSE_TOLERANCE_MILLIS = 50;
    private static final long PAUSE_TOLERANCE_NANOS = TimeUnit.MILLISECONDS.toNanos(PAUSE_TOLERANCE_MILLIS);
    /** What {@link #expire} returns when no deadline is left: a verdict was passed, or the record is disarmed. */
    public static final long NO_DEADLINE = Long.MIN_VALUE;

    /** Told on the event loop that the peer has been silent for as long as the rule allows. */
    @FunctionalInterface
    public interface Expiry {
        void expired(long silentNanos, long nowNanos);
    }

    /** Told of a deadline met late: the loop stalled for {@code lateNanos}. */
    @FunctionalInterface
    public interface Stalls {
        Stalls IGNORED = (lateNanos, nowNanos) -> { };

        void stalled(long lateNanos, long nowNanos);
    }

    // The links of the DeadlineWheel that holds this record's deadline (the record is the wheel's entry, so
    // moving a deadline allocates nothing). Touched by the wheel only.
    Liveness previousInSlot;
    Liveness nextInSlot;
    Liveness nextDue;
    long tick = DeadlineWheel.IDLE;

    private final Expiry expiry;
    private volatile long lastReadNanos;
    private SilenceRule rule = SilenceRule.NEVER; // until armed; shared, as every connection starts with it
    private boolean armed;
    private long dueNanos;
    private long graceUntilNanos;

    public Liveness(Expiry expiry, long nowNanos) {
        this.expiry = expiry;
        this.lastReadNanos = nowNanos;
        this.graceUntilNanos = nowNanos;
    }

    /** Inbound bytes arrived: any byte proves the peer alive, whole frame or not. */
    public void stampRead(long nowNanos) {
        lastReadNanos = nowNanos;
        rule.arrived(nowNanos);
    }

    public long lastReadNanos() {
        return lastReadNanos;
    }

    /** The rule in force, for the verdict's explanation. */
    public SilenceRule rule() {
        return rule;
    }

    public boolean armed() {
        return armed;
    }

    /**
     * Starts (or restarts) the deadline under {@code rule} and returns it, for the owner to schedule. Silence
     * counts from the last read, so arming never grants extra time.
     */
    public long arm(SilenceRule rule, long nowNanos) {
        this.rule = rule;
        this.armed = true;
        return dueNanos = Math.max(nowNanos, lastReadNanos + rule.allowedSilenceNanos());
    }

    /** No verdict from now on; the owner takes the deadline out of its schedule. */
    public void disarm() {
        armed = false;
    }

    /**
     * The scheduled deadline came at {@code nowNanos}. Passes the verdict (telling the {@link Expiry}) and
     * returns {@link #NO_DEADLINE}, or returns the next deadline to schedule: the remainder of the allowed
     * silence after newer traffic, or the end of the grace after a stall.
     */
    public long expire(long nowNanos, Stalls stalls) {
        if (!armed) {
            return NO_DEADLINE;
        }
        long late = nowNanos - dueNanos;
        if (late > PAUSE_TOLERANCE_NANOS) {
            graceUntilNanos = nowNanos + late;
            stalls.stalled(late, nowNanos);
            return dueNanos = graceUntilNanos;
        }
        long allowed = rule.allowedSilenceNanos();
        long silent = nowNanos - lastReadNanos;
        if (silent >= allowed && nowNanos - graceUntilNanos >= 0) {
            armed = false;
            expiry.expired(silent, nowNanos);
            return NO_DEADLINE;
        }
        return dueNanos = nowNanos + Math.max(allowed - silent, graceUntilNanos - nowNanos);
    }
}
