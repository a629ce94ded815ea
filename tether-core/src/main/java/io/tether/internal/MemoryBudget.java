package io.tether.internal;

import io.tether.protocol.CloseReason;
import io.tether.protocol.ProtocolException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes a server may hold across all its connections for input that has not arrived whole and output that
 * has not left. Each holder keeps what it was granted and moves it with {@link #adjust}; the connection
 * whose growth would pass the budget is refused (OVERLOADED) instead of the heap running out for everyone.
 * Thread-safe; touched only when a frame straddles reads or output waits, never per ordinary frame.
 */
public final class MemoryBudget {
    private final long max;
    private final AtomicLong held = new AtomicLong();

    public MemoryBudget(long max) {
        this.max = max;
    }

    /**
     * Moves a holder's grant from {@code had} to {@code wants} bytes and returns the new grant; throws
     * {@link ProtocolException} with reason OVERLOADED (keeping {@code had}) when growing would pass the budget.
     */
    public long adjust(long had, long wants, String what) {
        long delta = wants - had;
        if (delta <= 0) {
            if (delta < 0) {
                held.addAndGet(delta);
            }
            return wants;
        }
        while (true) {
            long now = held.get();
            if (now + delta > max) {
                throw new ProtocolException(CloseReason.OVERLOADED, "server's buffer budget of " + max
                        + " bytes is in use (" + now + " held): cannot hold " + wants + " bytes of " + what);
            }
            if (held.compareAndSet(now, now + delta)) {
                return wants;
            }
        }
    }

    public long held() {
        return held.get();
    }

    public long max() {
        return max;
    }
}
