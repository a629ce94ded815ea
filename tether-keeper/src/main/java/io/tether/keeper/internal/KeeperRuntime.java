package io.tether.keeper.internal;

import io.tether.internal.SerialDispatcher;
import io.tether.keeper.EndpointEvent;
import io.tether.keeper.KeeperListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads behind a keeper: one timer that only schedules, blocking work (connects, probes) on a pool
 * of I/O threads so a slow upstream never delays another endpoint's timer, and ordered event delivery.
 */
final class KeeperRuntime {
    private static final Logger log = LoggerFactory.getLogger(KeeperRuntime.class);

    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon("tether-keeper-timer"));
    final ExecutorService io = Executors.newCachedThreadPool(daemon("tether-keeper-io"));
    final SerialDispatcher<KeeperListener, EndpointEvent> events;

    KeeperRuntime(List<KeeperListener> listeners) {
        this.events = new SerialDispatcher<>("tether-keeper-events", listeners, KeeperListener::onEvent);
    }

    /** Counts a leak and warns, with the borrower's stack, if the lease is still out after the threshold. */
    ScheduledFuture<?> watchForLeak(LeaseImpl lease, Duration threshold, Counters counters) {
        Throwable borrowedHere = new Throwable("lease of '" + lease.endpoint() + "' borrowed here");
        return timer.schedule(() -> {
            if (!lease.isClosed()) {
                counters.leaked();
                log.warn("lease of '{}' has been held for more than {} ms (leak threshold); not returned yet",
                        lease.endpoint(), threshold.toMillis(), borrowedHere);
            }
        }, threshold.toNanos(), TimeUnit.NANOSECONDS);
    }

    void close() {
        timer.shutdownNow();
        io.shutdownNow();
        events.shutdown(Duration.ofSeconds(2));
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread thread = new Thread(r, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
