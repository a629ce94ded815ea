package io.tether.keeper;

/** How an idle keep connection is checked. */
public enum ProbeKind {
    /**
     * Sends nothing: a non-blocking read tells a live idle connection (nothing to read) from one the peer
     * closed (end of stream) or reset. Relies on tuned TCP keepalive for a peer that vanished silently.
     */
    PEEK,
    /** Sends configured bytes and expects a reply line starting with a configured prefix within the probe timeout. */
    EXCHANGE,
    /** Speaks the Tether protocol: the connection says HELLO when opened, and a probe is a PING answered by PONG. */
    TETHER,
    /**
     * Sends one TCP urgent byte, as the classic design did. Kept for compatibility only: the send succeeds
     * into the local buffer even when the peer is gone, so on its own it cannot detect a dead peer.
     */
    URGENT
}
