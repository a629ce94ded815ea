package io.tether.server;

import io.tether.protocol.CloseReason;

/**
 * A client came online or went offline. Every ONLINE is followed by exactly one OFFLINE for the same
 * session id, and a session's events arrive in that order.
 *
 * @param type        ONLINE or OFFLINE
 * @param clientId    the id the client gave (a classic client is named by its remote address and port)
 * @param sessionId   unique per connection within this server process
 * @param remote      the peer's address as {@code host:port}
 * @param reason      why the session ended; {@code null} for ONLINE
 * @param detail      human-readable explanation; empty for ONLINE
 * @param silentMillis for OFFLINE, how long the peer had been silent when it was declared offline
 * @param at          when the event happened, epoch milliseconds
 * @param legacy      whether the client speaks the classic 8-byte header
 * @param timeoutMillis the silence after which the server declares this session offline (its enforced
 *                    heartbeat timeout); a TIMEOUT verdict came {@link #lateMillis} after it
 * @param principal   who the client authenticated as, or {@code null} where the server admits anonymous clients
 */
public record PresenceEvent(Type type, String clientId, long sessionId, String remote, CloseReason reason,
                            String detail, long silentMillis, long at, boolean legacy, long timeoutMillis,
                            String principal) {

    public enum Type { ONLINE, OFFLINE }

    /** For a TIMEOUT verdict, how long after the deadline it was passed (never negative); 0 for other events. */
    public long lateMillis() {
        return reason == CloseReason.TIMEOUT ? Math.max(0, silentMillis - timeoutMillis) : 0;
    }

    @Override
    public String toString() {
        return type == Type.ONLINE
                ? "ONLINE " + clientId + " (session " + sessionId + ", " + remote + ")"
                : "OFFLINE " + clientId + " (session " + sessionId + ", " + remote + "): " + reason + " - " + detail;
    }
}
