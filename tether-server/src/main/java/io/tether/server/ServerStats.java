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
 * @param rejected       connections closed before they came online (bad handshake, handshake timeout)
 */
public record ServerStats(int online, long accepted, long onlineEvents, Map<CloseReason, Long> offlineByReason,
                          long rejected) {

    public long offlineEvents() {
        return offlineByReason.values().stream().mapToLong(Long::longValue).sum();
    }
}
