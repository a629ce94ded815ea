package io.tether.keeper.internal;

/**
 * Why a connection failed its probe: what happened, typed, and the words for people.
 */
record ProbeFailure(Kind kind, String reason) {
    /**
     * What went wrong. A peer that does not answer, or answers wrongly, means the service is down even though
     * TCP still accepts; a peer that closed or reset the connection may simply have dropped an idle one,
     * which a reconnect settles.
     */
    enum Kind {
        /** The peer closed the connection (end of stream). */
        CLOSED(false),
        /** A socket error such as a reset or a broken pipe. */
        IO_ERROR(false),
        /** No answer within the probe timeout. */
        TIMEOUT(true),
        /** An answer, but not the expected one. */
        BAD_REPLY(true),
        /** Bytes arrived on an idle connection, so its protocol is out of step. */
        UNEXPECTED_BYTES(true),
        /** TLS failed: the server sent a TLS alert (one refusing this client's certificate, say) or bytes that are not TLS. */
        TLS(true);

        private final boolean serviceDown;

        Kind(boolean serviceDown) {
            this.serviceDown = serviceDown;
        }

        /** Whether this failure alone shows the service is not answering, whatever other connections do. */
        boolean serviceDown() {
            return serviceDown;
        }
    }

    ProbeFailure {
        java.util.Objects.requireNonNull(kind, "kind");
        java.util.Objects.requireNonNull(reason, "reason");
    }

    boolean serviceDown() {
        return kind.serviceDown();
    }
}
