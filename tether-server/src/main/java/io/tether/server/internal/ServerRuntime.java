package io.tether.server.internal;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.channel.ChannelFutureListener;
import io.tether.internal.LogLimit;
import io.tether.internal.MemoryBudget;
import io.tether.internal.Traffic;
import io.tether.internal.WheelTicker;
import io.netty.util.concurrent.EventExecutor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import io.tether.protocol.Frames;
import io.tether.util.LogSafe;
import io.tether.internal.SerialDispatcher;
import io.tether.internal.Tls;
import io.tether.internal.Transports;
import io.tether.protocol.CloseReason;
import io.tether.server.PresenceEvent;
import io.tether.server.PresenceListener;
import io.tether.server.ServerStats;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Owns the event loops, the listening sockets and the session registry of one server. */
public final class ServerRuntime {
    private static final Logger log = LoggerFactory.getLogger(ServerRuntime.class);

    private final ServerConfig config;
    private final SerialDispatcher<PresenceListener, PresenceEvent> events;
    private final SessionRegistry registry;
    private final ConnectionCounts counts;
    private final MemoryBudget buffers;
    private final Admission admission;
    static final int PRESENCE_LINES_PER_SECOND = 100;
    /** Used on the events thread only. */
    private final LogLimit presenceLines = new LogLimit(PRESENCE_LINES_PER_SECOND, TimeUnit.SECONDS.toNanos(1), System.nanoTime());
    /** Each worker loop's timing wheel, made at start; read-only after. */
    private Map<EventExecutor, WheelTicker> timers = Map.of();
    private final ChannelGroup connections = new DefaultChannelGroup("tether-connections", GlobalEventExecutor.INSTANCE);
    private EventLoopGroup group;
    /** Accepts on its own thread, so a reconnect storm's accepts never queue behind handshakes. */
    private EventLoopGroup acceptor;
    private Channel listener;
    private CompactEngine compact;
    private Channel legacyListener;
    private volatile boolean closed;

    public ServerRuntime(ServerConfig config) {
        this.config = config;
        List<PresenceListener> listeners = new ArrayList<>();
        listeners.add(this::logPresence); // logged here, off the event loops: console I/O must not delay verdicts
        listeners.addAll(config.listeners());
        this.events = new SerialDispatcher<>("tether-events", listeners, PresenceListener::onPresence);
        this.registry = new SessionRegistry(events);
        this.counts = new ConnectionCounts(config.limits());
        this.buffers = new MemoryBudget(config.limits().maxBufferedBytes());
        this.admission = new Admission(registry, config, counts, buffers, System.nanoTime());
    }

    public ServerStats stats() {
        return registry.stats(counts, buffers);
    }

    /**
     * One log line per presence event, up to {@value #PRESENCE_LINES_PER_SECOND} a second: beyond that (a
     * reconnect storm, thousands of peers falling silent at once) the lines are counted and the next line
     * written says how many were left out. Listeners and the stats still see every event.
     */
    private void logPresence(PresenceEvent event) {
        long left = presenceLines.take(System.nanoTime());
        if (left < 0) {
            return;
        }
        String who = event.clientId() + " [session " + event.sessionId() + ", " + event.remote() + "]";
        if (event.type() == PresenceEvent.Type.ONLINE) {
            log.info("{} online{}{}", who, event.legacy() ? " (classic client)" : "", presenceNote(left));
        } else if (event.reason().peersFault()) {
            log.warn("{} offline: {} - {}{}", who, event.reason(), LogSafe.text(event.detail()), presenceNote(left));
        } else {
            log.info("{} offline: {} - {}{}", who, event.reason(), LogSafe.text(event.detail()), presenceNote(left));
        }
    }

    private static String presenceNote(long left) {
        return left <= 0 ? "" : " (" + left + " presence lines left out before this one; the events themselves were all delivered)";
    }

    public ServerConfig config() {
        return config;
    }

    public SessionRegistry registry() {
        return registry;
    }

    public String transport() {
        return Transports.name();
    }

    /** Frames and bytes through the Tether port, all loops together: {framesIn, bytesIn, framesOut, bytesOut}. */
    public long[] traffic() {
        long[] sum = new long[4];
        for (WheelTicker ticker : timers.values()) {
            Traffic t = ticker.traffic();
            sum[0] += t.framesIn();
            sum[1] += t.bytesIn();
            sum[2] += t.framesOut();
            sum[3] += t.bytesOut();
        }
        return sum;
    }

    /** How many reported round trips fell in each bucket of {@link Traffic#rtt}, all loops together. */
    public long[] rttBuckets() {
        long[] sum = new long[Traffic.RTT_BUCKETS];
        for (WheelTicker ticker : timers.values()) {
            for (int k = 0; k < sum.length; k++) {
                sum[k] += ticker.traffic().rttBucket(k);
            }
        }
        return sum;
    }

    /** What holds the Tether port's connections: {@code compact} (epoll, plain TCP) or {@code channel}. */
    public String engine() {
        return compact != null ? "compact" : "channel";
    }

