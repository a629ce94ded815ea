package io.tether.server;

import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.heartbeat.HeartbeatProfile;
import io.tether.heartbeat.PhiAccrual;
import io.tether.protocol.Frames;
import io.tether.server.internal.Limits;
import io.tether.server.internal.ServerConfig;
import io.tether.server.internal.ServerTls;
import io.tether.server.internal.SourceNetworks;
import io.tether.server.internal.ServerRuntime;
import io.tether.util.Durations;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.Optional;

/**
 * A heartbeat server: holds many long-lived client connections on a few event-loop threads and knows,
 * within the heartbeat timeout, which clients are alive.
 *
 * <pre>{@code
 * TetherServer server = TetherServer.builder()
 *         .port(7000)
 *         .heartbeat(HeartbeatProfile.STRICT)
 *         .listener(event -> System.out.println(event))
 *         .build()
 *         .start();
 * }</pre>
 */
public final class TetherServer implements AutoCloseable {
    private final ServerRuntime runtime;

    private TetherServer(ServerConfig config) {
        this.runtime = new ServerRuntime(config);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Binds the listeners. Returns this server once it accepts connections; fails if a port is taken. */
    public TetherServer start() throws IOException {
        runtime.start();
        return this;
    }

    /** The address the Tether listener is bound to (useful with port 0). */
    public InetSocketAddress address() {
        return runtime.address();
    }

    /** The classic-header listener's address, if one was configured. */
    public Optional<InetSocketAddress> legacyAddress() {
        return Optional.ofNullable(runtime.legacyAddress());
    }

    public boolean isOnline(String clientId) {
        return runtime.registry().find(clientId) != null;
    }

    public Optional<Session> session(String clientId) {
        return Optional.ofNullable(runtime.registry().find(clientId));
    }

    /** A snapshot of every online session. */
    public List<SessionInfo> sessions() {
        return runtime.registry().snapshot();
    }

    public int onlineCount() {
        return runtime.registry().size();
    }

    /** Kicks the client with this id; returns false when it was not online. */
    public boolean kick(String clientId, String reason) {
        Session session = runtime.registry().find(clientId);
        if (session == null) {
            return false;
        }
        session.kick(reason);
        return true;
    }

    public ServerStats stats() {
        return runtime.stats();
    }

    /**
     * Frames and bytes through the Tether port since start, every loop together, as
     * {framesIn, bytesIn, framesOut, bytesOut} (the classic port is not counted). Counted on the loops with
     * plain stores; the figures read may be a moment old.
     */
    public long[] traffic() {
        return runtime.traffic();
    }

    /**
     * The heartbeat round trips clients reported since start, as counts per bucket (not cumulative): bucket k
     * holds those of at most 2^k µs for k = 0..23, the last bucket everything longer.
     */
    public long[] rttBuckets() {
        return runtime.rttBuckets();
    }

    /**
     * Liveness for an orchestrator: completes true when every event loop of the server ran a task within
     * {@code within}, false otherwise (a loop stuck in a handler, a loop that died, a stopped server). Never
     * blocks the caller.
     */
    public CompletableFuture<Boolean> loopsAnswer(Duration within) {
        return runtime.loopsAnswer(within);
    }

    /**
     * Readiness for an orchestrator: why the server should not be sent new clients now (stopped, or at a
     * connection, handshake or memory limit), or an empty list when it is ready.
     */
    public List<String> readinessProblems() {
        return runtime.readinessProblems();
    }

    public HeartbeatPolicy heartbeat() {
        return runtime.config().heartbeat();
    }

    /**
     * What holds the Tether port's connections once started: {@code compact} (connections registered with
     * epoll directly, plain TCP) or {@code channel} (a Netty channel each: NIO, TLS, or when asked for).
     */
    public String engine() {
        return runtime.engine();
    }

    /** The native transport in use: {@code epoll} or {@code nio}. */
    public String transport() {
        return runtime.transport();
    }

    /**
     * Graceful shutdown: stops accepting, sends every client GOAWAY with SERVER_SHUTDOWN, and returns once
     * every OFFLINE event has been delivered to the listeners.
     */
    @Override
    public void close() {
        runtime.close();
    }

    /** Connections a second taken off the listening sockets unless {@link Builder#maxHandshakeRate} says otherwise. */
    public static final int DEFAULT_HANDSHAKE_RATE = 10_000;

    /** Configures a {@link TetherServer}. Every setting has a sensible default. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 7000;
        private int legacyPort = -1;
        private boolean reusePort;
        private HeartbeatPolicy heartbeat = HeartbeatProfile.STANDARD.policy();
        private Duration minInterval;
        private Duration maxInterval;
        private Duration handshakeTimeout;
        private int maxPayload = Frames.DEFAULT_MAX_PAYLOAD;
        private int maxOutboundBytes = 4 << 20;
        private int maxPingsPerInterval = 3;
        private int maxFramesPerSecond = 1_000;
        private long maxBytesPerSecond = 16L << 20;
        private int maxConnections = 100_000;
        private int maxHandshakes = 16_384;
        private int maxConnectionsPerAddress;
        private int maxHandshakeRate = DEFAULT_HANDSHAKE_RATE;
        private long maxBufferedBytes = Runtime.getRuntime().maxMemory() / 4;
        private int legacyMaxPayload = 16 << 10;
        private List<String> legacyAllow = List.of();
        private int eventLoopThreads = Runtime.getRuntime().availableProcessors();
        private final List<PresenceListener> listeners = new ArrayList<>();
        private MessageHandler messageHandler = (session, payload) -> { };
        private RequestHandler requestHandler;
        private Duration shutdownTimeout = Duration.ofSeconds(5);
        private PhiAccrual phiAccrual;
        private Path tlsCertificate;
        private Path tlsKey;
        private Path tlsClientCa;
        private Authenticator authenticator;

        private Builder() {
        }

        /**
         * Address to bind; default 127.0.0.1, loopback only. Listening beyond loopback ("0.0.0.0" for every
         * interface) logs a warning at start while clients cannot authenticate (docs/SECURITY.md).
         */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** Tether protocol port; 0 picks a free one. Default 7000. */
        public Builder port(int port) {
            this.port = checkPort(port);
            return this;
        }

        /** Also listen for classic 8-byte-header clients on this port; 0 picks a free one. Off by default. */
        public Builder legacyPort(int port) {
            this.legacyPort = checkPort(port);
            return this;
        }

        /**
         * Shares the Tether port, and the classic port if any, with other servers on this host that share it
         * too (SO_REUSEPORT): several processes bind the same port and the kernel hands each new connection to
         * one of them, by a hash of its source and destination addresses and ports. Each process then holds
         * its share of the clients under its own open-files limit, with its own limits and sessions (a client
         * is online on the server its connection landed on). The kernel lets a socket join a port only when
         * every socket on it set the option and belongs to the same user. Off by default. Needs the native
         * epoll transport (Linux): on NIO, or where the option cannot be set, {@link TetherServer#start()}
         * fails and says why, and so it does when the port is held by a socket that does not share it.
         */
        public Builder reusePort(boolean reusePort) {
            this.reusePort = reusePort;
            return this;
        }

        public Builder heartbeat(HeartbeatProfile profile) {
            return heartbeat(profile.policy());
        }

        public Builder heartbeat(HeartbeatPolicy policy) {
            this.heartbeat = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * The range a client's requested interval is clamped to. By default clients may ask for anything
         * from {@code min(1 s, interval)} up to the server's own interval, never for less frequent pings.
         */
        public Builder allowedIntervals(Duration min, Duration max) {
            if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
                throw new IllegalArgumentException("allowed interval range must satisfy 0 < min <= max");
            }
            this.minInterval = min;
            this.maxInterval = max;
            return this;
        }

        /** How long a new connection may take to send HELLO. Default: the heartbeat timeout, at most 10 s. */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = Durations.requirePositive(timeout, "handshake timeout");
            return this;
        }

