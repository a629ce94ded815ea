package io.tether.keeper;

import java.time.Duration;
import java.time.Instant;

/**
 * A snapshot of one endpoint.
 *
 * @param lastProbeRtt how long the last successful probe took, or {@code null} before the first
 * @param failures     connection attempts and probes that failed since start
 * @param lastFailure  the most recent failure, or {@code null}
 * @param nextRetry    when the next reconnection attempt is due, or {@code null} when none is pending
 * @param counters     what the endpoint has counted since start: borrows and their waits, leaks, probe failures
 *                     by kind, connections opened and retired
 */
public record EndpointStatus(String name, String address, EndpointMode mode, EndpointState state, int idle,
                             int borrowed, int poolSize, Duration lastProbeRtt, long failures, String lastFailure,
                             Instant nextRetry, EndpointCounters counters) {
}