    /**
     * Whether the Tether port runs on the compact engine: on native epoll unless
     * {@code -Dtether.server.engine=channel} asks for a Netty channel per connection, as on NIO.
     */
    static boolean compactEngine() {
        return Transports.epoll() && !"channel".equalsIgnoreCase(System.getProperty("tether.server.engine", ""));
    }

    /** The compact engine carries plain TCP only: with TLS the Tether port runs a channel per connection. */
    private boolean compactTetherPort() {
        return compactEngine() && config.tls() == null;
    }

    public synchronized void start() throws IOException {
        if (group != null) {
            throw new IllegalStateException("server already started");
        }
        if (new InetSocketAddress(config.host(), 0).isUnresolved()) {
            throw new IOException("cannot listen on " + LogSafe.text(config.host(), 100)
                    + ": not an IP address or a host name that resolves");
        }
        if (config.reusePort()) {
            PortSharing.checkAvailable(config.host(), config.port());
        }
        group = Transports.newGroup(config.eventLoopThreads(), "tether-server", false);
        acceptor = Transports.newGroup(1, "tether-accept", false);
        Map<EventExecutor, WheelTicker> made = new LinkedHashMap<>();
        for (EventExecutor loop : group) {
            made.put(loop, new WheelTicker(loop, System::nanoTime));
        }
        timers = Collections.unmodifiableMap(made);
        try {
            if (compactTetherPort()) {
                compact = CompactEngine.listen(admission, acceptor, timers, config.host(), config.port(), config.reusePort());
            } else {
                listener = bind(config.port(), true);
            }
            if (config.legacyPort() >= 0) {
                legacyListener = bind(config.legacyPort(), false);
            }
        } catch (IOException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            acceptor.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
        log.info("Tether server listening on {} ({}){} ({}{}, {} event loop threads, heartbeat {})", config.host() + ":"
                        + address().getPort(), Exposure.tetherAdmission(config.authenticator() != null),
                legacyListener != null ? ", classic clients on port " + legacyAddress().getPort() + " ("
                        + Exposure.classicAdmission(config.limits().legacyAllow()) + ")" : "",
                Transports.name() + (config.reusePort() ? ", shared with SO_REUSEPORT" : ""),
                compact != null ? ", compact connections"
                        : config.tls() != null ? ", " + Tls.describe(config.tls().context()) : "", config.eventLoopThreads(),
                config.heartbeat());
        if (config.tls() != null) {
            acceptor.scheduleWithFixedDelay(config.tls()::reloadIfChanged, ServerTls.CHECK_MILLIS, ServerTls.CHECK_MILLIS,
                    TimeUnit.MILLISECONDS);
        }
        String exposed = Exposure.warning(config.host(), config.authenticator() != null, legacyListener != null, config.limits().legacyAllow());
        if (exposed != null) {
            log.warn(exposed);
        }
    }

    /**
     * Whether every event loop of the server (its acceptor's too) runs a task within {@code within}: a loop
     * stuck in a handler, or dead, leaves the answer false. Never blocks the caller.
     */
    public CompletableFuture<Boolean> loopsAnswer(Duration within) {
        if (closed || group == null) {
            return CompletableFuture.completedFuture(false);
        }
        List<CompletableFuture<Void>> probes = new ArrayList<>();
        for (EventLoopGroup each : List.of(acceptor, group)) {
            for (EventExecutor loop : each) {
                CompletableFuture<Void> ran = new CompletableFuture<>();
                try {
                    loop.execute(() -> ran.complete(null));
                } catch (RuntimeException rejected) {
                    ran.completeExceptionally(rejected);
                }
                probes.add(ran);
            }
        }
        return CompletableFuture.allOf(probes.toArray(CompletableFuture[]::new))
                .orTimeout(within.toMillis(), TimeUnit.MILLISECONDS)
                .handle((done, failure) -> failure == null);
    }

    /** Why the server should not be sent new clients now; empty when it is ready for them. */
    public List<String> readinessProblems() {
        List<String> problems = new ArrayList<>();
        if (closed || group == null || registry.isClosing()) {
            problems.add("not listening (stopped or stopping)");
            return problems;
        }
        ServerStats now = stats();
        Limits limits = config.limits();
        if (now.connections() >= limits.maxConnections()) {
            problems.add("at its connection limit (" + now.connections() + " of " + limits.maxConnections() + ")");
        }
        if (now.handshakes() >= limits.maxHandshakes()) {
            problems.add("at its handshake limit (" + now.handshakes() + " of " + limits.maxHandshakes() + ")");
        }
        if (now.bufferedBytes() >= limits.maxBufferedBytes()) {
            problems.add("its buffer budget is spent (" + now.bufferedBytes() + " of " + limits.maxBufferedBytes() + " bytes)");
        }
        return problems;
    }

    /** Listens with a channel per connection; {@code tether} for the Tether port, else classic. */
    private Channel bind(int port, boolean tether) throws IOException {
        List<String> allow = tether ? List.of() : config.limits().legacyAllow();
        ChannelHandler allowFilter = allow.isEmpty() ? null : SourceNetworks.filter(allow); // sharable: one per port
        int highWater = config.maxOutboundBytes();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptor, group)
                .channel(Transports.serverChannelType())
                // The kernel caps this at net.core.somaxconn: ask for the most, so raising that is enough.
                .option(ChannelOption.SO_BACKLOG, 65_535)
                // When thousands reconnect at once, the accept queue must drain faster than handshakes are
                // served, or the kernel drops connections (ListenOverflows) and clients wait for SYN retries.
                .option(ChannelOption.RCVBUF_ALLOCATOR, new ServerChannelRecvByteBufAllocator().maxMessagesPerRead(1024))
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, Transports.ALLOCATOR)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(highWater / 2, highWater))
                .handler(new AcceptPacer(admission.handshakeRate()))
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        registry.countAccepted();
                        String remote = ChannelLink.remoteOf(ch);
                        String host = ConnectionCounts.hostOf(remote);
                        String refusal = counts.tryOpen(host, tether);
                        if (refusal != null) {
                            refuseOverLimit(ch, remote, tether, refusal);
                            return;
                        }
                        connections.add(ch);
                        WheelTicker timer = timers.get(ch.eventLoop());
                        if (tether) {
                            if (config.tls() != null) {
                                ch.pipeline().addLast("tls", Tls.serverHandler(config.tls().context(), ch.alloc()));
                            }
                            ch.pipeline().addLast("connection", new ChannelTransport(admission, timer, remote));
                            return;
                        }
                        ch.closeFuture().addListener(f -> counts.closed(host));
                        if (allowFilter != null) {
                            ch.pipeline().addLast("allow", allowFilter);
                        }
                        ChannelLink link = new ChannelLink(ch, timer, remote);
                        ch.pipeline()
                                .addLast("liveness", link.stamper())
                                .addLast("decoder", new LegacyFrameDecoder(config.limits().legacyMaxPayload(), buffers))
                                .addLast("handler", new LegacySessionHandler(admission, link));
                    }
                });
        // Registered first and bound after, so that SO_REUSEPORT is set, or its failure reported, before the bind.
        ChannelFuture registered = bootstrap.register().awaitUninterruptibly();
        if (!registered.isSuccess()) {
            throw PortSharing.bindFailed(config.host(), port, config.reusePort(), registered.cause());
        }
        Channel channel = registered.channel();
        try {
            if (config.reusePort()) {
                PortSharing.share(channel, config.host(), port);
            }
            ChannelFuture bound = channel.bind(new InetSocketAddress(config.host(), port)).awaitUninterruptibly();
            if (!bound.isSuccess()) {
                throw PortSharing.bindFailed(config.host(), port, config.reusePort(), bound.cause());
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return channel;
    }

    /**
     * A connection over a limit: a Tether client is told OVERLOADED, a classic one just closed. So is a
     * client of a TLS port: a frame could only reach it after a TLS handshake, the cost the limit spares.
     */
    private void refuseOverLimit(Channel ch, String remote, boolean tether, String why) {
        admission.rejected(remote, CloseReason.OVERLOADED, why, System.nanoTime());
        if (tether && config.tls() == null) {
            ch.writeAndFlush(Frames.goAway(ch.alloc(), CloseReason.OVERLOADED, why))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }

    public InetSocketAddress address() {
        if (compact != null) {
            return compact.address();
        }
        return listener == null ? null : (InetSocketAddress) listener.localAddress();
    }

    public InetSocketAddress legacyAddress() {
        return legacyListener == null ? null : (InetSocketAddress) legacyListener.localAddress();
    }

    /**
     * Stops accepting, takes every session offline with SERVER_SHUTDOWN (each client gets GOAWAY), waits
     * for the connections to close and for the listeners to receive every event, then stops the loops.
     */
    public synchronized void close() {
        if (closed || group == null) {
            return;
        }
        closed = true;
        registry.beginShutdown();
        for (Channel ch : new Channel[] {listener, legacyListener}) {
            if (ch != null) {
                ch.close().awaitUninterruptibly();
            }
        }
        if (compact != null) {
            compact.stopListening();
        }
        // beginShutdown() waited out registrations in progress, so this one sweep sees every admitted session.
        for (ServerSession session : registry.all()) {
            session.end(CloseReason.SERVER_SHUTDOWN, "server is shutting down");
        }
        // Connections still in their handshake were never online: tell them and let them go now.
        for (Channel ch : connections) {
            ChannelTransport transport = ChannelTransport.of(ch);
            if (transport != null) {
                ch.eventLoop().execute(() -> transport.connection().serverStopping());
            }
        }
        if (compact != null) {
            compact.refuseHandshakes();
        }
        long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
        try {
            if (!connections.newCloseFuture().await(config.shutdownTimeout().toMillis())) {
                connections.close();
            }
            long left = Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            if (compact != null && !compact.awaitClosed(left)) {
                compact.closeAll();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            connections.close();
            if (compact != null) {
                compact.closeAll();
            }
        }
        events.shutdown(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(config.shutdownTimeout().toMillis());
        log.info("Tether server stopped");
    }
}
