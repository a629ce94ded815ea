package io.tether.keeper.internal;

import io.netty.handler.ssl.SslContext;
import io.tether.keeper.EndpointConfig;
import io.tether.keeper.EndpointMode;
import io.tether.keeper.EndpointStatus;
import io.tether.keeper.EndpointUnavailableException;
import io.tether.keeper.KeeperClosedException;
import io.tether.keeper.Lease;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A short endpoint: every borrow opens a fresh connection, and closing the lease really closes it. */
final class ShortEndpoint implements Endpoint {
    private final EndpointConfig config;
    private final SslContext tls;
    private final KeeperRuntime runtime;
    private final Counters counters = new Counters();
    private final Health health;
    private final Set<PooledConnection> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    ShortEndpoint(EndpointConfig config, KeeperRuntime runtime) {
        this.config = config;
        this.tls = Connections.tlsContext(config);
        this.runtime = runtime;
        this.health = new Health(config.name(), runtime, counters);
    }

    @Override
    public EndpointConfig config() {
        return config;
    }

    @Override
    public void start() {
        // Nothing is held open, so nothing proves the endpoint reachable; but a host name that does not
        // resolve proves every borrow would fail, so it starts DOWN. After that it follows each borrow's outcome.
        String unresolved = Connections.lookUp(config, runtime.io);
        if (unresolved == null) {
            health.assume(io.tether.keeper.EndpointState.UP);
        } else {
            health.failed(unresolved);
            health.down(unresolved);
        }
    }

    @Override
    public Lease borrow(Duration timeout) throws IOException {
        if (closed) {
            throw new KeeperClosedException("keeper closed; cannot borrow " + config.name());
        }
        long started = System.nanoTime();
        PooledConnection c;
        try {
            c = Connections.open(config, tls);
        } catch (IOException | RuntimeException e) {
            String why = Connections.describe(e);
            health.failed(why);
            health.down(why);
            throw new EndpointUnavailableException(config.name(), config.name() + " (" + config.host() + ":"
                    + config.port() + ", short) cannot connect: " + why);
        }
        counters.opened();
        health.up("connected to " + config.host() + ":" + config.port());
        open.add(c);
        if (closed) {
            retire(c);
            throw new KeeperClosedException("keeper closed; cannot borrow " + config.name());
        }
        LeaseImpl lease = new LeaseImpl(config.name(), c, (l, broken, why) -> retire(l.connection));
        if (!config.leakThreshold().isZero()) {
            lease.leakWatch = runtime.watchForLeak(lease, config.leakThreshold(), counters);
        }
        counters.lentAfter(System.nanoTime() - started); // a short endpoint's borrower waits for its connect
        return lease;
    }

    @Override
    public EndpointStatus status() {
        return new EndpointStatus(config.name(), config.host() + ":" + config.port(), EndpointMode.SHORT,
                health.state(), 0, open.size(), 0, null, health.failures(), health.lastFailure(), null,
                counters.snapshot());
    }

    @Override
    public void close() {
        closed = true;
        for (PooledConnection c : open) {
            retire(c);
        }
    }

    /** Closes a connection; the one that takes it out of the open set counts it, so each is counted once. */
    private void retire(PooledConnection c) {
        if (open.remove(c)) {
            counters.retired();
        }
        c.close();
    }
}