        /** Largest frame payload accepted; larger frames close the connection with PROTOCOL_ERROR. */
        public Builder maxPayload(int bytes) {
            this.maxPayload = Frames.checkMaxPayload(bytes);
            return this;
        }

        /** Bytes that may wait for a client to read them before it is dropped as SLOW_CONSUMER. Default 4 MiB. */
        public Builder maxOutboundBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("max outbound bytes must be at least 1024");
            }
            this.maxOutboundBytes = bytes;
            return this;
        }

        /**
         * How many pings a client may send within one heartbeat interval before it is told TOO_MANY_PINGS;
         * the third interval over the limit disconnects it. Default 3 (a well-behaved client sends one).
         */
        public Builder maxPingsPerInterval(int pings) {
            if (pings < 1) {
                throw new IllegalArgumentException("max pings per interval must be at least 1");
            }
            this.maxPingsPerInterval = pings;
            return this;
        }

        /**
         * How many frames other than PING, and how many bytes of them, one client may send per second before
         * it is told RATE_LIMITED (the excess is dropped unprocessed); the third second over a limit
         * disconnects it. Defaults 1,000 frames and 16 MiB per second.
         */
        public Builder maxRatePerSecond(int frames, long bytes) {
            if (frames < 1 || bytes < 1024) {
                throw new IllegalArgumentException("rate limits must allow at least 1 frame and 1024 bytes per second");
            }
            this.maxFramesPerSecond = frames;
            this.maxBytesPerSecond = bytes;
            return this;
        }

        /**
         * Connections the server holds at once on all its ports (default 100,000), of them how many may be
         * in their handshake (default 16,384), and how many may come from one source address (default 0,
         * no limit: many clients can share a NAT's address). Connections over a limit are told
         * GOAWAY OVERLOADED (the classic port just closes them) and counted as rejected.
         */
        public Builder maxConnections(int total, int inHandshake, int perAddress) {
            if (total < 1 || inHandshake < 1 || perAddress < 0) {
                throw new IllegalArgumentException("connection limits must be positive (per address: 0 for none)");
            }
            this.maxConnections = total;
            this.maxHandshakes = inHandshake;
            this.maxConnectionsPerAddress = perAddress;
            return this;
        }

        /**
         * TLS (1.3 or 1.2) on the Tether port, from a PEM certificate chain and its PEM (PKCS#8) private key,
         * on OpenSSL where it loads and on the JDK's TLS otherwise; the start-up line says which. The files
         * are read again when they change (checked every second): new connections get the new certificate,
         * live ones keep theirs. The Tether
         * port then runs a Netty channel per connection (the compact engine has no TLS). The classic port
         * stays plain. docs/SECURITY.md, TLS.
         */
        public Builder tls(Path certificateChain, Path privateKey) {
            this.tlsCertificate = Objects.requireNonNull(certificateChain, "certificateChain");
            this.tlsKey = Objects.requireNonNull(privateKey, "privateKey");
            return this;
        }

        /** Requires every TLS client to present a certificate signed by a CA in this PEM file (mutual TLS). */
        public Builder tlsClientCa(Path caCertificates) {
            this.tlsClientCa = Objects.requireNonNull(caCertificates, "caCertificates");
            return this;
        }

        /**
         * Requires every client on the Tether port to prove who it is: {@code authenticator} decides, between
         * HELLO and WELCOME, from the credential in the HELLO and the TLS client certificate (see
         * {@link Authenticators} for the built-in ones). A client it refuses is told GOAWAY UNAUTHENTICATED or
         * FORBIDDEN; an identity online can then be taken over only by the same principal. Default: none,
         * every client is admitted as who it says it is. The classic port has no way to authenticate (see
         * {@link #legacyAllow}). docs/SECURITY.md, Authentication.
         */
        public Builder authenticator(Authenticator authenticator) {
            this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
            return this;
        }

        /**
         * How many connections a second the server takes off its listening sockets, all ports together
         * (default {@value #DEFAULT_HANDSHAKE_RATE}; 0 for no limit). A herd of reconnecting clients beyond it
         * waits, already connected, in the kernel's accept queue (as deep as {@code net.core.somaxconn}), so
         * that the event loops keep serving established sessions first and the herd is admitted at a pace
         * the server can answer. See docs/PERFORMANCE.md, reconnect storm.
         */
        public Builder maxHandshakeRate(int perSecond) {
            if (perSecond < 0) {
                throw new IllegalArgumentException("handshake rate must be 0 (no limit) or positive");
            }
            this.maxHandshakeRate = perSecond;
            return this;
        }

        /**
         * Bytes the server may hold across all connections for frames that have not arrived whole and frames
         * a client has not read yet. A connection whose next frame would go over it is closed (OVERLOADED),
         * so a crowd of half-sent large frames cannot exhaust the heap. Default a quarter of the maximum heap.
         */
        public Builder maxBufferedBytes(long bytes) {
            if (bytes < 1 << 20) {
                throw new IllegalArgumentException("max buffered bytes must be at least 1 MiB");
            }
            this.maxBufferedBytes = bytes;
            return this;
        }

        /** Largest data payload a classic client may send; larger frames close it. Default 16 KiB. */
        public Builder legacyMaxPayload(int bytes) {
            this.legacyMaxPayload = Frames.checkMaxPayload(bytes);
            return this;
        }

        /**
         * Source networks allowed on the classic port, as CIDR ({@code 10.0.0.0/8}, {@code 127.0.0.1/32},
         * {@code fd00::/8}); a connection from anywhere else is closed at once and never comes online. The
         * classic protocol has no handshake, so this is its only admission check. Default: any source.
         */
        public Builder legacyAllow(List<String> networks) {
            List<String> copy = List.copyOf(networks);
            copy.forEach(SourceNetworks::check);
            this.legacyAllow = copy;
            return this;
        }

        public Builder eventLoopThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("event loop threads must be at least 1");
            }
            this.eventLoopThreads = threads;
            return this;
        }

        public Builder listener(PresenceListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        public Builder messageHandler(MessageHandler handler) {
            this.messageHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        public Builder requestHandler(RequestHandler handler) {
            this.requestHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Judges silence with the phi-accrual detector instead of the fixed heartbeat timeout: it learns each
         * client's traffic rhythm, convicting a steady client sooner and a jittery one later. See
         * {@link PhiAccrual}. {@code null} restores the fixed timeout (the default).
         */
        public Builder phiAccrual(PhiAccrual settings) {
            this.phiAccrual = settings;
            return this;
        }

        /** How long {@link #close()} waits for clients to be told and events to be delivered. Default 5 s. */
        public Builder shutdownTimeout(Duration timeout) {
            this.shutdownTimeout = Durations.requirePositive(timeout, "shutdown timeout");
            return this;
        }

        public TetherServer build() {
            Duration min = minInterval != null ? minInterval : min(Duration.ofSeconds(1), heartbeat.interval());
            Duration max = maxInterval != null ? maxInterval : heartbeat.interval();
            Duration handshake = handshakeTimeout != null ? handshakeTimeout
                    : min(Duration.ofSeconds(10), heartbeat.timeout());
            return new TetherServer(new ServerConfig(host, port, legacyPort, reusePort, heartbeat, min, max, handshake,
                    maxPayload, maxOutboundBytes, new Limits(maxPingsPerInterval, maxFramesPerSecond, maxBytesPerSecond,
                    maxConnections, maxHandshakes, maxHandshakeRate, maxConnectionsPerAddress, maxBufferedBytes, legacyMaxPayload,
                    legacyAllow), eventLoopThreads, List.copyOf(listeners), messageHandler,
                    requestHandler, shutdownTimeout, phiAccrual, tlsContext(), authenticator));
        }

        private ServerTls tlsContext() {
            if (tlsCertificate == null) {
                if (tlsClientCa != null) {
                    throw new IllegalStateException("a TLS client CA needs the server's own certificate and key (tls)");
                }
                return null;
            }
            try {
                return new ServerTls(tlsCertificate, tlsKey, tlsClientCa);
            } catch (IOException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }

        private static Duration min(Duration a, Duration b) {
            return a.compareTo(b) <= 0 ? a : b;
        }

        private static int checkPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            return port;
        }

    }
}
