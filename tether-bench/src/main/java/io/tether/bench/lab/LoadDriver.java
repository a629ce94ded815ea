package io.tether.bench.lab;

import io.netty.bootstrap.Bootstrap;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.tether.internal.Tls;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.tether.internal.Transports;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Holds one process's share of the load: opens connections at a steady rate, then pings on each at a
 * fixed interval from a randomly placed phase, and records every round trip. Everything a connection
 * does runs on its event loop; the counters and the recorder are the only shared state.
 */
final class LoadDriver implements AutoCloseable {
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Wire wire;
    private final InetSocketAddress target;
    private final Duration interval;
    private final String idPrefix;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final SslContext tlsContext;
    private final Map<EventLoop, PingWheel> wheels = new IdentityHashMap<>();
    private final List<Channel> channels = new ArrayList<>();

    private final AtomicInteger nextId = new AtomicInteger();
    private final LongAdder attempted = new LongAdder();
    private final LongAdder ready = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder unexpected = new LongAdder();
    private final LongAdder pings = new LongAdder();
    private final LongAdder pongs = new LongAdder();
    private final LongAdder missing = new LongAdder();
    private final Recorder rtt = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
    private volatile Counts windowStart = Counts.ZERO;
    private volatile String firstProblem;

    public LoadDriver(Wire wire, InetSocketAddress target, Duration interval, int threads, String idPrefix) {
        this(wire, target, interval, threads, idPrefix, false);
    }

