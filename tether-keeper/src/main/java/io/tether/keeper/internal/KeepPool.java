package io.tether.keeper.internal;

import io.tether.keeper.EndpointConfig;
import io.tether.keeper.EndpointMode;
import io.tether.keeper.EndpointState;
import io.tether.keeper.EndpointStatus;
import io.tether.keeper.EndpointUnavailableException;
import io.tether.keeper.KeeperClosedException;
import io.tether.keeper.Lease;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections of one keep endpoint.
 *
 * <p>Borrow and return take no lock: a borrower claims an IDLE connection with one compare-and-set,
 * trying first the one this thread returned last; returning is one volatile write. Only a borrower that
 * finds nothing idle waits, on this endpoint's own hand-off queue — no lock is shared across endpoints. A
 * returner that sees waiters keeps offering until one takes the connection (or none is left waiting), so a
 * wake-up is never lost between a waiter's last look and its wait.
 */
final class KeepPool implements Endpoint {
    private static final Logger log = LoggerFactory.getLogger(KeepPool.class);
    private static final Object CLOSED = new Object();

    private final EndpointConfig config;
    private final KeeperRuntime runtime;
    private final Health health;
    private final CopyOnWriteArrayList<PooledConnection> connections = new CopyOnWriteArrayList<>();
    private final SynchronousQueue<Object> handoff = new SynchronousQueue<>();
    private final AtomicInteger waiters = new AtomicInteger();
    private final ThreadLocal<PooledConnection> lastReturned = new ThreadLocal<>();
    private final AtomicBoolean refilling = new AtomicBoolean();
    private final long validateAfterIdleNanos;
    private volatile long lastProbeRttNanos = -1;
    private volatile boolean closed;
    private int attempt; // touched only by the single refill in flight
    private ScheduledFuture<?> checks;

    KeepPool(EndpointConfig config, KeeperRuntime runtime) {
        this.config = config;
        this.runtime = runtime;
        this.health = new Health(config.name(), runtime);
        this.validateAfterIdleNanos = config.validateAfterIdle().toNanos();
    }

    @Override
    public EndpointConfig config() {
        return config;
    }

    @Override
    public void start() {
        refilling.set(true);
        refill(); // the first attempt runs on the caller, so a reachable endpoint is UP when load returns
        long interval = config.checkInterval().toNanos();
        checks = runtime.timer.scheduleWithFixedDelay(this::checkIdle, interval, interval, TimeUnit.NANOSECONDS);
    }

    @Override
    public Lease borrow(Duration timeout) throws IOException {
        long deadline = 0; // worked out only if this borrow has to wait: the fast path reads the clock once
        for (;;) {
            if (closed) {
                throw new KeeperClosedException("keeper closed; cannot borrow " + config.name());
            }
            PooledConnection c = claimIdle();
            if (c == null) {
                if (deadline == 0) {
                    deadline = System.nanoTime() + timeout.toNanos();
                }
                c = awaitIdle(deadline);
                if (c == null) {
                    throw unavailable(timeout);
                }
            }
            long now = System.nanoTime();
            if (c.isExpired(now)) {
                retire(c, "max lifetime reached", false);
                continue;
            }
            if (validateAfterIdleNanos > 0 && now - c.lastCheckedNanos > validateAfterIdleNanos) {
                String why = validate(c);
                if (why != null) {
                    retire(c, why, true);
                    continue;
                }
            }
            LeaseImpl lease = new LeaseImpl(config.name(), c, this::leaseEnded);
            if (!config.leakThreshold().isZero()) {
                lease.leakWatch = runtime.watchForLeak(lease, config.leakThreshold());
            }
            return lease;
        }
    }

    private PooledConnection claimIdle() {
        PooledConnection hint = lastReturned.get();
        if (hint != null && hint.claim(PooledConnection.IDLE, PooledConnection.BORROWED)) {
            return hint;
        }
        for (PooledConnection c : connections) {
            if (c.claim(PooledConnection.IDLE, PooledConnection.BORROWED)) {
                return c;
            }
        }
        return null;
    }

