package io.tether.server.internal;

import io.tether.internal.LogLimit;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One log line per source address per window for a kind of refusal, so that a client retrying a bad
 * credential every second writes one line a minute, however many connections it opens. The first line after
 * a quiet stretch says how many refusals from that address were left out. At most {@code maxSources}
 * addresses are remembered; past that the memory is dropped and starts over (a line more, never a byte of
 * unbounded state). Time is an argument.
 */
final class SourceLogLimit {
    private final long windowNanos;
    private final int maxSources;
    private final ConcurrentHashMap<String, LogLimit> bySource = new ConcurrentHashMap<>();

    SourceLogLimit(long windowNanos, int maxSources) {
        this.windowNanos = windowNanos;
        this.maxSources = maxSources;
    }

    /** As {@link LogLimit#take}: -1 to leave the line out, else how many from {@code source} were left out. */
    long take(String source, long nowNanos) {
        LogLimit limit = bySource.get(source);
        if (limit == null) {
            if (bySource.size() >= maxSources) {
                bySource.clear();
            }
            limit = bySource.computeIfAbsent(source, s -> new LogLimit(1, windowNanos, nowNanos));
        }
        return limit.take(nowNanos);
    }
}
