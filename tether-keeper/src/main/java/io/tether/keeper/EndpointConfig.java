package io.tether.keeper;

import io.tether.retry.ReconnectBackoff;
import io.tether.util.Durations;
import java.time.Duration;
import java.util.Objects;

/**
 * One named upstream endpoint. Immutable; build with {@link #builder(String, String, int)}. Durations of zero
 * switch a feature off where that makes sense (max lifetime, leak detection).
 */
public final class EndpointConfig {
    private final String name;
    private final String host;
    private final int port;
    private final EndpointMode mode;
    private final int poolSize;
    private final Duration connectTimeout;
    private final Duration checkInterval;
    private final ProbeSpec probe;
    private final Duration probeTimeout;
    private final Duration borrowTimeout;
    private final Duration validateAfterIdle;
    private final Duration maxLifetime;
    private final ReconnectBackoff reconnect;
    private final TcpKeepalive keepalive;
    private final Duration leakThreshold;

    private EndpointConfig(Builder b) {
        this.name = b.name;
        this.host = b.host;
        this.port = b.port;
        this.mode = b.mode;
        this.poolSize = b.poolSize;
        this.connectTimeout = b.connectTimeout;
        this.checkInterval = b.checkInterval;
        this.probe = b.probe;
        this.probeTimeout = b.probeTimeout;
        this.borrowTimeout = b.borrowTimeout;
        this.validateAfterIdle = b.validateAfterIdle != null ? b.validateAfterIdle : b.checkInterval;
        this.maxLifetime = b.maxLifetime;
        this.reconnect = b.reconnect;
        this.keepalive = b.keepalive;
        this.leakThreshold = b.leakThreshold;
    }

    public static Builder builder(String name, String host, int port) {
        return new Builder(name, host, port);
    }

    public Builder toBuilder() {
        return new Builder(name, host, port).mode(mode).poolSize(poolSize).connectTimeout(connectTimeout)
                .checkInterval(checkInterval).probe(probe).probeTimeout(probeTimeout).borrowTimeout(borrowTimeout)
                .validateAfterIdle(validateAfterIdle).maxLifetime(maxLifetime).reconnect(reconnect)
                .keepalive(keepalive).leakThreshold(leakThreshold);
    }

    public String name() {
        return name;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public EndpointMode mode() {
        return mode;
    }

    /** Connections held open for a keep endpoint. */
    public int poolSize() {
        return poolSize;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** How often idle connections are probed. */
    public Duration checkInterval() {
        return checkInterval;
    }

    public ProbeSpec probe() {
        return probe;
    }

    public Duration probeTimeout() {
        return probeTimeout;
    }

    /** How long {@code borrow} waits for a free connection (or for a DOWN endpoint to heal). */
    public Duration borrowTimeout() {
        return borrowTimeout;
    }

    /** A connection idle longer than this is checked before it is handed out. */
    public Duration validateAfterIdle() {
        return validateAfterIdle;
    }

    /** Connections older than this (less up to 10 % jitter) are replaced when idle; zero = never. */
    public Duration maxLifetime() {
        return maxLifetime;
    }

    public ReconnectBackoff reconnect() {
        return reconnect;
    }

    public TcpKeepalive keepalive() {
        return keepalive;
    }

    /** A lease held longer than this is reported with the stack of its borrower; zero = off. */
    public Duration leakThreshold() {
        return leakThreshold;
    }

    @Override
    public String toString() {
        return name + " (" + host + ":" + port + ", " + mode.name().toLowerCase(java.util.Locale.ROOT)
                + (mode == EndpointMode.KEEP ? ", pool " + poolSize + ", probe " + probe : "") + ")";
    }

    /** Builds an {@link EndpointConfig}; every setting but name, host and port has a default. */
    public static final class Builder {
        private final String name;
        private final String host;
        private final int port;
        private EndpointMode mode = EndpointMode.KEEP;
        private int poolSize = 1;
        private Duration connectTimeout = Duration.ofSeconds(3);
        private Duration checkInterval = Duration.ofSeconds(10);
        private ProbeSpec probe = ProbeSpec.PEEK;
        private Duration probeTimeout = Duration.ofSeconds(1);
        private Duration borrowTimeout = Duration.ofSeconds(3);
        private Duration validateAfterIdle;
        private Duration maxLifetime = Duration.ZERO;
        private ReconnectBackoff reconnect = new ReconnectBackoff(Duration.ofMillis(200), Duration.ofSeconds(2), 2.0);
        private TcpKeepalive keepalive = TcpKeepalive.DEFAULT;
        private Duration leakThreshold = Duration.ZERO;

        private Builder(String name, String host, int port) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("endpoint name must not be blank");
            }
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("host of " + name + " must not be blank");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port of " + name + " must be within 1..65535, got " + port);
            }
            this.name = name;
            this.host = host;
            this.port = port;
        }

        public Builder mode(EndpointMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        public Builder poolSize(int size) {
            if (size < 1 || size > 1024) {
                throw new IllegalArgumentException("pool size must be within 1..1024, got " + size);
            }
            this.poolSize = size;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Durations.requirePositive(timeout, "connect timeout");
            return this;
        }

        public Builder checkInterval(Duration interval) {
            this.checkInterval = Durations.requirePositive(interval, "check interval");
            return this;
        }

        public Builder probe(ProbeSpec probe) {
            this.probe = Objects.requireNonNull(probe, "probe");
            return this;
        }

        public Builder probeTimeout(Duration timeout) {
            this.probeTimeout = Durations.requirePositive(timeout, "probe timeout");
            return this;
        }

        public Builder borrowTimeout(Duration timeout) {
            this.borrowTimeout = notNegative(timeout, "borrow timeout");
            return this;
        }

        public Builder validateAfterIdle(Duration idle) {
            this.validateAfterIdle = notNegative(idle, "validate-after-idle");
            return this;
        }

        public Builder maxLifetime(Duration lifetime) {
            this.maxLifetime = notNegative(lifetime, "max lifetime");
            return this;
        }

        public Builder reconnect(ReconnectBackoff backoff) {
            this.reconnect = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        public Builder keepalive(TcpKeepalive keepalive) {
            this.keepalive = Objects.requireNonNull(keepalive, "keepalive");
            return this;
        }

        public Builder leakThreshold(Duration threshold) {
            this.leakThreshold = notNegative(threshold, "leak threshold");
            return this;
        }

        public EndpointConfig build() {
            return new EndpointConfig(this);
        }


        private static Duration notNegative(Duration d, String what) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException(what + " must not be negative");
            }
            return d;
        }
    }
}
