package io.tether.internal;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work an event loop must do but that must not delay a verdict: closing connections that were already
 * declared offline. When thousands of clients go silent together, each verdict is cheap but each close
 * costs tens of microseconds of kernel time; run in arrival order, the closes of early verdicts would make
 * later ones late. Chores therefore run in slices of at most {@value #SLICE_MICROS} µs, each slice a task
 * scheduled with zero delay, so any timer that fell due meanwhile (Netty runs due scheduled tasks in
 * deadline order) and any pending socket reads get their turn between slices.
 */
public final class LoopChores {
    private static final Logger log = LoggerFactory.getLogger(LoopChores.class);
    static final long SLICE_MICROS = 200;

    private static final FastThreadLocal<LoopChores> PER_LOOP = new FastThreadLocal<>() {
        @Override
        protected LoopChores initialValue() {
            return new LoopChores();
        }
    };

    private final ArrayDeque<Runnable> pending = new ArrayDeque<>();
    private boolean sliceScheduled;

    private LoopChores() {
    }

    /** Queues {@code chore} on {@code loop}; callable from any thread. */
    public static void submit(EventExecutor loop, Runnable chore) {
        if (loop.inEventLoop()) {
            PER_LOOP.get().add(loop, chore);
        } else {
            loop.execute(() -> PER_LOOP.get().add(loop, chore));
        }
    }

    private void add(EventExecutor loop, Runnable chore) {
        pending.add(chore);
        if (!sliceScheduled) {
            sliceScheduled = true;
            loop.schedule(() -> slice(loop), 0, TimeUnit.NANOSECONDS);
        }
    }

    private void slice(EventExecutor loop) {
        long deadline = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(SLICE_MICROS);
        for (Runnable chore = pending.poll(); chore != null; chore = pending.poll()) {
            try {
                chore.run();
            } catch (RuntimeException e) {
                log.error("event loop chore failed", e);
            }
            if (System.nanoTime() >= deadline) {
                break;
            }
        }
        if (pending.isEmpty()) {
            sliceScheduled = false;
        } else {
            loop.schedule(() -> slice(loop), 0, TimeUnit.NANOSECONDS);
        }
    }
}
