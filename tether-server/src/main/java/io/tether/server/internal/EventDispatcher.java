package io.tether.server.internal;

import io.tether.server.PresenceEvent;
import io.tether.server.PresenceListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers presence events in the order they were published, on one thread of its own, so a slow
 * listener never stalls an event loop. An event published after shutdown is delivered on the caller's
 * thread rather than lost.
 */
final class EventDispatcher {
    private static final Logger log = LoggerFactory.getLogger(EventDispatcher.class);

    private final List<PresenceListener> listeners;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "tether-events");
        thread.setDaemon(true);
        return thread;
    });

    EventDispatcher(List<PresenceListener> listeners) {
        this.listeners = listeners;
    }

    void publish(PresenceEvent event) {
        try {
            executor.execute(() -> deliver(event));
        } catch (RejectedExecutionException afterShutdown) {
            deliver(event);
        }
    }

    private void deliver(PresenceEvent event) {
        for (PresenceListener listener : listeners) {
            try {
                listener.onPresence(event);
            } catch (RuntimeException e) {
                log.error("presence listener failed on {}", event, e);
            }
        }
    }

    /** Stops taking events and waits until every published one has been delivered. */
    void shutdown(Duration timeout) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("presence listeners still busy after {} ms at shutdown", timeout.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
