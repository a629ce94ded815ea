package io.tether.keeper.internal;

import io.tether.keeper.EndpointConfig;
import io.tether.keeper.EndpointMode;
import io.tether.keeper.EndpointStatus;
import io.tether.keeper.KeeperClosedException;
import io.tether.keeper.KeeperConfig;
import io.tether.keeper.KeeperListener;
import io.tether.keeper.Lease;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** All endpoints of one keeper and the threads that serve them. */
public final class Endpoints {
    private final Map<String, Endpoint> byName = new LinkedHashMap<>();
    private final KeeperRuntime runtime;
    private volatile boolean closed;

    public Endpoints(KeeperConfig config, List<KeeperListener> listeners) {
        this.runtime = new KeeperRuntime(listeners);
        try {
            for (EndpointConfig endpoint : config.endpoints().values()) {
                byName.put(endpoint.name(), endpoint.mode() == EndpointMode.KEEP
                        ? new KeepPool(endpoint, runtime) : new ShortEndpoint(endpoint, runtime));
            }
        } catch (RuntimeException e) { // a TLS file that has become unusable since the configuration was built
            runtime.close();
            throw e;
        }
    }

    /** Opens every keep endpoint, in parallel, and returns when each has connected or failed once. */
    public void start() {
        List<Future<?>> started = new ArrayList<>();
        for (Endpoint endpoint : byName.values()) {
            started.add(runtime.io.submit(endpoint::start));
        }
        for (Future<?> f : started) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException e) {
                throw new IllegalStateException("could not start an endpoint", e.getCause());
            }
        }
    }

    public Lease borrow(String name, Duration timeout) throws IOException {
        if (closed) {
            throw new KeeperClosedException("keeper closed; cannot borrow " + name);
        }
        return endpoint(name).borrow(timeout);
    }

    /** Borrows with the endpoint's own borrow timeout. */
    public Lease borrow(String name) throws IOException {
        if (closed) {
            throw new KeeperClosedException("keeper closed; cannot borrow " + name);
        }
        Endpoint endpoint = endpoint(name);
        return endpoint.borrow(endpoint.config().borrowTimeout());
    }

    public EndpointStatus status(String name) {
        return endpoint(name).status();
    }

    public List<EndpointStatus> status() {
        List<EndpointStatus> all = new ArrayList<>();
        for (Endpoint endpoint : byName.values()) {
            all.add(endpoint.status());
        }
        return all;
    }

    private Endpoint endpoint(String name) {
        Endpoint endpoint = byName.get(name);
        if (endpoint == null) {
            throw new IllegalArgumentException("no endpoint named '" + name + "' (configured: "
                    + String.join(", ", byName.keySet()) + ")");
        }
        return endpoint;
    }

    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Endpoint endpoint : byName.values()) {
            endpoint.close();
        }
        runtime.close();
    }
}
