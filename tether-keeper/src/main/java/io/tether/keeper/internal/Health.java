package io.tether.keeper.internal;

import io.tether.keeper.EndpointEvent;
import io.tether.keeper.EndpointState;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An endpoint's state and failure record. Transitions are serialised per endpoint (never across
 * endpoints), and each real change produces exactly one UP or DOWN event.
 */
final class Health {
    private static final Logger log = LoggerFactory.getLogger(Health.class);

    private final String endpoint;
    private final KeeperRuntime runtime;
    private final Counters counters;
    private final AtomicLong failures = new AtomicLong();
    private volatile EndpointState state;
    private volatile String lastFailure;
    private volatile long nextRetryAtMillis;

    Health(String endpoint, KeeperRuntime runtime, Counters counters) {
        this.endpoint = endpoint;
        this.runtime = runtime;
        this.counters = counters;
    }

    synchronized void up(String cause) {
        if (state != EndpointState.UP) {
            state = EndpointState.UP;
            nextRetryAtMillis = 0;
            counters.wentUp();
            log.info("{} UP: {}", endpoint, cause);
            runtime.events.publish(new EndpointEvent(EndpointState.UP, endpoint, cause, System.currentTimeMillis()));
        }
    }

    synchronized void down(String cause) {
        if (state != EndpointState.DOWN) {
            state = EndpointState.DOWN;
            counters.wentDown();
            log.warn("{} DOWN: {}", endpoint, cause);
            runtime.events.publish(new EndpointEvent(EndpointState.DOWN, endpoint, cause, System.currentTimeMillis()));
        }
    }

    /** Sets the state without an event: for a short endpoint, which holds nothing, until a borrow says otherwise. */
    synchronized void assume(EndpointState initial) {
        if (state == null) {
            state = initial;
        }
    }

    void failed(String why) {
        failures.incrementAndGet();
        lastFailure = why;
    }

    void retryAt(long epochMillis) {
        nextRetryAtMillis = epochMillis;
    }

    EndpointState state() {
        EndpointState current = state;
        return current == null ? EndpointState.DOWN : current;
    }

    long failures() {
        return failures.get();
    }

    String lastFailure() {
        return lastFailure;
    }

    Instant nextRetry() {
        long at = nextRetryAtMillis;
        return at == 0 ? null : Instant.ofEpochMilli(at);
    }

    /** "last failure: …; next retry in 1.2 s" for exception messages. */
    String explain() {
        StringBuilder text = new StringBuilder();
        text.append("last failure: ").append(lastFailure != null ? lastFailure : "none");
        long at = nextRetryAtMillis;
        if (at != 0) {
            long in = Math.max(0, at - System.currentTimeMillis());
            text.append("; next retry in ").append(in).append(" ms (at ").append(Instant.ofEpochMilli(at)).append(')');
        }
        return text.toString();
    }
}
