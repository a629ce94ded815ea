package io.tether.server;

import io.tether.heartbeat.HeartbeatPolicy;
import java.time.Duration;
import java.time.Instant;

/**
 * A snapshot of one online session, as listed by {@link TetherServer#sessions()}.
 *
 * @param lastRtt   the heartbeat round trip the client last reported, or {@code null} before its first one
 * @param principal who the client authenticated as, or {@code null} where the server admits anonymous clients
 */
public record SessionInfo(String clientId, long sessionId, String remote, Instant connectedAt, Instant lastSeenAt,
                          Duration lastRtt, HeartbeatPolicy heartbeat, boolean legacy, String principal) {
}
