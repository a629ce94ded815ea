package io.tether.keeper;

import java.time.Duration;

/**
 * Kernel TCP keepalive for an endpoint's connections: probes start after {@code idle} without traffic,
 * repeat every {@code interval}, and the connection is reset after {@code count} unanswered ones — so a
 * peer that vanished is noticed after about {@code idle + interval * count} even by the {@code peek} probe.
 * Each part is held to what the socket options take ({@link DurationLimit#KEEPALIVE_IDLE},
 * {@link DurationLimit#KEEPALIVE_INTERVAL}, {@link #MAX_COUNT}), so a socket never fails to open over it.
 */
public record TcpKeepalive(Duration idle, Duration interval, int count) {
    /** Linux's largest TCP_KEEPCNT. */
    public static final int MAX_COUNT = 127;

    public static final TcpKeepalive DEFAULT = new TcpKeepalive(Duration.ofSeconds(30), Duration.ofSeconds(5), 3);

    public TcpKeepalive {
        DurationLimit.KEEPALIVE_IDLE.check(idle);
        DurationLimit.KEEPALIVE_INTERVAL.check(interval);
        if (count < 1 || count > MAX_COUNT) {
            throw new IllegalArgumentException("keepalive.count must be within 1.." + MAX_COUNT + ", got " + count);
        }
    }
}
