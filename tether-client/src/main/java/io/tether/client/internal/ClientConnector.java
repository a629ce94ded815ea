package io.tether.client.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import io.tether.client.ClientListener;
import io.tether.client.ClientState;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.internal.Exchange;
import io.tether.internal.Failures;
import io.tether.internal.FrameDecoder;
import io.tether.internal.GracefulClose;
import io.tether.internal.LivenessHandler;
import io.tether.internal.Tls;
import io.tether.internal.Transports;
import io.tether.messaging.ConnectionLostException;
import io.tether.protocol.CloseReason;
import io.tether.protocol.Frames;
import io.tether.protocol.Welcome;
import io.tether.util.LogSafe;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's connection state machine. Every transition runs on the client's one event loop, so the
 * fields it alone touches need no locks; what other threads read is volatile.
 *
 * <p>Failover: the servers are tried in order; a failed attempt moves on to the next at once, and only a
 * whole failed round waits for the backoff. A lost connection starts again from the first server.
 */
public final class ClientConnector {
    private static final Logger log = LoggerFactory.getLogger(ClientConnector.class);

    private final ClientConfig config;
    private final EventLoopGroup ownGroup;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final Object stateMonitor = new Object();

    private volatile ClientState state;
    private volatile Exchange exchange;
    private volatile Welcome welcome;
    private volatile InetSocketAddress connectedTo;
    private volatile int lastRttMicros;

    // Confined to the event loop.
    private Channel channel;
    private boolean wasOnline;
    private String closeReason;
    private CloseReason closeCode;
    /** The server refused this client for a reason that another attempt cannot change. */
    private boolean refusedForGood;
    private int attempt;
    /** When the current run of failed attempts began: the backoff never waits longer than half of it. */
    private long unreachableSince;
    private int serverIndex;
    private ScheduledFuture<?> retry;
    /** The server the attempt being made now connects to: read by the channel initializer, inside connect. */
    private InetSocketAddress connectingTo;
    private boolean closing;

