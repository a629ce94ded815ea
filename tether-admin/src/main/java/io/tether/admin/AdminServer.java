package io.tether.admin;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tether.admin.internal.AdminRuntime;
import io.tether.admin.internal.ServerMeters;
import io.tether.keeper.Keeper;
import io.tether.server.TetherServer;
import io.tether.server.internal.Exposure;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The admin port of one Tether server: Prometheus metrics, health for an orchestrator, the sessions API (list,
 * look up, kick), a Server-Sent Events stream of presence, and the live dashboard. It listens on loopback
 * unless told otherwise, and beyond loopback only with a bearer token. docs/ADMIN.md.
 */
public final class AdminServer implements AutoCloseable {
    private final AdminRuntime runtime;

    private AdminServer(AdminRuntime runtime) {
        this.runtime = runtime;
    }

    public static Builder builder(TetherServer server, PresenceFeed feed) {
        return new Builder(server, feed);
    }

    public AdminServer start() throws IOException {
        runtime.start();
        return this;
    }

    public InetSocketAddress address() {
        return runtime.address();
    }

    /** The registry behind {@code /metrics}, for an application's own meters. */
    public PrometheusMeterRegistry registry() {
        return runtime.registry();
    }

    @Override
    public void close() {
        runtime.close();
    }

    public static final class Builder {
        private final TetherServer server;
        private final PresenceFeed feed;
        private String host = "127.0.0.1";
        private int port = 0;
        private byte[] token;
        private PrometheusMeterRegistry registry;
        private Keeper keeper;

        private Builder(TetherServer server, PresenceFeed feed) {
            this.server = Objects.requireNonNull(server, "server");
            this.feed = Objects.requireNonNull(feed, "feed");
        }

        /** The address to listen on; default 127.0.0.1. Beyond loopback a {@link #bearerToken} is required. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("admin port must be within 0..65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** Every request must then carry {@code Authorization: Bearer <token>}. At least 16 bytes. */
        public Builder bearerToken(byte[] token) {
            if (token.length < 16) {
                throw new IllegalArgumentException("an admin token needs at least 16 bytes, got " + token.length);
            }
            this.token = token.clone();
            return this;
        }

        /** Publishes into this registry instead of a new one (add the application's own meters to it). */
        public Builder registry(PrometheusMeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** A keeper in the same process: {@code GET /keeper} shows its endpoints, and {@link KeeperMeters} are bound. */
        public Builder keeper(Keeper keeper) {
            this.keeper = Objects.requireNonNull(keeper, "keeper");
            return this;
        }

        public AdminServer build() {
            if (token == null && !Exposure.loopback(host)) {
                throw new IllegalStateException("the admin port on " + host + " would be beyond loopback without a"
                        + " token: give it one (--admin-token-file) or listen on 127.0.0.1");
            }
            PrometheusMeterRegistry meters = registry != null ? registry : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            ServerMeters.bind(server, feed, meters);
            if (keeper != null) {
                KeeperMeters.bind(keeper, meters);
            }
            return new AdminServer(new AdminRuntime(server, feed, meters, host, port, token, keeper));
        }
    }
}
