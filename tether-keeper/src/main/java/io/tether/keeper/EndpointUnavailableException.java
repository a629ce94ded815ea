package io.tether.keeper;

import java.io.IOException;

/**
 * No connection could be borrowed within the borrow timeout. The message names the endpoint, the last
 * failure and when the next retry is due, so the log line alone says what is wrong.
 */
public final class EndpointUnavailableException extends IOException {
    private final String endpoint;

    public EndpointUnavailableException(String endpoint, String message) {
        super(message);
        this.endpoint = endpoint;
    }

    public String endpoint() {
        return endpoint;
    }
}
