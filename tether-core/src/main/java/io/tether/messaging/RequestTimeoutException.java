package io.tether.messaging;

import java.util.concurrent.TimeoutException;

/** No answer to a request arrived within its timeout. */
public final class RequestTimeoutException extends TimeoutException {
    public RequestTimeoutException(String message) {
        super(message);
    }
}
