package io.tether.protocol;

/** Codes carried by ERROR frames. */
public enum ErrorCode {
    /** The receiver has no handler for requests. */
    NO_HANDLER(1),
    /** The request handler failed; the message says how. */
    HANDLER_FAILED(2),
    /** The frame was understood but is not allowed now (for example DATA before the handshake). */
    UNEXPECTED_FRAME(3),
    /** The peer pings more often than allowed; it will be disconnected if it goes on. */
    TOO_MANY_PINGS(4),
    /** The peer sends more frames or bytes per second than allowed; it will be disconnected if it goes on. */
    RATE_LIMITED(5),
    /** A code this version does not know. */
    UNKNOWN(0xFFFF);

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static ErrorCode fromCode(int code) {
        for (ErrorCode error : values()) {
            if (error.code == code) {
                return error;
            }
        }
        return UNKNOWN;
    }
}
