package io.tether.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: before retry {@code n} the client waits a uniformly random time
 * between 0 and {@code min(max, initial * multiplier^n)}. Full jitter keeps thousands of clients that lost
 * the same server from coming back in lock-step.
 *
 * <p>With the outage known ({@link #delay(int, Duration, RandomGenerator)}), the ceiling is also held to half
 * the time the server has been unreachable so far (but never under {@code initial}). Pure exponential growth
 * over-shoots short outages: after a restart of a few seconds, clients that failed several times in quick
 * succession would wait several times the outage more (docs/PERFORMANCE.md, reconnect storm). Bounded by the
 * outage, a server that was gone for T is found again within about T/2 of its return, while a server that
 * stays down is still retried ever more rarely, up to {@code max}.
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

    /** The ceiling before retry {@code attempt} when the server has been unreachable for {@code outage}. */
    public Duration ceiling(int attempt, Duration outage) {
        Duration byOutage = outage.dividedBy(2);
        Duration bound = byOutage.compareTo(initial) < 0 ? initial : byOutage;
        Duration byAttempt = ceiling(attempt);
        return byAttempt.compareTo(bound) < 0 ? byAttempt : bound;
    }

    /** A fully jittered wait before retry {@code attempt}, at most half of {@code outage} (or {@code initial}). */
    public Duration delay(int attempt, Duration outage, RandomGenerator random) {
        return Duration.ofNanos(random.nextLong(ceiling(attempt, outage).toNanos() + 1));
    }
}
