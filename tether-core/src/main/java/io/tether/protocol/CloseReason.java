package io.tether.protocol;

/**
 * Why a connection ended. The same codes travel in GOAWAY frames and label OFFLINE events.
 */
public enum CloseReason {
    /** Nothing arrived from the peer for the whole heartbeat timeout. */
    TIMEOUT(1),
    /** The peer closed its side in an orderly way (GOAWAY or FIN). */
    CLIENT_CLOSED(2),
    /** The connection broke underneath: reset by the peer or another I/O error. */
    CONNECTION_RESET(3),
    /** An operator or the application removed the session. */
    KICKED(4),
    /** A newer connection with the same client id took over. */
    REPLACED(5),
    /** The server is shutting down. */
    SERVER_SHUTDOWN(6),
    /** The peer sent something the protocol does not allow. */
    PROTOCOL_ERROR(7),
    /** The peer stopped reading and its outbound buffer reached the limit. */
    SLOW_CONSUMER(8),
    /** The peer kept pinging far more often than its heartbeat interval after being told to stop. */
    TOO_MANY_PINGS(9),
    /** The peer kept sending more frames or bytes per second than the server allows after being told to stop. */
    RATE_LIMITED(10),
    /** The server is at a limit (connections, handshakes, memory) and takes no more from this peer now. */
    OVERLOADED(11);

    private final int code;

    CloseReason(int code) {
        this.code = code;
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
