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
     * A fixed moment, {@code deadlineNanos}, that no traffic moves: for a handshake, which must be complete by
     * then however many bytes trickle in (a byte every few seconds must not hold a connection open for ever),
     * and for the linger after a GOAWAY. {@code lastReadNanos} is the last arrival the liveness record knows
     * when the rule is armed, since silence is counted from it.
     */
    static SilenceRule until(long deadlineNanos, long lastReadNanos) {
        return new SilenceRule() {
            private long lastArrival = lastReadNanos;

            @Override
            public void arrived(long nanos) {
                lastArrival = nanos;
            }

            @Override
            public long allowedSilenceNanos() {
                return deadlineNanos - lastArrival; // silence counts from the last arrival
            }

            @Override
            public String explain() {
                return "a deadline that traffic does not move";
            }
        };
    }
}
