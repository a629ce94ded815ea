package io.tether.protocol;

/**
 * The peer broke the wire protocol. The connection that raised it is closed with
 * {@link CloseReason#PROTOCOL_ERROR} and this message; no other connection is affected.
 */
public final class ProtocolException extends RuntimeException {
    public ProtocolException(String message) {
        super(message, null, false, false);
    }
}
