package io.tether.bench;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs JMH's benchmark threads as Netty {@code FastThreadLocalThread}s, the kind of thread an event loop
 * is. Netty's buffer pool and object recycler only cache for such threads, so a codec benchmark on a plain
 * thread would report allocations that the real heartbeat path does not make. Selected with
 * {@code -Djmh.executor=CUSTOM -Djmh.executor.class=io.tether.bench.FastThreadLocalExecutor}.
 */
public final class FastThreadLocalExecutor extends ThreadPoolExecutor {
    public FastThreadLocalExecutor(int maxThreads, String prefix) {
        super(maxThreads, maxThreads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), new DefaultThreadFactory(prefix, true));
    }
}
