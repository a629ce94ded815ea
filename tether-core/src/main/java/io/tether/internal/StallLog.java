package io.tether.internal;

import io.netty.util.concurrent.FastThreadLocal;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;

/**
 * The warning that an event loop ran late: at most one line a second per loop thread, however many peers'
 * deadlines the stall delayed, and the next line says how many were left out. A line per peer would turn
 * one stall into thousands of console writes on the stalled loop itself, and so into a longer stall (the
 * storm bench once found 20,000 of them in a client process: docs/PERFORMANCE.md, issue 12).
 */
public final class StallLog {
    /** Per loop thread, made at its first stall with that stall's clock reading. */
    private static final FastThreadLocal<LogLimit> PER_LOOP = new FastThreadLocal<>();
    /** Every stall reported in this process, logged or not: what the admin port's meter counts. */
    private static final LongAdder STALLS = new LongAdder();

    private StallLog() {
    }

    /** How many times an event loop of this process was found late (each loop's wheel, each client's guard). */
    public static long stalls() {
        return STALLS.sum();
    }

    /**
     * Warns on {@code log} that this thread's loop ran {@code lateNanos} late and what follows from it, unless
     * it already did within the last second.
     */
    public static void stalled(Logger log, long lateNanos, long nowNanos, String consequence) {
        STALLS.increment();
        LogLimit limit = PER_LOOP.get();
        if (limit == null) {
            PER_LOOP.set(limit = new LogLimit(1, TimeUnit.SECONDS.toNanos(1), nowNanos));
        }
        long left = limit.take(nowNanos);
        if (left >= 0) {
            log.warn("event loop {} ran {} ms late (GC pause, CPU starvation or a blocking handler?): {}{}",
                    Thread.currentThread().getName(), TimeUnit.NANOSECONDS.toMillis(lateNanos), consequence,
                    LogLimit.note(left));
        }
    }
}
