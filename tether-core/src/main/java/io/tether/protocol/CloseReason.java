package io.tether.protocol;

/**
 * Why a connection ended. The same codes travel in GOAWAY frames and label OFFLINE events.
 */
public enum CloseReason {
    /** Nothing arrived from the peer for the whole heartbeat timeout. */
    TIMEOUT(1, Peer.PRESUMED_DEAD, false),
    /** The peer closed its side in an orderly way (GOAWAY or FIN). */
    CLIENT_CLOSED(2, Peer.GONE, false),
    /** The connection broke underneath: reset by the peer or another I/O error. */
    CONNECTION_RESET(3, Peer.GONE, false),
    /** An operator or the application removed the session. */
    KICKED(4, Peer.READING, false),
    /** A newer connection with the same client id took over. */
    REPLACED(5, Peer.READING, false),
    /** The server is shutting down. */
    SERVER_SHUTDOWN(6, Peer.READING, false),
    /** The peer sent something the protocol does not allow. */
    PROTOCOL_ERROR(7, Peer.READING, true),
    /** The peer stopped reading and its outbound buffer reached the limit. */
    SLOW_CONSUMER(8, Peer.GONE, true),
    /** The peer kept pinging far more often than its heartbeat interval after being told to stop. */
    TOO_MANY_PINGS(9, Peer.READING, true),
    /** The peer kept sending more frames or bytes per second than the server allows after being told to stop. */
    RATE_LIMITED(10, Peer.READING, true),
    /** The server is at a limit (connections, handshakes, memory) and takes no more from this peer now. */
    OVERLOADED(11, Peer.READING, true),
    /** The peer proved no identity: no credential where one is required, or one that is invalid or expired. */
    UNAUTHENTICATED(12, Peer.READING, true),
    /** The peer proved an identity that may not hold this client id (another's id, or one held by another). */
    FORBIDDEN(13, Peer.READING, true),
    /**
     * The node that held the session can no longer vouch for it (a cluster's view): it was declared dead
     * because its lease lapsed, or it was cut off from the cluster for longer than its lease. A client told
     * so reconnects, to a node that is still in the cluster.
     */
    NODE_LOST(14, Peer.READING, false);

    /** What the side that ends a connection for this reason may expect of its peer. */
    private enum Peer {
        /** Alive and reading: it is told GOAWAY and, closing on it, closes first. */
        READING,
        /** Presumed dead: told GOAWAY in case it is not, then the output is shut, as it will not close first. */
        PRESUMED_DEAD,
        /** Gone or not reading: nothing more is written to it. */
        GONE
    }

    private final int code;
    private final Peer peer;
    private final boolean peersFault;

    CloseReason(int code, Peer peer, boolean peersFault) {
        this.code = code;
        this.peer = peer;
        this.peersFault = peersFault;
    }

    /** Whether a GOAWAY may still reach the peer; false once it has left or stopped reading. */
    public boolean toldGoAway() {
        return peer != Peer.GONE;
    }

    /**
     * Whether the peer is presumed dead, so the side that ends the connection shuts its output after the
     * GOAWAY rather than wait for a FIN that will not come.
     */
    public boolean peerPresumedDead() {
        return peer == Peer.PRESUMED_DEAD;
    }

    /** Whether the peer (or what it sent) caused the end: such ends are logged as warnings, the rest as news. */
    public boolean peersFault() {
        return peersFault;
    }

    /**
     * Why a connection that failed with {@code failure} ends: the reason a {@link ProtocolException} carries,
     * {@link #CONNECTION_RESET} for an I/O error, and {@link #PROTOCOL_ERROR} (an internal error) for anything
     * else. Wrappers (a decoder's, a future's) are looked through, as far as their causes go.
     */
    public static CloseReason of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ProtocolException refused) {
                return refused.reason();
            }
            if (t instanceof java.io.IOException) {
                return CONNECTION_RESET;
            }
        }
        return PROTOCOL_ERROR;
    }

    public int code() {
        return code;
    }

    /** The reason with this code, or {@code null} for a code this version does not know. */
    public static CloseReason fromCode(int code) {
        for (CloseReason reason : values()) {
            if (reason.code == code) {
                return reason;
            }
        }
        return null;
    }
}
