package io.tether.client;

import io.netty.channel.EventLoopGroup;
import io.tether.client.internal.ClientConfig;
import io.tether.client.internal.ClientConnector;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.heartbeat.HeartbeatProfile;
import io.tether.internal.Exchange;
import io.tether.messaging.ConnectionLostException;
import io.tether.messaging.RemoteErrorException;
import io.tether.protocol.ClientIds;
import io.tether.protocol.Frames;
import io.tether.retry.ReconnectBackoff;
import io.tether.util.Durations;
import java.io.IOException;
import io.netty.handler.ssl.SslContext;
import io.tether.internal.Tls;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A Tether client: keeps one connection to the first reachable server alive, heartbeats on its own
 * schedule, notices a dead server within the negotiated timeout, and reconnects with backoff.
 *
 * <pre>{@code
 * TetherClient client = TetherClient.builder()
 *         .server("127.0.0.1", 7000)
 *         .clientId("alice")
 *         .heartbeat(HeartbeatProfile.STRICT)
 *         .listener(new ClientListener() { ... })
 *         .build()
 *         .start();
 * client.send("hello".getBytes(UTF_8));
 * }</pre>
 */
public final class TetherClient implements AutoCloseable {
    private final ClientConfig config;
    private final ClientConnector connector;

    private TetherClient(ClientConfig config) {
        this.config = config;
        this.connector = new ClientConnector(config);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts connecting in the background and returns at once. */
    public TetherClient start() {
        connector.start();
        return this;
    }

    public String clientId() {
        return config.clientId();
    }

    public ClientState state() {
        return connector.state();
    }

    /** Waits until the client is ONLINE; false if it was not within {@code timeout}. */
    public boolean awaitOnline(Duration timeout) throws InterruptedException {
        return connector.awaitState(ClientState.ONLINE, timeout);
    }

    /** The server this client is connected to now. */
    public Optional<InetSocketAddress> connectedServer() {
        return Optional.ofNullable(connector.connectedTo());
    }

    /** The heartbeat the server enforces for this client, once it has said so. */
    public Optional<HeartbeatPolicy> negotiatedHeartbeat() {
        return Optional.ofNullable(connector.negotiatedHeartbeat());
    }

    /** Round trip of the most recent acknowledged heartbeat. */
    public Optional<Duration> lastRtt() {
        int micros = connector.lastRttMicros();
        return micros > 0 ? Optional.of(Duration.ofNanos(micros * 1000L)) : Optional.empty();
    }

    /** Sends one DATA frame; completes when written, fails at once if the client is not online. */
    public CompletableFuture<Void> send(byte[] payload) {
        Exchange exchange = connector.exchange();
        return exchange == null ? CompletableFuture.failedFuture(notOnline()) : exchange.send(payload);
    }

    /**
     * Asks the server and completes with its answer. Fails with {@link io.tether.messaging.RequestTimeoutException}
     * after {@code timeout}, with {@link RemoteErrorException} if the server answered ERROR, and at once with
     * {@link ConnectionLostException} if the client is not online or the connection dies first.
     */
    public CompletableFuture<byte[]> request(byte[] payload, Duration timeout) {
        Exchange exchange = connector.exchange();
        return exchange == null ? CompletableFuture.failedFuture(notOnline()) : exchange.request(payload, timeout);
    }

    /** Blocking form of {@link #request}; throws what the future would fail with. */
    public byte[] requestBlocking(byte[] payload, Duration timeout)
            throws IOException, TimeoutException, RemoteErrorException, InterruptedException {
        try {
            return request(payload, timeout).get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof TimeoutException timedOut) {
                throw timedOut;
            }
            if (cause instanceof RemoteErrorException remote) {
                throw remote;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException(cause);
        }
    }

    private ConnectionLostException notOnline() {
        return new ConnectionLostException(null, config.clientId() + " is not online (state " + state() + ")");
    }

    /** Says goodbye to the server, fails pending requests at once, and stops reconnecting. */
    @Override
    public void close() {
        connector.close();
    }

    /** Configures a {@link TetherClient}. Only the server and the client id are required. */
    public static final class Builder {
        private final List<InetSocketAddress> servers = new ArrayList<>();
        private String clientId;
        private HeartbeatPolicy heartbeat = HeartbeatProfile.STANDARD.policy();
        private ReconnectBackoff backoff = ReconnectBackoff.DEFAULT;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private InetAddress localAddress;
        private boolean tls;
        private Path tlsCa;
        private Path tlsCertificate;
        private Path tlsKey;
        private Supplier<byte[]> credential;
        private int maxPayload = Frames.DEFAULT_MAX_PAYLOAD;
        private final List<ClientListener> listeners = new ArrayList<>();
        private Consumer<byte[]> messageHandler = payload -> { };
        private ClientRequestHandler requestHandler;
        private EventLoopGroup group;

        private Builder() {
        }

        /** Adds a server; servers are tried in the order added. */
        public Builder server(String host, int port) {
            return server(InetSocketAddress.createUnresolved(host, port));
        }

        public Builder server(InetSocketAddress address) {
            servers.add(Objects.requireNonNull(address, "address"));
            return this;
        }

        public Builder clientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        public Builder heartbeat(HeartbeatProfile profile) {
            return heartbeat(profile.policy());
        }

        /**
         * The interval asked of the server (which answers with the heartbeat it grants). Its timeout is also
         * the least time the client waits for the server's answer to HELLO; see {@link #connectTimeout}.
         */
        public Builder heartbeat(HeartbeatPolicy policy) {
            this.heartbeat = Objects.requireNonNull(policy, "policy");
            return this;
        }

        public Builder reconnectBackoff(ReconnectBackoff backoff) {
            this.backoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /**
         * How long a connection attempt may take to connect (default 5 s), and the least time it waits for the
         * server's WELCOME after its HELLO (the longer of this and the heartbeat timeout): a server that paces
         * its handshakes leaves a herd waiting in its accept queue, already connected.
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Durations.requirePositive(timeout, "connect timeout");
            return this;
        }

        /**
         * Connects from this local address (the port is still the kernel's choice, made per destination at
         * connect time). For hosts with several addresses, and for processes that hold more connections to
         * one server than one address has ports: the kernel gives each (source, destination) pair at most
         * its ephemeral port range, and searching a nearly full range makes every connect slower
         * (docs/PERFORMANCE.md, reconnect storm).
         */
        public Builder localAddress(InetAddress address) {
            this.localAddress = Objects.requireNonNull(address, "address");
            return this;
        }

        /**
         * Connects over TLS (1.3 or 1.2), trusting the server certificates the system trusts, and checking
         * that the certificate names the host the client connects to, as HTTPS does.
         */
        public Builder tls() {
            this.tls = true;
            return this;
        }

        /** Connects over TLS, trusting only server certificates signed by a CA in this PEM file. */
        public Builder tls(Path trustedCa) {
            this.tlsCa = Objects.requireNonNull(trustedCa, "trustedCa");
            this.tls = true;
            return this;
        }

        /** Presents this PEM certificate chain and PEM (PKCS#8) private key to a server that asks (mutual TLS). */
        public Builder tlsClientCertificate(Path certificateChain, Path privateKey) {
            this.tlsCertificate = Objects.requireNonNull(certificateChain, "certificateChain");
            this.tlsKey = Objects.requireNonNull(privateKey, "privateKey");
            this.tls = true;
            return this;
        }

        /**
         * Proves the client's identity to a server that requires it: {@code credential} is asked before every
         * connection attempt (so a refreshed token is picked up on the next reconnect) and sent in the HELLO.
         * A supplier that throws fails that attempt, which is retried like any other. A server that refuses the
         * credential as UNAUTHENTICATED is tried again with backoff; FORBIDDEN (a valid identity that may not
         * use this client id) closes the client for good. docs/SECURITY.md, Authentication.
         */
        public Builder credential(Supplier<byte[]> credential) {
            this.credential = Objects.requireNonNull(credential, "credential");
            return this;
        }

        /** {@link #credential(Supplier)} with a fixed token (a Tether token or a JSON Web Token). */
        public Builder token(String token) {
            byte[] bytes = Objects.requireNonNull(token, "token").strip().getBytes(StandardCharsets.UTF_8);
            return credential(() -> bytes);
        }

        /** Largest frame payload accepted from the server. */
        public Builder maxPayload(int bytes) {
            this.maxPayload = Frames.checkMaxPayload(bytes);
            return this;
        }

        public Builder listener(ClientListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Receives DATA frames from the server, on the client's event loop. */
        public Builder messageHandler(Consumer<byte[]> handler) {
            this.messageHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        public Builder requestHandler(ClientRequestHandler handler) {
            this.requestHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Runs this client on a shared event loop group instead of a thread of its own — for processes
         * that hold many clients. The group is not shut down when the client closes.
         */
        public Builder eventLoopGroup(EventLoopGroup group) {
            this.group = Objects.requireNonNull(group, "group");
            return this;
        }

        private SslContext tlsContext() {
            if (!tls) {
                return null;
            }
            try {
                return Tls.client(tlsCa, tlsCertificate, tlsKey);
            } catch (IOException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }

        public TetherClient build() {
            if (servers.isEmpty()) {
                throw new IllegalStateException("at least one server address is required");
            }
            if (clientId == null) {
                throw new IllegalStateException("a client id is required");
            }
            String idProblem = ClientIds.problem(clientId);
            if (idProblem != null) {
                // The server would refuse this id on every attempt: say so now, not in a reconnect loop.
                throw new IllegalArgumentException(idProblem);
            }
            return new TetherClient(new ClientConfig(List.copyOf(servers), clientId, heartbeat, backoff, connectTimeout,
                    localAddress, tlsContext(), credential, maxPayload, List.copyOf(listeners), messageHandler, requestHandler,
                    group));
        }
    }
}
