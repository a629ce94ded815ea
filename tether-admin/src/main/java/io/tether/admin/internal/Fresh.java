package io.tether.admin.internal;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * A value read from its source at most once per window, however many meters a scrape reads from it: the
 * figures of one scrape then come from one reading and agree, and a costly reading (a walk of the session
 * table) is done once. Safe for any thread.
 */
public final class Fresh<T> {
    private final Supplier<T> source;
    private final long windowNanos;
    private T value;
    private long readAt;

    public Fresh(Supplier<T> source, Duration window) {
        this.source = source;
        this.windowNanos = window.toNanos();
    }

    public synchronized T get() {
        long now = System.nanoTime();
        if (value == null || now - readAt > windowNanos) {
            value = source.get();
            readAt = now;
        }
        return value;
    }
}
