package io.tether.client;

/** Where a {@link TetherClient} stands. */
public enum ClientState {
    /** Started, first connection attempt under way. */
    CONNECTING,
    /** Handshake done; heartbeats flowing. */
    ONLINE,
    /** The connection was lost or refused; retrying with backoff. */
    RECONNECTING,
    /** Closed by the application, or replaced by another client with the same id; final. */
    CLOSED
}
