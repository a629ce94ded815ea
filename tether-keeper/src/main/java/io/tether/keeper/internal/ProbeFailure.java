package io.tether.keeper.internal;

/**
 * Why a connection failed its probe. An unresponsive peer (no answer in time, a wrong answer) means the
 * service is down even though TCP still accepts; a peer that closed the connection may simply have dropped
 * an idle one, which a reconnect settles.
 */
record ProbeFailure(String reason, boolean unresponsive) {
    static ProbeFailure closed(String reason) {
        return new ProbeFailure(reason, false);
    }

    static ProbeFailure unresponsive(String reason) {
        return new ProbeFailure(reason, true);
    }
}
