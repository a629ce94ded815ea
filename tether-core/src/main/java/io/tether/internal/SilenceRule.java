package io.tether.internal;

/** Decides how much silence proves a peer dead. Called on the connection's event loop only. */
public interface SilenceRule {
    /** No verdict at all: the rule of a connection that is not armed yet. */
    SilenceRule NEVER = fixed(Long.MAX_VALUE);

    /** Inbound bytes arrived at {@code nanos} ({@link System#nanoTime()}). */
    void arrived(long nanos);

    /** How long, counted from the last arrival, the peer may now stay silent. */
    long allowedSilenceNanos();

    /** For the verdict's detail, e.g. "timeout 6000 ms". */
    String explain();

    /** The classic rule: one fixed timeout. */
    static SilenceRule fixed(long timeoutNanos) {
        return new SilenceRule() {
            @Override
            public void arrived(long nanos) {
            }

            @Override
            public long allowedSilenceNanos() {
                return timeoutNanos;
            }

            @Override
            public String explain() {
                return "timeout " + timeoutNanos / 1_000_000 + " ms";
            }
        };
    }

    /**
     * A deadline {@code timeoutNanos} after {@code startNanos} that no traffic moves: for a handshake, which
     * must be complete by then however many bytes trickle in (a byte every few seconds must not hold a
     * connection open for ever). {@code startNanos} is also the last arrival known when it is armed.
     */
    static SilenceRule deadline(long startNanos, long timeoutNanos) {
        return new SilenceRule() {
            private long lastArrival = startNanos;

            @Override
            public void arrived(long nanos) {
                lastArrival = nanos;
            }

            @Override
            public long allowedSilenceNanos() {
                return startNanos + timeoutNanos - lastArrival; // silence counts from the last arrival
            }

            @Override
            public String explain() {
                return "deadline " + timeoutNanos / 1_000_000 + " ms";
            }
        };
    }
}
