package io.tether.keeper;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * What one endpoint has counted since the keeper started, for metrics: every figure only grows. Each is read
 * on its own, so two figures of one snapshot may be a borrow apart.
 *
 * @param borrows           leases handed out
 * @param borrowWait        how long borrowers were blocked in all, until their lease was handed out: a borrow that
 *                          finds a connection free adds nothing; on a short endpoint, each borrow adds its connect
 * @param longestBorrowWait the longest one borrower was blocked before getting its lease
 * @param borrowTimeouts    borrows of a keep endpoint that gave up: no connection came free, or the endpoint did not
 *                          heal, within the borrow timeout
 * @param leaks             leases still held past the endpoint's leak threshold (each also logged, with the stack of
 *                          its borrower); a lease returned later still counts
 * @param probeFailures     probes that found a connection unfit, by kind, every kind present: checks of idle
 *                          connections, of new ones before their first lending, and of long-idle ones before lending
 * @param opened            connections opened (past TLS and the Tether handshake, where there are any)
 * @param retired           connections closed: broken, expired, failed a probe, returned to a short endpoint, or
 *                          closed with the keeper; {@code opened - retired} are open now
 * @param wentUp            UP events
 * @param wentDown          DOWN events
 */
public record EndpointCounters(long borrows, Duration borrowWait, Duration longestBorrowWait, long borrowTimeouts,
                               long leaks, Map<ProbeFailureKind, Long> probeFailures, long opened, long retired,
                               long wentUp, long wentDown) {
    public EndpointCounters {
        EnumMap<ProbeFailureKind, Long> byKind = new EnumMap<>(ProbeFailureKind.class);
        for (ProbeFailureKind kind : ProbeFailureKind.values()) {
            byKind.put(kind, probeFailures.getOrDefault(kind, 0L));
        }
        probeFailures = Collections.unmodifiableMap(byKind);
    }
}
