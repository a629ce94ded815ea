package io.tether.keeper.internal;

import io.tether.keeper.EndpointCounters;
import io.tether.keeper.ProbeFailureKind;
import java.time.Duration;
import java.util.EnumMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one endpoint counts for its operators. A borrow that finds a connection free costs one {@link LongAdder}
 * increment here, which takes no lock and, once threads contend, gives each its own cell; everything else is
 * counted where the keeper waits, opens, closes or probes anyway.
 */
final class Counters {
    private static final ProbeFailureKind[] KINDS = ProbeFailureKind.values();

    private final LongAdder borrows = new LongAdder();
    private final LongAdder waitedNanos = new LongAdder();
    private final AtomicLong longestWaitNanos = new AtomicLong();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder leaks = new LongAdder();
    private final AtomicLongArray probeFailures = new AtomicLongArray(KINDS.length);
    private final LongAdder opened = new LongAdder();
    private final LongAdder retired = new LongAdder();
    private final LongAdder wentUp = new LongAdder();
    private final LongAdder wentDown = new LongAdder();

    /** A lease was handed out without waiting. */
    void lent() {
        borrows.increment();
    }

    /** A lease was handed out after its borrower was blocked for {@code nanos}. */
    void lentAfter(long nanos) {
        borrows.increment();
        waitedNanos.add(nanos);
        longestWaitNanos.accumulateAndGet(nanos, Math::max);
    }

    void timedOut() {
        timeouts.increment();
    }

    void leaked() {
        leaks.increment();
    }

    /** Counts a probe's failure, if it failed, and returns what it was given. */
    ProbeFailure probed(ProbeFailure failure) {
        if (failure != null) {
            probeFailures.incrementAndGet(failure.kind().ordinal());
        }
        return failure;
    }

    void opened() {
        opened.increment();
    }

    void retired() {
        retired.increment();
    }

    void wentUp() {
        wentUp.increment();
    }

    void wentDown() {
        wentDown.increment();
    }

    EndpointCounters snapshot() {
        EnumMap<ProbeFailureKind, Long> failures = new EnumMap<>(ProbeFailureKind.class);
        for (ProbeFailureKind kind : KINDS) {
            failures.put(kind, probeFailures.get(kind.ordinal()));
        }
        return new EndpointCounters(borrows.sum(), Duration.ofNanos(waitedNanos.sum()),
                Duration.ofNanos(longestWaitNanos.get()), timeouts.sum(), leaks.sum(), failures, opened.sum(),
                retired.sum(), wentUp.sum(), wentDown.sum());
    }
}
