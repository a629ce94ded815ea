package io.tether.keeper;

import java.time.Duration;

/**
 * Kernel TCP keepalive for an endpoint's connections: probes start after {@code idle} without traffic,
 * repeat every {@code interval}, and the connection is reset after {@code count} unanswered ones — so a
 * peer that vanished is noticed after about {@code idle + interval * count} even by the {@code peek} probe.
 */
public record TcpKeepalive(Duration idle, Duration interval, int count) {
    public static final TcpKeepalive DEFAULT = new TcpKeepalive(Duration.ofSeconds(30), Duration.ofSeconds(5), 3);

    public TcpKeepalive {
        if (idle.toSeconds() < 1 || interval.toSeconds() < 1 || count < 1) {
            throw new IllegalArgumentException("TCP keepalive needs idle and interval of at least 1 s and count of at least 1");
        }
    }
}
