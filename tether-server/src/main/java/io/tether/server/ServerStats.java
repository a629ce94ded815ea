package io.tether.server;

import io.tether.protocol.CloseReason;
import java.util.Map;

/**
 * Counters since the server started.
 *
 * @param online         sessions online now
 * @param accepted       TCP connections accepted, including ones that never completed a handshake
 * @param onlineEvents   ONLINE events emitted
 * @param offlineByReason OFFLINE events emitted, per reason
 * @param rejected       connections closed before they came online (bad handshake, handshake timeout, a
 *                       limit)
 * @param connections    connections open now on all ports, handshaken or not
 * @param handshakes     connections open now that have not said HELLO yet
 * @param rejectedByReason the refusals counted in {@code rejected}, by the reason each was given
 * @param bufferedBytes  bytes held now for partial inbound frames and unsent outbound ones (compact
 *                       connections; a channel's unsent frames are bounded by its own outbound limit)
 */
public record ServerStats(int online, long accepted, long onlineEvents, Map<CloseReason, Long> offlineByReason,
                          long rejected, int connections, int handshakes, long bufferedBytes,
                          Map<CloseReason, Long> rejectedByReason) {

    public long offlineEvents() {
        return offlineByReason.values().stream().mapToLong(Long::longValue).sum();
    }
}