    /**
     * With {@code tls}, every connection speaks TLS (1.3 or 1.2) to the server, trusting any certificate: a
     * load generator measures the cost of TLS, not who the server is.
     */
    public LoadDriver(Wire wire, InetSocketAddress target, Duration interval, int threads, String idPrefix, boolean tls) {
        this.wire = wire;
        this.target = target;
        this.interval = interval;
        this.idPrefix = idPrefix;
        this.group = Transports.newGroup(threads, "load", true);
        for (EventExecutor executor : group) {
            EventLoop loop = (EventLoop) executor;
            PingWheel wheel = new PingWheel(Math.toIntExact(Math.max(1, interval.toNanos() / TICK_NANOS)));
            wheels.put(loop, wheel);
            loop.scheduleAtFixedRate(wheel, 1, 1, TimeUnit.MILLISECONDS);
        }
        this.tlsContext = tls ? trustingAnyCertificate() : null;
        this.bootstrap = new Bootstrap().group(group).channel(Transports.socketChannelType())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tlsContext != null) {
                            ch.pipeline().addLast(tlsContext.newHandler(ch.alloc(), target.getHostString(), target.getPort()));
                        }
                        ch.pipeline().addLast(wire.decoder(), new Connection());
                    }
                });
    }

    private static SslContext trustingAnyCertificate() {
        try {
            return SslContextBuilder.forClient().sslProvider(Tls.provider()).protocols("TLSv1.3", "TLSv1.2")
                    .trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        } catch (javax.net.ssl.SSLException e) {
            throw new IllegalStateException("cannot set up TLS for the load: " + e.getMessage(), e);
        }
    }

    /**
     * Opens {@code count} connections, {@code perSecond} a second, and returns once each has either
     * finished its handshake or failed, or after {@code limit}.
     */
    public void open(int count, int perSecond, Duration limit) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        for (int i = 0; i < count; i++) {
            long due = start + (long) i * 1_000_000_000L / perSecond;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait); // pacing the connects, not waiting for a result
            }
            attempted.increment();
            Channel channel = bootstrap.connect(target).addListener(f -> {
                if (!f.isSuccess()) {
                    failed.increment();
                    problem("connect failed: " + f.cause());
                }
            }).channel();
            synchronized (channels) {
                channels.add(channel);
            }
        }
        while (ready.sum() + failed.sum() + dropped.sum() < count && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(10); // polling a count that no single event signals
        }
    }

    public long ready() {
        return ready.sum();
    }

    public long failed() {
        return failed.sum();
    }

    /** Starts the measured window: counts and the round-trip histogram begin again from zero. */
    public void startWindow() {
        rtt.getIntervalHistogram();
        windowStart = counts();
    }

    /** Ends the measured window and returns what happened in it. */
    public Window endWindow() {
        Histogram histogram = rtt.getIntervalHistogram();
        Counts end = counts();
        Counts start = windowStart;
        return new Window(attempted.sum(), ready.sum(), failed.sum(), dropped.sum(), refused.sum(), unexpected.sum(),
                end.pings - start.pings, end.pongs - start.pongs, end.missing - start.missing, histogram, firstProblem);
    }

    /** Closes every connection with a reset, so that no TIME_WAIT is left to use up local ports. */
    @Override
    public void close() {
        synchronized (channels) {
            for (Channel channel : channels) {
                if (channel.isOpen()) {
                    channel.eventLoop().execute(() -> {
                        if (channel.isOpen()) {
                            channel.config().setOption(ChannelOption.SO_LINGER, 0);
                            channel.close();
                        }
                    });
                }
            }
        }
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private Counts counts() {
        return new Counts(pings.sum(), pongs.sum(), missing.sum());
    }

    private void problem(String text) {
        if (firstProblem == null) {
            firstProblem = text;
        }
    }

    private record Counts(long pings, long pongs, long missing) {
        static final Counts ZERO = new Counts(0, 0, 0);
    }

    /** What one window saw. Round trips are in nanoseconds. */
    public record Window(long attempted, long ready, long failed, long dropped, long refused, long unexpected,
                         long pings, long pongs, long missing, Histogram rtt, String firstProblem) {
        public long held() {
            return ready - dropped;
        }

        /** This window and another process's, added up: counts summed, round trips merged. */
        Window plus(Window other) {
            Histogram both = rtt.copy();
            both.add(other.rtt);
            return new Window(attempted + other.attempted, ready + other.ready, failed + other.failed,
                    dropped + other.dropped, refused + other.refused, unexpected + other.unexpected,
                    pings + other.pings, pongs + other.pongs, missing + other.missing, both,
                    firstProblem != null ? firstProblem : other.firstProblem);
        }
    }

    /** One connection's heartbeat state; touched only on its event loop. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        private Channel channel;
        private long sentAt;
        private boolean isReady;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            channel = ctx.channel();
            ByteBuf greeting = wire.greeting(idPrefix + nextId.getAndIncrement(), interval);
            if (greeting == null) {
                becomeReady(ctx);
            } else {
                ctx.writeAndFlush(greeting, ctx.voidPromise());
            }
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            switch ((Wire.Reply) msg) {
                case PONG -> {
                    if (sentAt != 0) {
                        rtt.recordValue(Math.min(System.nanoTime() - sentAt, TimeUnit.SECONDS.toNanos(60)));
                        sentAt = 0;
                        pongs.increment();
                    }
                }
                case READY -> becomeReady(ctx);
                case REFUSED -> {
                    refused.increment();
                    problem("the server refused or ended a session");
                    ctx.close();
                }
                case UNEXPECTED -> {
                    unexpected.increment();
                    problem("the server sent something this tool did not expect");
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (isReady) {
                dropped.increment();
                problem("the server closed a connection");
            } else {
                failed.increment();
                problem("the connection closed before its handshake finished");
            }
            isReady = false;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            problem("connection error: " + cause);
            ctx.close();
        }

        private void becomeReady(ChannelHandlerContext ctx) {
            if (!isReady) {
                isReady = true;
                ready.increment();
                wheels.get(ctx.channel().eventLoop()).add(this);
            }
        }

        /** Called by the wheel at this connection's phase; false once the connection is gone. */
        boolean pingDue() {
            if (!isReady) {
                return false;
            }
            if (sentAt != 0) {
                missing.increment(); // the last pong is an interval late: skip this ping, keep measuring it
                return true;
            }
            sentAt = System.nanoTime();
            pings.increment();
            channel.writeAndFlush(wire.ping(), channel.voidPromise());
            return true;
        }
    }

    /**
     * A timing wheel with one slot per millisecond of the interval: each connection sits in a random slot,
     * which spreads the phases evenly, and one 1 ms tick pings a slot's worth of connections.
     */
    private static final class PingWheel implements Runnable {
        private final List<Connection>[] slots;
        private final long startNanos = System.nanoTime();
        private long nextTick;

        @SuppressWarnings("unchecked")
        PingWheel(int slotCount) {
            slots = new List[slotCount];
            for (int i = 0; i < slotCount; i++) {
                slots[i] = new ArrayList<>();
            }
        }

        void add(Connection connection) {
            slots[ThreadLocalRandom.current().nextInt(slots.length)].add(connection);
        }

        @Override
        public void run() {
            long dueTick = (System.nanoTime() - startNanos) / TICK_NANOS;
            for (; nextTick <= dueTick; nextTick++) {
                List<Connection> slot = slots[(int) (nextTick % slots.length)];
                for (int i = slot.size() - 1; i >= 0; i--) {
                    if (!slot.get(i).pingDue()) {
                        slot.set(i, slot.get(slot.size() - 1));
                        slot.remove(slot.size() - 1);
                    }
                }
            }
        }
    }
}
