package io.tether.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: before retry {@code n} the client waits a uniformly random time
 * between 0 and {@code min(max, initial * multiplier^n)}. Full jitter keeps thousands of clients that lost
 * the same server from coming back in lock-step.
 */
public record ReconnectBackoff(Duration initial, Duration max, double multiplier) {
    public static final ReconnectBackoff DEFAULT = new ReconnectBackoff(Duration.ofMillis(200), Duration.ofSeconds(30), 2.0);

    public ReconnectBackoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0 || multiplier < 1.0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max and multiplier >= 1");
        }
    }

    /** The ceiling of the wait before retry {@code attempt} (0-based). */
    public Duration ceiling(int attempt) {
        double nanos = initial.toNanos() * Math.pow(multiplier, attempt);
        return nanos >= max.toNanos() ? max : Duration.ofNanos((long) nanos);
    }

    /** A fully jittered wait before retry {@code attempt}. */
    public Duration delay(int attempt, RandomGenerator random) {
        return Duration.ofNanos(random.nextLong(ceiling(attempt).toNanos() + 1));
    }
}
