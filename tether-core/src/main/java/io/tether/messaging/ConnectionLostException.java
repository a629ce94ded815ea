package io.tether.messaging;

import io.tether.protocol.CloseReason;
import java.io.IOException;

/**
 * The connection a message or request was travelling on is gone (or there was none). Requests pending
 * when a connection dies fail at once with this exception; none waits for its timeout.
 */
public final class ConnectionLostException extends IOException {
    private final CloseReason reason;

    public ConnectionLostException(CloseReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** The message says what happened; a stack trace would only show where the connection died, at a cost per session. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }

    /** Why the connection ended, or {@code null} when there never was one. */
    public CloseReason reason() {
        return reason;
    }
}
