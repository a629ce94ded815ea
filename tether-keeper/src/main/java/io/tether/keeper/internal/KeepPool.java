package io.tether.keeper.internal;

import io.tether.keeper.EndpointConfig;
import io.tether.keeper.EndpointMode;
import io.tether.keeper.EndpointState;
import io.tether.keeper.EndpointStatus;
import io.tether.keeper.EndpointUnavailableException;
import io.tether.keeper.KeeperClosedException;
import io.tether.keeper.Lease;
import io.tether.keeper.ProbeSpec;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A keep endpoint: leases over the connections in its {@link ConnectionBag}, which its {@link KeepLifecycle}
 * keeps full and healthy. Borrowing takes no lock (see the bag); a connection idle past the validation
 * threshold gets the cheap check before it is lent, and one past its lifetime is retired instead.
 */
final class KeepPool implements Endpoint {
    /** How long close() keeps waking borrowers still waiting; each wakes at the first offer. */
    private static final long WAKE_WAITERS_MILLIS = 1000;

    private final EndpointConfig config;
    private final KeeperRuntime runtime;
    private final Health health;
    private final Counters counters = new Counters();
    private final ConnectionBag<PooledConnection> bag = new ConnectionBag<>();
    private final KeepLifecycle lifecycle;
    private final long validateAfterIdleNanos;

    KeepPool(EndpointConfig config, KeeperRuntime runtime) {
        this.config = config;
        this.runtime = runtime;
        this.health = new Health(config.name(), runtime, counters);
        this.lifecycle = new KeepLifecycle(config, runtime, bag, health, counters);
        this.validateAfterIdleNanos = config.validateAfterIdle().toNanos();
    }

    @Override
    public EndpointConfig config() {
        return config;
    }

    @Override
    public void start() {
        lifecycle.start();
    }

    @Override
    public Lease borrow(Duration timeout) throws IOException {
        // Both worked out only if this borrow has to wait: the fast path reads the clock once.
        boolean waited = false;
        long waitingSince = 0;
        for (;;) {
            if (bag.isClosed()) {
                throw new KeeperClosedException("keeper closed; cannot borrow " + config.name());
            }
            PooledConnection c = bag.tryBorrow();
            if (c == null) {
                if (!waited) {
                    waited = true;
                    waitingSince = System.nanoTime();
                }
                c = await(waitingSince + timeout.toNanos());
                if (c == null) {
                    counters.timedOut();
                    throw unavailable(timeout);
                }
            }
            long now = System.nanoTime();
            if (c.isExpired(now)) {
                lifecycle.retire(c, "max lifetime reached", false);
                continue;
            }
            if (validateAfterIdleNanos > 0 && now - c.lastCheckedNanos > validateAfterIdleNanos) {
                // The cheap check, whatever the endpoint's probe: it sends nothing, so it cannot upset the protocol.
                ProbeFailure failure = counters.probed(Connections.probe(c, ProbeSpec.PEEK, config.probeTimeout()));
                if (failure != null) {
                    lifecycle.retire(c, "checked before lending: " + failure.reason(), true);
                    continue;
                }
                c.lastCheckedNanos = System.nanoTime();
            }
            LeaseImpl lease = new LeaseImpl(config.name(), c, this::leaseEnded);
            if (!config.leakThreshold().isZero()) {
                lease.leakWatch = runtime.watchForLeak(lease, config.leakThreshold(), counters);
            }
            if (waited) {
                counters.lentAfter(now - waitingSince); // blocked until the bag gave it a connection
            } else {
                counters.lent();
            }
            return lease;
        }
    }

    private PooledConnection await(long deadline) throws IOException {
        PooledConnection c;
        try {
            c = bag.borrow(deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to borrow " + config.name());
        }
        if (c == null && bag.isClosed()) {
            throw new KeeperClosedException("keeper closed while waiting to borrow " + config.name());
        }
        return c;
    }

    private EndpointUnavailableException unavailable(Duration waited) {
        if (health.state() == EndpointState.DOWN || bag.isEmpty()) {
            return new EndpointUnavailableException(config.name(), config.name() + " (" + config.host() + ":"
                    + config.port() + ") is DOWN; waited " + waited.toMillis() + " ms; " + health.explain());
        }
        return new EndpointUnavailableException(config.name(), config.name() + ": no connection free within "
                + waited.toMillis() + " ms (" + bag.size() + " open, all borrowed or being checked)");
    }

    private void leaseEnded(LeaseImpl lease, boolean broken, String why) {
        PooledConnection c = lease.connection;
        if (bag.isClosed()) {
            lifecycle.retire(c, "keeper closed", false);
        } else if (broken) {
            lifecycle.retire(c, "borrower found it broken (" + why + ")", true);
        } else if (c.isExpired(System.nanoTime())) {
            lifecycle.retire(c, "max lifetime reached", false);
        } else {
            c.lastCheckedNanos = System.nanoTime();
            bag.requite(c);
        }
    }

    @Override
    public EndpointStatus status() {
        int idle = 0;
        int borrowed = 0;
        for (PooledConnection c : bag.items()) {
            int state = c.state();
            if (state == ConnectionBag.BORROWED) {
                borrowed++;
            } else if (state != ConnectionBag.REMOVED) {
                idle++; // idle or reserved for a probe
            }
        }
        return new EndpointStatus(config.name(), config.host() + ":" + config.port(), EndpointMode.KEEP,
                health.state(), idle, borrowed, config.poolSize(), lifecycle.lastProbeRtt(),
                health.failures(), health.lastFailure(), health.nextRetry(), counters.snapshot());
    }

    /** Closes every connection, lent ones included, and fails the borrowers still waiting. */
    @Override
    public void close() {
        lifecycle.stop();
        for (PooledConnection c : bag.close(WAKE_WAITERS_MILLIS, TimeUnit.MILLISECONDS)) {
            lifecycle.discard(c);
        }
    }
}
