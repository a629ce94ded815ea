package io.tether.client;

import java.time.Duration;

/** Hears about a client's state and heartbeats. Called on the client's event loop: do not block. */
public interface ClientListener {
    /**
     * The client moved from {@code previous} to {@code current}; {@code reason} says why, for humans.
     * {@code previous} is {@code null} for the first change, to CONNECTING.
     */
    default void stateChanged(ClientState previous, ClientState current, String reason) {
    }

    /** A PONG came back; {@code rtt} is the measured round trip of that heartbeat. */
    default void heartbeatAcknowledged(Duration rtt) {
    }
}
