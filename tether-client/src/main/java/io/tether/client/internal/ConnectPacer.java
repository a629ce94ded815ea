package io.tether.client.internal;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The connection attempts of the clients that share one event loop, paced so that a herd of them cannot
 * starve the loop's other work: in each {@value #SLICE_MILLIS} ms slice, attempts may take at most
 * {@value #BUDGET_MILLIS} ms of the loop, on average; the rest wait here, in order, for the next slice. The rest of the
 * loop goes to reads and to the heartbeats of the clients that are online, so that reconnecting some clients
 * never silences the others (a connect can cost the loop a millisecond in the kernel: docs/PERFORMANCE.md,
 * reconnect storm). A lone client's attempt never waits. Time is read from the clock it is given; used on its
 * loop's thread only.
 */
final class ConnectPacer {
    static final long SLICE_MILLIS = 10;
    static final long BUDGET_MILLIS = 3;
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(SLICE_MILLIS);
    private static final long BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(BUDGET_MILLIS);
    private static final FastThreadLocal<ConnectPacer> PER_LOOP = new FastThreadLocal<>();

    private final EventLoop loop;
    private final LongSupplier clock;
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    private long sliceStart;
    private long spent;
    private boolean drainPlanned;

    ConnectPacer(EventLoop loop, LongSupplier clock) {
        this.loop = loop;
        this.clock = clock;
        this.sliceStart = clock.getAsLong();
    }

    /** The pacer of {@code loop}; call on that loop. */
    static ConnectPacer of(EventLoop loop) {
        ConnectPacer pacer = PER_LOOP.get();
        if (pacer == null) {
            PER_LOOP.set(pacer = new ConnectPacer(loop, System::nanoTime));
        }
        return pacer;
    }

    /** Runs {@code attempt} now if this slice has budget left and nothing waits before it; else queues it. */
    void submit(Runnable attempt) {
        if (waiting.isEmpty() && mayRun(clock.getAsLong())) {
            run(attempt);
        } else {
            waiting.add(attempt);
            planDrain();
        }
    }

    int waiting() {
        return waiting.size();
    }

    /** Runs what waits, oldest first, while the slice has budget. */
    void drain() {
        drainPlanned = false;
        while (!waiting.isEmpty() && mayRun(clock.getAsLong())) {
            run(waiting.poll());
        }
        if (!waiting.isEmpty()) {
            planDrain();
        }
    }

    /**
     * Whether the current slice has budget left. Each slice that has passed pays off one budget of what was
     * spent, so an attempt that held the loop longer than a budget is paid for by as many slices of rest.
     */
    private boolean mayRun(long now) {
        long slices = (now - sliceStart) / SLICE_NANOS;
        if (slices > 0) {
            spent = Math.max(0, spent - slices * BUDGET_NANOS);
            sliceStart += slices * SLICE_NANOS;
        }
        return spent < BUDGET_NANOS;
    }

    private void run(Runnable attempt) {
        long start = clock.getAsLong();
        try {
            attempt.run();
        } finally {
            spent += clock.getAsLong() - start;
        }
    }

    private void planDrain() {
        if (!drainPlanned) {
            drainPlanned = true;
            loop.schedule(this::drain, Math.max(0, sliceStart + SLICE_NANOS - clock.getAsLong()), TimeUnit.NANOSECONDS);
        }
    }
}
