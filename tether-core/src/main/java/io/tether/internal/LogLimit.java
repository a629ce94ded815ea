package io.tether.internal;

/**
 * Bounds how many lines one source (a connection, a kind of refusal) may write to the log: at most
 * {@code burst} lines per window, and the first line after a suppressed stretch says how many were left
 * out. A peer that repeats the thing that gets logged therefore cannot make the log grow faster than this.
 * Time is an argument ({@link System#nanoTime()} or any clock with the same meaning).
 */
public final class LogLimit {
    private final int burst;
    private final long windowNanos;
    private long windowStart;
    private int lines;
    private long suppressed;

    public LogLimit(int burst, long windowNanos, long nowNanos) {
        if (burst < 1 || windowNanos <= 0) {
            throw new IllegalArgumentException("a log limit needs burst >= 1 and a positive window");
        }
        this.burst = burst;
        this.windowNanos = windowNanos;
        this.windowStart = nowNanos;
    }

    /**
     * Whether a line may be written now. Returns -1 when it must be left out, otherwise how many lines were
     * left out since the last one written (usually 0), for the caller to mention.
     */
    public synchronized long take(long nowNanos) {
        if (nowNanos - windowStart >= windowNanos) {
            windowStart = nowNanos;
            lines = 0;
        }
        if (lines >= burst) {
            suppressed++;
            return -1;
        }
        lines++;
        long left = suppressed;
        suppressed = 0;
        return left;
    }

    /** The text to append to a line for {@code left} earlier lines left out; empty for none. */
    public static String note(long left) {
        return left <= 0 ? "" : " (" + left + " similar lines suppressed)";
    }
}
