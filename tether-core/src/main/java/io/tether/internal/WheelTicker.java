package io.tether.internal;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one event loop's {@link DeadlineWheel}: reads the clock, polls the wheel with it, and makes sure the
 * loop wakes for the next deadline. Owned by whatever owns the loop's connections (the server's engine),
 * one per loop; every method runs on that loop.
 *
 * <p>Two ways to wake. While deadlines are dense (the next one at most {@value #DENSE_TICKS} ms away, as with
 * thousands of connections) a periodic 1 ms task polls, which allocates nothing. While they are sparse (a few
 * quiet connections) one wake-up is planned for the next deadline, so an idle server is not woken a thousand
 * times a second; an empty wheel plans none.
 *
 * <p>It is also where a stalled loop is noticed: a deadline met late is logged, one line per stall per loop
 * (at most one a second), not one per peer.
 */
public final class WheelTicker implements Runnable, Liveness.Stalls {
    static final int DENSE_TICKS = 8;
    private static final long DENSE_NANOS = DENSE_TICKS * DeadlineWheel.TICK_NANOS;
    private static final Logger log = LoggerFactory.getLogger(WheelTicker.class);

    private final Traffic traffic = new Traffic();
    private final EventExecutor loop;
    private final LongSupplier clock;
    private final DeadlineWheel wheel;
    private ScheduledFuture<?> ticking; // the periodic task or the planned wake-up, or null
    private boolean periodic;
    private long wakeAt; // for a planned wake-up: the time it is for
    private long polls;

    public WheelTicker(EventExecutor loop, LongSupplier clock) {
        this.loop = loop;
        this.clock = clock;
        long now = clock.getAsLong();
        this.wheel = new DeadlineWheel(now);
    }

    /** The loop's clock: the time that every read stamp and deadline on this loop is measured in. */
    /** What went through this loop: counted by the connections it serves, read by anyone. */
    public Traffic traffic() {
        return traffic;
    }

    public long now() {
        return clock.getAsLong();
    }

    /** Arms {@code liveness} under {@code rule} from now and schedules (or moves) its deadline. */
    public void arm(Liveness liveness, SilenceRule rule) {
        schedule(liveness, liveness.arm(rule, now()));
    }

    /** No verdict for {@code liveness} from now on: disarmed, and its deadline out of the wheel. */
    public void disarm(Liveness liveness) {
        liveness.disarm();
        wheel.cancel(liveness);
    }

    private void schedule(Liveness liveness, long deadlineNanos) {
        long due = wheel.schedule(liveness, deadlineNanos);
        if (ticking == null || (!periodic && due < wakeAt)) {
            plan(due);
        }
    }

    /** A tick: polls the wheel, then plans the next. */
    @Override
    public void run() {
        polls++;
        if (!periodic) {
            ticking = null; // the planned wake-up has happened
        }
        wheel.poll(clock.getAsLong(), this);
        long next = wheel.nextDeadlineNanos();
        if (next == Liveness.NO_DEADLINE) {
            stop();
        } else {
            plan(next);
        }
    }

    @Override
    public void stalled(long lateNanos, long nowNanos) {
        StallLog.stalled(log, lateNanos, nowNanos,
                "peers whose deadline fell in the stall get as long again before any verdict");
    }

    /** Makes sure the loop polls by {@code due}: periodically while that is near, else once then. */
    private void plan(long due) {
        long delay = due - clock.getAsLong();
        if (delay <= DENSE_NANOS) {
            if (!periodic) {
                stop();
                periodic = true;
                // Fixed delay, not fixed rate: after a stall the poll catches up by itself, in one run.
                ticking = loop.scheduleWithFixedDelay(this, DeadlineWheel.TICK_NANOS, DeadlineWheel.TICK_NANOS,
                        TimeUnit.NANOSECONDS);
            }
            return;
        }
        if (ticking != null && (periodic || wakeAt != due)) {
            stop();
        }
        if (ticking == null) {
            wakeAt = due;
            ticking = loop.schedule(this, delay, TimeUnit.NANOSECONDS);
        }
    }

    private void stop() {
        if (ticking != null) {
            ticking.cancel(false);
            ticking = null;
        }
        periodic = false;
    }

    /** How many times the ticker has polled, for tests of how often it wakes its loop. */
    long polls() {
        return polls;
    }
}
