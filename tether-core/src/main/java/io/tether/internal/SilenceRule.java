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
}
