package io.tether.messaging;

import io.tether.protocol.ErrorCode;

/** The peer answered a request with an ERROR frame. */
public final class RemoteErrorException extends Exception {
    private final ErrorCode code;

    public RemoteErrorException(ErrorCode code, String message) {
        super(code + ": " + message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