    public ClientConnector(ClientConfig config) {
        this.config = config;
        this.ownGroup = config.group() == null ? Transports.newGroup(1, "tether-client", true) : null;
        this.loop = (config.group() != null ? config.group() : ownGroup).next();
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(Transports.socketChannelTypeFor(loop))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, Transports.ALLOCATOR)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (config.tls() != null) { // first, so every handler behind it sees plain frames
                            ch.pipeline().addLast("tls", Tls.clientHandler(config.tls(), ch.alloc(),
                                    connectingTo.getHostString(), connectingTo.getPort(), handshakeTimeout()));
                        }
                        ch.pipeline()
                                .addLast("liveness", new LivenessHandler())
                                .addLast("decoder", new FrameDecoder(config.maxPayload()))
                                .addLast("handshake", new ClientHandshakeHandler(ClientConnector.this))
                                .addLast("lifecycle", new ClientLifecycleHandler(ClientConnector.this));
                    }
                });
        if (config.localAddress() != null && Transports.socketChannelTypeFor(loop) == EpollSocketChannel.class) {
            // Bound to an address, the socket still takes its port at connect, per destination, as an unbound
            // one does; bind() would take a port for good and run out after one range's worth of connections.
            bootstrap.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
        }
    }

    ClientConfig config() {
        return config;
    }

    /**
     * How long an attempt waits for the server's answer once connected (for TLS, the TLS handshake; then for
     * WELCOME): the connect timeout or the heartbeat timeout, whichever is longer. A server pacing its
     * handshakes leaves a herd waiting, connected, in its accept queue, and a client that gave up there would
     * only come back as one more connection of the herd (docs/PERFORMANCE.md, reconnect storm).
     */
    Duration handshakeTimeout() {
        return config.heartbeat().timeout().compareTo(config.connectTimeout()) >= 0
                ? config.heartbeat().timeout() : config.connectTimeout();
    }

    public void start() {
        loop.execute(() -> {
            if (state == null) {
                changeState(ClientState.CONNECTING, "starting");
                connect();
            }
        });
    }

    /** Starts an attempt on the loop's {@link ConnectPacer}: now, or when its slice of the loop comes. */
    private void connect() {
        retry = null;
        if (!closing) {
            ConnectPacer.of(loop).submit(this::connectNow);
        }
    }

    private void connectNow() {
        if (closing) {
            return;
        }
        InetSocketAddress server = config.servers().get(serverIndex);
        closeReason = null;
        closeCode = null;
        refusedForGood = false;
        wasOnline = false;
        log.debug("{}: connecting to {}", config.clientId(), server);
        connectingTo = server;
        ChannelFuture connecting = config.localAddress() == null ? bootstrap.connect(server)
                : bootstrap.connect(server, new InetSocketAddress(config.localAddress(), 0));
        channel = connecting.channel();
        connecting.addListener(done -> {
            if (!done.isSuccess()) {
                attemptFailed("cannot connect to " + describe(server) + from() + ": " + systemsWords(done.cause()));
            }
        });
    }

    /** " from ADDRESS" when the client connects from a local address it was given: the failure may be the address's. */
    private String from() {
        return config.localAddress() == null ? "" : " from " + config.localAddress().getHostAddress();
    }

    /**
     * Why connect() failed, in the system's words: the innermost cause (Netty wraps the system's exception in
     * one that adds the server's address, already named), or its kind when it has no words (epoll's "no route
     * to host", which a local address of the other family than the server's gets, has none).
     */
    private static String systemsWords(Throwable failure) {
        Throwable cause = failure;
        for (int i = 0; i < 10 && cause.getCause() != null && cause.getCause() != cause; i++) {
            cause = cause.getCause();
        }
        return Failures.words(cause);
    }

    /** A connection attempt failed before the handshake completed: next server, or back off after a round. */
    private void attemptFailed(String reason) {
        if (closing) {
            return;
        }
        if (serverIndex + 1 < config.servers().size()) {
            serverIndex++;
            log.info("{}: {}; trying {}", config.clientId(), reason, describe(config.servers().get(serverIndex)));
            changeState(ClientState.RECONNECTING, reason);
            connect();
            return;
        }
        serverIndex = 0;
        scheduleRetry(reason);
    }

    private void scheduleRetry(String reason) {
        if (attempt == 0) {
            unreachableSince = System.nanoTime();
        }
        Duration outage = Duration.ofNanos(System.nanoTime() - unreachableSince);
        Duration delay = config.backoff().delay(attempt++, outage, ThreadLocalRandom.current());
        log.info("{}: {}; retrying in {} ms", config.clientId(), reason, delay.toMillis());
        changeState(ClientState.RECONNECTING, reason);
        retry = loop.schedule(this::connect, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** WELCOME arrived: the client is online on {@code ch}. */
    void online(Channel ch, Welcome accepted, Exchange accepting) {
        if (ch != channel || closing) {
            ch.close();
            return;
        }
        wasOnline = true;
        attempt = 0;
        welcome = accepted;
        connectedTo = (InetSocketAddress) ch.remoteAddress();
        exchange = accepting;
        changeState(ClientState.ONLINE, "connected to " + describe(connectedTo) + " as session " + accepted.sessionId()
                + ", heartbeat every " + accepted.intervalMillis() + " ms, timeout " + accepted.timeoutMillis() + " ms");
    }

    /**
     * Records why {@code ch} is about to close, so the state change can say so, and fails its requests now
     * with that reason: a request write still queued on the loop would otherwise fail anonymously before
     * the channel reports itself closed. First reason wins.
     */
    void closing(Channel ch, CloseReason code, String reason) {
        if (ch == channel && closeReason == null) {
            closeReason = reason;
            closeCode = code;
            Exchange current = exchange;
            if (current != null) {
                current.close(new ConnectionLostException(code, "connection to the server lost: " + reason));
            }
        }
    }

    /**
     * The server answered HELLO with GOAWAY. A PROTOCOL_ERROR there means it found the HELLO itself
     * unacceptable (bad magic, a version it does not speak, an id its rule refuses: docs/PROTOCOL.md,
     * Handshake), and this client would send the same HELLO again, so it stops instead of retrying for ever.
     * The one PROTOCOL_ERROR refusal about timing rather than content, "no HELLO within", may not recur.
     * FORBIDDEN is final too: the client proved an identity that may not use its id, and would prove it again.
     * UNAUTHENTICATED is retried with backoff, as the credential is asked for again before each attempt (a
     * token file may have been renewed meanwhile). Every other reason (SERVER_SHUTDOWN) is about the server's
     * state and worth another attempt.
     */
    void refused(Channel ch, CloseReason code, String serverMessage) {
        String reason = "refused by " + describe((InetSocketAddress) ch.remoteAddress()) + ": " + code + " - "
                + LogSafe.text(serverMessage);
        boolean unchangeable = code == CloseReason.FORBIDDEN
                || code == CloseReason.PROTOCOL_ERROR && !serverMessage.startsWith("no HELLO within");
        if (ch == channel && closeReason == null) {
            refusedForGood = unchangeable;
        }
        closing(ch, code, reason);
    }

    void channelClosed(Channel ch) {
        if (ch != channel) {
            return;
        }
        String reason = closeReason != null ? closeReason : "connection closed by the server";
        Exchange lost = exchange;
        exchange = null;
        connectedTo = null;
        if (lost != null) {
            lost.close(new ConnectionLostException(closeCode, "connection to the server lost: " + reason));
        }
        if (closing) {
            return;
        }
        if (closeCode == CloseReason.REPLACED || closeCode == CloseReason.FORBIDDEN || refusedForGood) {
            // REPLACED: reconnecting would only evict the newer client with our id, which would then evict
            // us. FORBIDDEN once online (a cluster found the id online elsewhere as another principal) and
            // refused for good: the same HELLO would be refused again.
            closing = true;
            changeState(ClientState.CLOSED, reason);
            shutdownOwnGroup();
        } else if (wasOnline) {
            serverIndex = 0;
            scheduleRetry(reason);
        } else {
            attemptFailed(reason);
        }
    }

    void rtt(int micros) {
        lastRttMicros = micros;
        Duration rtt = Duration.ofNanos(micros * 1000L);
        for (ClientListener listener : config.listeners()) {
            try {
                listener.heartbeatAcknowledged(rtt);
            } catch (RuntimeException e) {
                log.error("client listener failed", e);
            }
        }
    }

    public int lastRttMicros() {
        return lastRttMicros;
    }

    private void changeState(ClientState next, String reason) {
        ClientState previous = state;
        if (previous == next) {
            return;
        }
        synchronized (stateMonitor) {
            state = next;
            stateMonitor.notifyAll();
        }
        log.info("{}: {}{} ({})", config.clientId(), previous == null ? "" : previous + " -> ", next, reason);
        for (ClientListener listener : config.listeners()) {
            try {
                listener.stateChanged(previous, next, reason);
            } catch (RuntimeException e) {
                log.error("client listener failed", e);
            }
        }
    }

    public ClientState state() {
        ClientState current = state;
        return current == null ? ClientState.CONNECTING : current;
    }

    public boolean awaitState(ClientState wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (stateMonitor) {
            while (state != wanted) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(stateMonitor, left);
            }
            return true;
        }
    }

    public Exchange exchange() {
        return exchange;
    }

    public InetSocketAddress connectedTo() {
        return connectedTo;
    }

    public HeartbeatPolicy negotiatedHeartbeat() {
        Welcome current = welcome;
        return current == null ? null
                : HeartbeatPolicy.of(Duration.ofMillis(current.intervalMillis()), Duration.ofMillis(current.timeoutMillis()));
    }

    /**
     * Says goodbye to the server, fails pending requests, and stops. Waits at most a few seconds for the
     * goodbye to be delivered — except on the client's own event loop (a callback), where waiting for the
     * loop would only wait for itself.
     */
    public void close() {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        try {
            if (loop.inEventLoop()) {
                closeOnLoop(closed);
                return;
            }
            loop.execute(() -> closeOnLoop(closed));
            closed.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.debug("{}: close did not finish cleanly: {}", config.clientId(), e.toString());
        } finally {
            shutdownOwnGroup();
        }
    }

    private void closeOnLoop(CompletableFuture<Void> closed) {
        if (closing) {
            closed.complete(null);
            return;
        }
        closing = true;
        if (retry != null) {
            retry.cancel(false);
        }
        Exchange lost = exchange;
        exchange = null;
        if (lost != null) {
            lost.close(new ConnectionLostException(CloseReason.CLIENT_CLOSED, "client closed"));
        }
        changeState(ClientState.CLOSED, "closed by the application");
        if (channel != null && channel.isActive()) {
            channel.closeFuture().addListener(f -> closed.complete(null));
            GracefulClose.afterLastFrame(channel, Frames.goAway(channel.alloc(), CloseReason.CLIENT_CLOSED,
                    "client closing"), GracefulClose.DEFAULT_LINGER_MILLIS);
        } else {
            if (channel != null) {
                channel.close();
            }
            closed.complete(null);
        }
    }

    private void shutdownOwnGroup() {
        if (ownGroup != null) {
            ownGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    static String describe(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }
}
