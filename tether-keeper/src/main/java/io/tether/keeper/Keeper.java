package io.tether.keeper;

import io.tether.keeper.internal.Endpoints;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Named connections to upstream TCP services. Keep endpoints are held open, probed while idle and healed
 * in the background; short endpoints open a fresh connection per use. Thread-safe.
 *
 * <pre>{@code
 * try (Keeper keeper = Keeper.load(Path.of("keeper.properties"), event -> log.info("{}", event));
 *      Lease bank = keeper.borrow("bank")) {
 *     bank.output().write(request);
 *     bank.input().read(reply);
 * } // the lease goes back to the pool; the keeper closes everything
 * }</pre>
 */
public final class Keeper implements AutoCloseable {
    private final Endpoints endpoints;

    private Keeper(KeeperConfig config, List<KeeperListener> listeners) {
        this.endpoints = new Endpoints(config, List.copyOf(listeners));
    }

    /**
     * Reads the configuration and opens the keep endpoints. An endpoint that cannot be reached does not
     * fail the load: it starts DOWN and heals in the background.
     *
     * @throws ConfigException if the file is wrong, naming the line and key
     */
    public static Keeper load(Path file, KeeperListener... listeners) throws IOException {
        return start(KeeperConfig.read(file), listeners);
    }

    /**
     * Opens the keep endpoints of {@code config}; like {@link #load}, an unreachable endpoint starts DOWN.
     *
     * @throws IllegalArgumentException if an endpoint's TLS files, usable when its configuration was built, no
     *                                  longer are (naming the endpoint and the file)
     */
    public static Keeper start(KeeperConfig config, KeeperListener... listeners) {
        Keeper keeper = new Keeper(config, List.of(listeners));
        keeper.endpoints.start();
        return keeper;
    }

    /** Borrows from the named endpoint, waiting at most its configured borrow timeout. */
    public Lease borrow(String name) throws IOException {
        return endpoints.borrow(name);
    }

    /**
     * Borrows from the named endpoint, waiting at most {@code timeout} for a free connection or for a DOWN
     * endpoint to heal.
     *
     * @throws EndpointUnavailableException naming the endpoint, its last failure and the next retry
     * @throws KeeperClosedException        if the keeper is or gets closed
     * @throws IllegalArgumentException     if no endpoint has that name
     */
    public Lease borrow(String name, Duration timeout) throws IOException {
        return endpoints.borrow(name, timeout);
    }

    public EndpointStatus status(String name) {
        return endpoints.status(name);
    }

    /** A snapshot of every endpoint, in configuration order. */
    public List<EndpointStatus> status() {
        return endpoints.status();
    }

    /** Closes every connection, borrowed ones included, and fails borrowers still waiting. */
    @Override
    public void close() {
        endpoints.close();
    }
}
