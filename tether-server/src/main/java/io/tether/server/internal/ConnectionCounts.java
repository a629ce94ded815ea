package io.tether.server.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one place where a new connection is admitted or refused by numbers: connections open on all ports,
 * connections still in their handshake, and connections per source address. Every accepted connection
 * that was counted by {@link #tryOpen} is uncounted exactly once by {@link #closed}, and every handshake
 * counted is uncounted once by {@link #handshakeEnded}. Thread-safe; the accept threads and event loops call it.
 */
final class ConnectionCounts {
    private final Limits limits;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger handshakes = new AtomicInteger();
    /** Only used when a per-address limit is set; keyed by the address literal. */
    private final ConcurrentHashMap<String, Integer> perAddress = new ConcurrentHashMap<>();

    ConnectionCounts(Limits limits) {
        this.limits = limits;
    }

    /**
     * Counts a new connection from {@code host} (an address literal), in its handshake if {@code handshake};
     * returns {@code null}, or why it is refused (then nothing was counted).
     */
    String tryOpen(String host, boolean handshake) {
        if (open.incrementAndGet() > limits.maxConnections()) {
            open.decrementAndGet();
            return "server is at its limit of " + limits.maxConnections() + " connections";
        }
        if (handshake && handshakes.incrementAndGet() > limits.maxHandshakes()) {
            handshakes.decrementAndGet();
            open.decrementAndGet();
            return "server is at its limit of " + limits.maxHandshakes() + " connections in their handshake";
        }
        int perHost = limits.maxConnectionsPerAddress();
        if (perHost > 0) {
            boolean[] over = new boolean[1];
            perAddress.compute(host, (key, count) -> {
                int now = count == null ? 0 : count;
                if (now >= perHost) {
                    over[0] = true;
                    return count;
                }
                return now + 1;
            });
            if (over[0]) {
                if (handshake) {
                    handshakes.decrementAndGet();
                }
                open.decrementAndGet();
                return "server is at its limit of " + perHost + " connections from " + host;
            }
        }
        return null;
    }

    void handshakeEnded() {
        handshakes.decrementAndGet();
    }

    void closed(String host) {
        open.decrementAndGet();
        if (limits.maxConnectionsPerAddress() > 0) {
            perAddress.computeIfPresent(host, (key, count) -> count <= 1 ? null : count - 1);
        }
    }

    int open() {
        return open.get();
    }

    int handshakes() {
        return handshakes.get();
    }

    /** The address part of a {@code host:port} remote as the server writes it. */
    static String hostOf(String remote) {
        int colon = remote.lastIndexOf(':');
        return colon < 0 ? remote : remote.substring(0, colon);
    }
}
