package io.tether.keeper;

import io.tether.util.Durations;
import java.time.Duration;

/**
 * The range of every duration setting of an endpoint, checked both when an {@link EndpointConfig} is built and
 * when a configuration file is read, so that a value the keeper cannot use is refused at once, never at run
 * time. docs/KEEPER.md lists the same ranges (a test holds them equal).
 */
public enum DurationLimit {
    /** The socket API takes whole milliseconds, and reads 0 as "wait forever". */
    CONNECT_TIMEOUT("connect-timeout", Duration.ofMillis(1), Duration.ofMinutes(10)),
    /** Checks more often than every 10 ms would make the keeper a load on its own upstream. */
    CHECK_INTERVAL("check-interval", Duration.ofMillis(10), Duration.ofHours(24)),
    /** As for the connect timeout: whole milliseconds, 0 would mean forever. */
    PROBE_TIMEOUT("probe-timeout", Duration.ofMillis(1), Duration.ofMinutes(10)),
    BORROW_TIMEOUT("borrow-timeout", Duration.ZERO, Duration.ofHours(1)),
    VALIDATE_AFTER_IDLE("validate-after-idle", Duration.ZERO, Duration.ofHours(24)),
    /** Zero means never; the expiry is kept in System.nanoTime() arithmetic, which 30 days keeps far from overflow. */
    MAX_LIFETIME("max-lifetime", Duration.ZERO, Duration.ofDays(30)),
    LEAK_THRESHOLD("leak-threshold", Duration.ZERO, Duration.ofHours(24)),
    RECONNECT_INITIAL("reconnect.initial", Duration.ofMillis(1), Duration.ofHours(1)),
    RECONNECT_MAX("reconnect.max", Duration.ofMillis(1), Duration.ofHours(1)),
    /** Linux takes TCP_KEEPIDLE and TCP_KEEPINTVL in whole seconds up to 32767 (and fails the socket beyond). */
    KEEPALIVE_IDLE("keepalive.idle", Duration.ofSeconds(1), Duration.ofSeconds(32767)),
    KEEPALIVE_INTERVAL("keepalive.interval", Duration.ofSeconds(1), Duration.ofSeconds(32767));

    private final String setting;
    private final Duration min;
    private final Duration max;

    DurationLimit(String setting, Duration min, Duration max) {
        this.setting = setting;
        this.min = min;
        this.max = max;
    }

    /** The name of the setting in a configuration file, e.g. {@code max-lifetime}. */
    public String setting() {
        return setting;
    }

    public Duration min() {
        return min;
    }

    public Duration max() {
        return max;
    }

    /** Whether this setting is counted in whole seconds. */
    public boolean wholeSeconds() {
        return this == KEEPALIVE_IDLE || this == KEEPALIVE_INTERVAL;
    }

    /** The accepted range as docs/KEEPER.md writes it: {@code 10ms..24h}, {@code 1s..32767s (whole seconds)}. */
    public String range() {
        return show(min) + ".." + show(max) + (wholeSeconds() ? " (whole seconds)" : "");
    }

    public boolean contains(Duration value) {
        return value != null && value.compareTo(min) >= 0 && value.compareTo(max) <= 0
                && (!wholeSeconds() || value.getNano() == 0);
    }

    /** Returns {@code value} if it is within the range; otherwise fails naming the setting, the range and the value. */
    public Duration check(Duration value) {
        if (!contains(value)) {
            throw new IllegalArgumentException(setting + " must be within " + range() + ", got " + describe(value));
        }
        return value;
    }

    /** {@code 744h} when that is exact (and its milliseconds fit a long), else the ISO form {@code PT0.000000001S}. */
    private static String describe(Duration value) {
        if (value == null) {
            return "nothing";
        }
        boolean plain = !value.isNegative() && value.compareTo(Duration.ofDays(365_000)) <= 0
                && value.getNano() % 1_000_000 == 0;
        return plain ? show(value) : value.toString();
    }

    private static String show(Duration d) {
        return d.isZero() ? "0" : Durations.format(d);
    }
}
