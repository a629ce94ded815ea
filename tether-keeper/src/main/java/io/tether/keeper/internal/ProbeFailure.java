package io.tether.keeper.internal;

import io.tether.keeper.ProbeFailureKind;
import java.util.Objects;

/**
 * Why a connection failed its probe: what happened, typed, and the words for people.
 */
record ProbeFailure(ProbeFailureKind kind, String reason) {
    ProbeFailure {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * Whether this failure alone shows the service is not answering, whatever other connections do: a close or a
     * socket error may be the peer dropping one idle connection; the other kinds are the service itself.
     */
    boolean serviceDown() {
        return switch (kind) {
            case CLOSED, IO_ERROR -> false;
            case TIMEOUT, BAD_REPLY, UNEXPECTED_BYTES, TLS -> true;
        };
    }
}
