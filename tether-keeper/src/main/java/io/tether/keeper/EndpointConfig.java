package io.tether.keeper;

import io.tether.internal.Tls;
import io.tether.retry.ReconnectBackoff;
import io.tether.util.LogSafe;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * One named upstream endpoint. Immutable; build with {@link #builder(String, String, int)}. Durations of zero
 * switch a feature off where that makes sense (max lifetime, leak detection). Every duration is held to its
 * {@link DurationLimit}, so a value the keeper cannot use is refused here, not when it is first used.
 */
public final class EndpointConfig {
    /** The most connections one keep endpoint holds. */
    public static final int MAX_POOL_SIZE = 1024;
    /** The longest host name DNS allows (RFC 1035); IP literals are shorter. */
    public static final int MAX_HOST_LENGTH = 253;
    /** Endpoint names show in every event and status line: one screen column's worth at most. */
    public static final int MAX_NAME_LENGTH = 100;
    /** The largest reconnect multiplier: beyond it the backoff reaches its maximum after one attempt anyway. */
    public static final double MAX_RECONNECT_MULTIPLIER = 100;

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
    private final EndpointTls tls;

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
        this.tls = b.tls;
    }

    public static Builder builder(String name, String host, int port) {
        return new Builder(name, host, port);
    }

    public Builder toBuilder() {
        return new Builder(name, host, port).mode(mode).poolSize(poolSize).connectTimeout(connectTimeout)
                .checkInterval(checkInterval).probe(probe).probeTimeout(probeTimeout).borrowTimeout(borrowTimeout)
                .validateAfterIdle(validateAfterIdle).maxLifetime(maxLifetime).reconnect(reconnect)
                .keepalive(keepalive).leakThreshold(leakThreshold).tlsSettings(tls);
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

    /** How this endpoint speaks TLS, or {@code null} for plain TCP. */
    public EndpointTls tls() {
        return tls;
    }

    @Override
    public String toString() {
        return name + " (" + host + ":" + port + (tls != null ? ", tls" : "") + ", "
                + mode.name().toLowerCase(java.util.Locale.ROOT)
                + (mode == EndpointMode.KEEP ? ", pool " + poolSize + ", probe " + probe : "") + ")";
    }

    /**
     * Why {@code host} cannot be an endpoint's host, or {@code null} if it can: it must be a non-empty host name
     * or IP literal, without whitespace or control characters (often the remains of a comment written on the
     * value's line), and at most {@value #MAX_HOST_LENGTH} characters. Whether it resolves is found out at run time.
     */
    public static String hostProblem(String host) {
        if (host == null || host.isEmpty()) {
            return "must not be empty";
        }
        String shown = "'" + LogSafe.text(host) + "' is not a host name: ";
        if (host.length() > MAX_HOST_LENGTH) {
            return shown + "it is longer than " + MAX_HOST_LENGTH + " characters";
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                return shown + "it contains whitespace";
            }
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                return shown + "it contains a control character";
            }
        }
        return null;
    }

    /** Why {@code name} cannot name an endpoint, or {@code null} if it can: not blank, no control characters, short. */
    public static String nameProblem(String name) {
        if (name == null || name.isBlank()) {
            return "must not be empty";
        }
        if (name.length() > MAX_NAME_LENGTH) {
            return "'" + LogSafe.text(name, 40) + "' is longer than " + MAX_NAME_LENGTH + " characters";
        }
        if (name.chars().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT)) {
            return "'" + LogSafe.text(name) + "' contains a control character";
        }
        return null;
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
        private EndpointTls tls;

        private Builder(String name, String host, int port) {
            String nameProblem = nameProblem(name);
            if (nameProblem != null) {
                throw new IllegalArgumentException("endpoint name " + nameProblem);
            }
            String hostProblem = hostProblem(host);
            if (hostProblem != null) {
                throw new IllegalArgumentException("host of " + name + ": " + hostProblem);
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
            if (size < 1 || size > MAX_POOL_SIZE) {
                throw new IllegalArgumentException("pool size must be within 1.." + MAX_POOL_SIZE + ", got " + size);
            }
            this.poolSize = size;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = DurationLimit.CONNECT_TIMEOUT.check(timeout);
            return this;
        }

        public Builder checkInterval(Duration interval) {
            this.checkInterval = DurationLimit.CHECK_INTERVAL.check(interval);
            return this;
        }

        public Builder probe(ProbeSpec probe) {
            this.probe = Objects.requireNonNull(probe, "probe");
            return this;
        }

        public Builder probeTimeout(Duration timeout) {
            this.probeTimeout = DurationLimit.PROBE_TIMEOUT.check(timeout);
            return this;
        }

        public Builder borrowTimeout(Duration timeout) {
            this.borrowTimeout = DurationLimit.BORROW_TIMEOUT.check(timeout);
            return this;
        }

        public Builder validateAfterIdle(Duration idle) {
            this.validateAfterIdle = DurationLimit.VALIDATE_AFTER_IDLE.check(idle);
            return this;
        }

        public Builder maxLifetime(Duration lifetime) {
            this.maxLifetime = DurationLimit.MAX_LIFETIME.check(lifetime);
            return this;
        }

        public Builder reconnect(ReconnectBackoff backoff) {
            Objects.requireNonNull(backoff, "backoff");
            DurationLimit.RECONNECT_INITIAL.check(backoff.initial());
            DurationLimit.RECONNECT_MAX.check(backoff.max());
            if (!(backoff.multiplier() <= MAX_RECONNECT_MULTIPLIER)) {
                throw new IllegalArgumentException("reconnect.multiplier must be within 1.." + (int) MAX_RECONNECT_MULTIPLIER
                        + ", got " + backoff.multiplier());
            }
            this.reconnect = backoff;
            return this;
        }

        public Builder keepalive(TcpKeepalive keepalive) {
            this.keepalive = Objects.requireNonNull(keepalive, "keepalive");
            return this;
        }

        public Builder leakThreshold(Duration threshold) {
            this.leakThreshold = DurationLimit.LEAK_THRESHOLD.check(threshold);
            return this;
        }

        /**
         * Speaks TLS 1.3 or 1.2, trusting the JVM's default trust store (its {@code cacerts}, or what
         * {@code javax.net.ssl.trustStore} names), and checking that the server's certificate names the host
         * (or {@link #tlsServerName}). Leases read and write plaintext; the handshake is part of connecting.
         */
        public Builder tls() {
            if (tls == null) {
                tls = EndpointTls.DEFAULT_TRUST;
            }
            return this;
        }

        /** Speaks TLS, trusting only server certificates signed by a CA in this PEM file; refused here if it cannot be used. */
        public Builder tls(Path trustedCa) {
            Objects.requireNonNull(trustedCa, "trustedCa");
            usable(trustedCa, null, null);
            tls = tls().tls.withCa(trustedCa);
            return this;
        }

        /**
         * Speaks TLS, presenting this PEM certificate chain and PEM (PKCS#8) private key to a server that asks
         * (mutual TLS); refused here if they cannot be used.
         */
        public Builder tlsClientCertificate(Path certificateChain, Path privateKey) {
            Objects.requireNonNull(certificateChain, "certificateChain");
            Objects.requireNonNull(privateKey, "privateKey");
            usable(null, certificateChain, privateKey);
            tls = tls().tls.withClientCertificate(certificateChain, privateKey);
            return this;
        }

        /**
         * Speaks TLS, expecting the server's certificate to carry this name (a DNS name or IP literal) instead
         * of the host connected to, and sending it as the TLS server name (SNI) where it is a DNS name.
         */
        public Builder tlsServerName(String serverName) {
            Objects.requireNonNull(serverName, "serverName");
            tls = tls().tls.withServerName(serverName);
            return this;
        }

        private Builder tlsSettings(EndpointTls settings) {
            this.tls = settings;
            return this;
        }

        /** Builds a TLS context from the files, the way connecting will, so that files it cannot use fail now. */
        private static void usable(Path trustedCa, Path certificateChain, Path privateKey) {
            try {
                Tls.client(trustedCa, certificateChain, privateKey);
            } catch (IOException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }

        /**
         * @throws IllegalArgumentException for TLS with the {@link ProbeKind#URGENT} probe, whose byte would travel
         *                                  outside TLS
         */
        public EndpointConfig build() {
            if (tls != null && probe.kind() == ProbeKind.URGENT) {
                throw new IllegalArgumentException("the urgent probe's byte travels outside TLS; with tls use peek,"
                        + " exchange or tether");
            }
            return new EndpointConfig(this);
        }
    }
}
