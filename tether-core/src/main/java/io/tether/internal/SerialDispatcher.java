package io.tether.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers events to listeners in the order they were published, one at a time, on a thread of its own,
 * so a slow listener never stalls the thread that noticed the event. An event published after shutdown is
 * delivered on the caller's thread rather than lost.
 *
 * @param <L> listener type
 * @param <E> event type
 */
public final class SerialDispatcher<L, E> {
    private static final Logger log = LoggerFactory.getLogger(SerialDispatcher.class);

    private final List<L> listeners;
    private final BiConsumer<L, E> delivery;
    private final ExecutorService executor;

    public SerialDispatcher(String threadName, List<L> listeners, BiConsumer<L, E> delivery) {
        this.listeners = listeners;
        this.delivery = delivery;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, threadName);
            thread.setDaemon(true);
            return thread;
        });
    }

    public void publish(E event) {
        try {
            executor.execute(() -> deliver(event));
        } catch (RejectedExecutionException afterShutdown) {
            deliver(event);
        }
    }

    private void deliver(E event) {
        for (L listener : listeners) {
            try {
                delivery.accept(listener, event);
            } catch (RuntimeException e) {
                log.error("listener failed on {}", event, e);
            }
        }
    }

    /** Stops taking events and waits until every published one has been delivered. */
    public void shutdown(Duration timeout) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("listeners still busy after {} ms at shutdown", timeout.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
