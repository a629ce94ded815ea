package io.tether.client;

/** Where a {@link TetherClient} stands. */
public enum ClientState {
    /** Started, first connection attempt under way. */
    CONNECTING,
    /** Handshake done; heartbeats flowing. */
    ONLINE,
    /** The connection was lost or refused; retrying with backoff. */
    RECONNECTING,
    /**
     * Final: closed by the application, replaced by another client with the same id (GOAWAY REPLACED), or
     * refused by the server for a reason another attempt cannot change (its HELLO answered with GOAWAY
     * PROTOCOL_ERROR: an id or version the server does not accept; or GOAWAY FORBIDDEN, before or after
     * WELCOME: an identity that may not use this id). The listener's reason says which.
     */
    CLOSED
}
