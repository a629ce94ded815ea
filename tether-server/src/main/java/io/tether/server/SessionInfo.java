package io.tether.server;

import io.tether.heartbeat.HeartbeatPolicy;
import java.time.Duration;
import java.time.Instant;

/**
 * A snapshot of one online session, as listed by {@link TetherServer#sessions()}.
 *
 * @param lastRtt the heartbeat round trip the client last reported, or {@code null} before its first one
 */
public record SessionInfo(String clientId, long sessionId, String remote, Instant connectedAt, Instant lastSeenAt,
                          Duration lastRtt, HeartbeatPolicy heartbeat, boolean legacy) {
}
