package io.tether.keeper.internal;

import io.netty.handler.ssl.SslContext;
import io.tether.keeper.EndpointConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What keeps a keep endpoint's bag full of working connections: opening them up to the pool size (and backing
 * off when that fails), probing idle ones in the background, and retiring broken or expired ones.
 *
 * <p>At most one refill runs at a time. Probes run on I/O threads, never on the timer, and only on a
 * connection reserved in the bag, so never on a borrowed one. The bag being closed stops everything here.
 */
final class KeepLifecycle {
    private static final Logger log = LoggerFactory.getLogger(KeepLifecycle.class);

    private final EndpointConfig config;
    private final SslContext tls;
    private final KeeperRuntime runtime;
    private final ConnectionBag<PooledConnection> bag;
    private final Health health;
    private final Counters counters;
    private final AtomicBoolean refilling = new AtomicBoolean();
    private volatile long lastProbeRttNanos = -1;
    private int attempt; // touched only by the single refill in flight
    private ScheduledFuture<?> checks;

    KeepLifecycle(EndpointConfig config, KeeperRuntime runtime, ConnectionBag<PooledConnection> bag, Health health,
                  Counters counters) {
        this.config = config;
        this.tls = Connections.tlsContext(config);
        this.runtime = runtime;
        this.bag = bag;
        this.health = health;
        this.counters = counters;
    }

    /** Fills the bag once on the caller's thread, so a reachable endpoint is UP on return, then checks on a timer. */
    void start() {
        refilling.set(true);
        refill();
        long interval = config.checkInterval().toNanos();
        checks = runtime.timer.scheduleWithFixedDelay(this::checkIdle, interval, interval, TimeUnit.NANOSECONDS);
    }

    void stop() {
        if (checks != null) {
            checks.cancel(false);
        }
    }

    /** The round trip of the last successful probe, or null before the first. */
    Duration lastProbeRtt() {
        long rtt = lastProbeRttNanos;
        return rtt < 0 ? null : Duration.ofNanos(rtt);
    }

    /**
     * Takes a connection out of the bag for good, whoever holds it, and closes it; a failure counts against the
     * endpoint's health. A connection already retired is left alone, so each is retired (and counted) once.
     */
    void retire(PooledConnection c, String why, boolean failure) {
        if (!bag.remove(c)) {
            return;
        }
        discard(c);
        if (failure) {
            health.failed(why);
        }
        log.info("{}: retired a connection to {}: {}", config.name(), c.remote, why);
        refillSoon();
    }

    /** Closes a connection that is in no bag (any more) and counts it retired. */
    void discard(PooledConnection c) {
        c.close();
        counters.retired();
    }

    /** Every check interval: probe each idle connection (never a borrowed one) on an I/O thread. */
    private void checkIdle() {
        if (bag.isClosed()) {
            return;
        }
        long now = System.nanoTime();
        for (PooledConnection c : bag.items()) {
            if (!bag.reserve(c)) {
                continue;
            }
            if (c.isExpired(now)) {
                retire(c, "max lifetime reached", false);
                continue;
            }
            runtime.io.execute(() -> probe(c));
        }
        if (bag.size() < config.poolSize()) {
            refillSoon();
        }
    }

    private void probe(PooledConnection c) {
        long started = System.nanoTime();
        ProbeFailure failure = counters.probed(Connections.probe(c, config));
        if (failure == null) {
            c.lastCheckedNanos = System.nanoTime();
            lastProbeRttNanos = c.lastCheckedNanos - started;
            bag.unreserve(c);
            return;
        }
        retire(c, failure.reason(), true);
        if (failure.serviceDown() && bag.isEmpty()) {
            // TCP may still accept, but the service does not answer: that is down, now.
            health.down(failure.reason());
        }
    }

    private void refillSoon() {
        if (!bag.isClosed() && refilling.compareAndSet(false, true)) {
            try {
                runtime.io.execute(this::refill);
            } catch (RejectedExecutionException shuttingDown) {
                refilling.set(false);
            }
        }
    }

    /** Opens connections until the pool is full; on failure marks DOWN (if none is left) and backs off. */
    private void refill() {
        try {
            while (!bag.isClosed() && bag.size() < config.poolSize()) {
                PooledConnection c;
                try {
                    c = Connections.open(config, tls);
                } catch (IOException | RuntimeException e) {
                    backOff(Connections.describe(e));
                    return;
                }
                counters.opened();
                // A service that accepts TCP but does not answer is not up: verify before lending.
                long probeStarted = System.nanoTime();
                ProbeFailure unverified = counters.probed(Connections.probe(c, config));
                if (unverified != null) {
                    discard(c);
                    backOff("new connection failed its probe: " + unverified.reason());
                    return;
                }
                c.lastCheckedNanos = System.nanoTime();
                lastProbeRttNanos = c.lastCheckedNanos - probeStarted;
                attempt = 0;
                health.retryAt(0);
                if (bag.isClosed()) {
                    discard(c);
                    return;
                }
                // UP before the connection is in the bag: a waiter it is handed to already finds the endpoint UP.
                health.up("connected to " + config.host() + ":" + config.port());
                if (!bag.add(c)) { // closed meanwhile
                    discard(c);
                    return;
                }
            }
        } finally {
            refilling.set(false);
        }
        if (bag.size() < config.poolSize()) {
            refillSoon(); // a connection was retired while this refill was finishing
        }
    }

    private void backOff(String why) {
        health.failed(why);
        if (bag.isEmpty()) {
            health.down(why);
        }
        Duration delay = config.reconnect().delay(attempt++, ThreadLocalRandom.current());
        health.retryAt(System.currentTimeMillis() + delay.toMillis());
        log.debug("{}: {}; retrying in {} ms", config.name(), why, delay.toMillis());
        try {
            runtime.timer.schedule(this::refillSoon, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            // the keeper is closing
        }
    }
}
