package io.tether.protocol;

/**
 * The peer broke the wire protocol, or sent what the receiver will not take. The connection that raised it is
 * closed with {@link #reason()} (PROTOCOL_ERROR unless said otherwise) and this message; no other connection
 * is affected.
 */
public final class ProtocolException extends RuntimeException {
    private final CloseReason reason;

    public ProtocolException(String message) {
        this(CloseReason.PROTOCOL_ERROR, message);
    }

    public ProtocolException(CloseReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    /** The reason the connection is closed with. */
    public CloseReason reason() {
        return reason;
    }
}