    private PooledConnection awaitIdle(long deadline) throws IOException {
        waiters.incrementAndGet();
        try {
            for (;;) {
                PooledConnection c = claimIdle(); // a last look now that returners can see us waiting
                if (c != null) {
                    return c;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                Object offered = handoff.poll(left, TimeUnit.NANOSECONDS);
                if (offered == CLOSED || closed) {
                    throw new KeeperClosedException("keeper closed while waiting to borrow " + config.name());
                }
                if (offered instanceof PooledConnection pc && pc.claim(PooledConnection.IDLE, PooledConnection.BORROWED)) {
                    return pc;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to borrow " + config.name());
        } finally {
            waiters.decrementAndGet();
        }
    }

    private EndpointUnavailableException unavailable(Duration waited) {
        if (health.state() == EndpointState.DOWN || connections.isEmpty()) {
            return new EndpointUnavailableException(config.name(), config.name() + " (" + config.host() + ":"
                    + config.port() + ") is DOWN; waited " + waited.toMillis() + " ms; " + health.explain());
        }
        return new EndpointUnavailableException(config.name(), config.name() + ": no connection free within "
                + waited.toMillis() + " ms (" + connections.size() + " open, all borrowed or being checked)");
    }

    /** A connection idle past the threshold gets the cheap check (nothing sent) before it is lent. */
    private String validate(PooledConnection c) {
        try {
            String why = Connections.peek(c);
            c.lastCheckedNanos = System.nanoTime();
            return why;
        } catch (IOException e) {
            return "check before lending failed: " + e.getMessage();
        }
    }

    private void leaseEnded(LeaseImpl lease, boolean broken, String why) {
        PooledConnection c = lease.connection;
        if (closed) {
            retire(c, "keeper closed", false);
        } else if (broken) {
            retire(c, "borrower found it broken (" + why + ")", true);
        } else if (c.isExpired(System.nanoTime())) {
            retire(c, "max lifetime reached", false);
        } else {
            lastReturned.set(c);
            c.release();
            offerToWaiter(c);
        }
    }

    private void offerToWaiter(PooledConnection c) {
        for (int i = 0; waiters.get() > 0; i++) {
            if (c.state() != PooledConnection.IDLE || handoff.offer(c)) {
                return;
            }
            if ((i & 0xff) == 0xff) {
                LockSupport.parkNanos(10_000);
            } else {
                Thread.yield();
            }
        }
    }

    /** Every check interval: probe each idle connection (never a borrowed one) on an I/O thread. */
    private void checkIdle() {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        for (PooledConnection c : connections) {
            if (!c.claim(PooledConnection.IDLE, PooledConnection.PROBING)) {
                continue;
            }
            if (c.isExpired(now)) {
                retire(c, "max lifetime reached", false);
                continue;
            }
            runtime.io.execute(() -> probe(c));
        }
        if (connections.size() < config.poolSize()) {
            refillSoon();
        }
    }

    private void probe(PooledConnection c) {
        long started = System.nanoTime();
        ProbeFailure failure = Connections.probe(c, config);
        if (failure == null) {
            lastProbeRttNanos = System.nanoTime() - started;
            c.release();
            offerToWaiter(c);
            return;
        }
        retire(c, failure.reason(), true);
        if (failure.unresponsive() && connections.isEmpty()) {
            // TCP may still accept, but the service does not answer: that is down, now.
            health.down(failure.reason());
        }
    }

    private void retire(PooledConnection c, String why, boolean failure) {
        if (!c.retire()) {
            return;
        }
        connections.remove(c);
        if (failure) {
            health.failed(why);
        }
        log.info("{}: retired a connection to {}: {}", config.name(), c.remote, why);
        if (!closed) {
            refillSoon();
        }
    }

    private void refillSoon() {
        if (!closed && refilling.compareAndSet(false, true)) {
            try {
                runtime.io.execute(this::refill);
            } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                refilling.set(false);
            }
        }
    }

    /** Opens connections until the pool is full; on failure marks DOWN (if none is left) and backs off. */
    private void refill() {
        try {
            while (!closed && connections.size() < config.poolSize()) {
                PooledConnection c;
                try {
                    c = Connections.open(config);
                } catch (IOException | RuntimeException e) {
                    backOff(describe(e));
                    return;
                }
                // A service that accepts TCP but does not answer is not up: verify before lending.
                long probeStarted = System.nanoTime();
                ProbeFailure unverified = Connections.probe(c, config);
                if (unverified != null) {
                    c.retire();
                    backOff("new connection failed its probe: " + unverified.reason());
                    return;
                }
                c.lastCheckedNanos = System.nanoTime();
                lastProbeRttNanos = c.lastCheckedNanos - probeStarted;
                attempt = 0;
                health.retryAt(0);
                if (closed) {
                    c.retire();
                    return;
                }
                connections.add(c);
                health.up("connected to " + config.host() + ":" + config.port());
                offerToWaiter(c);
            }
        } finally {
            refilling.set(false);
        }
        if (!closed && connections.size() < config.poolSize()) {
            refillSoon(); // a connection was retired while this refill was finishing
        }
    }

    private void backOff(String why) {
        health.failed(why);
        if (connections.isEmpty()) {
            health.down(why);
        }
        Duration delay = config.reconnect().delay(attempt++, ThreadLocalRandom.current());
        health.retryAt(System.currentTimeMillis() + delay.toMillis());
        log.debug("{}: {}; retrying in {} ms", config.name(), why, delay.toMillis());
        try {
            runtime.timer.schedule(this::refillSoon, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            // the keeper is closing
        }
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        if (e instanceof java.net.UnknownHostException) {
            return "unknown host: " + message; // the JDK's message is the host name, and the resolver's reason if it gave one
        }
        if (e instanceof java.net.ConnectException || e instanceof java.net.SocketTimeoutException) {
            return message != null ? message.toLowerCase(java.util.Locale.ROOT) : e.getClass().getSimpleName();
        }
        return e.getClass().getSimpleName() + (message != null ? ": " + message : "");
    }

    @Override
    public EndpointStatus status() {
        int idle = 0;
        int borrowed = 0;
        for (PooledConnection c : connections) {
            int state = c.state();
            if (state == PooledConnection.BORROWED) {
                borrowed++;
            } else if (state != PooledConnection.RETIRED) {
                idle++;
            }
        }
        long rtt = lastProbeRttNanos;
        return new EndpointStatus(config.name(), config.host() + ":" + config.port(), EndpointMode.KEEP,
                health.state(), idle, borrowed, config.poolSize(), rtt < 0 ? null : Duration.ofNanos(rtt),
                health.failures(), health.lastFailure(), health.nextRetry());
    }

    @Override
    public void close() {
        closed = true;
        if (checks != null) {
            checks.cancel(false);
        }
        for (PooledConnection c : connections) {
            c.retire();
        }
        connections.clear();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (waiters.get() > 0 && System.nanoTime() < deadline) {
            try {
                handoff.offer(CLOSED, 1, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
