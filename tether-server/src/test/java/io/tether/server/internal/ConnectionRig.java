package io.tether.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.DefaultEventLoop;
import io.netty.util.concurrent.Future;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.internal.MemoryBudget;
import io.tether.internal.SerialDispatcher;
import io.tether.internal.WheelTicker;
import io.tether.protocol.Frames;
import io.tether.protocol.Hello;
import io.tether.server.Authenticator;
import io.tether.server.MessageHandler;
import io.tether.server.PresenceEvent;
import io.tether.server.PresenceListener;
import io.tether.server.RequestHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a {@link ServerConnection} runs in, without sockets: a real event loop, its {@link WheelTicker} on a
 * test clock that moves only when a test says so, and a real {@link Admission} over a real registry whose
 * presence events are recorded. Every step runs on the loop and returns once the loop has done what the step
 * set off (the chores that close connections included), so a test asserts exact outcomes at exact times.
 *
 * <p>The ticker also schedules real wake-ups on the loop; they poll the wheel with the test clock, which has
 * not moved since the step that last polled it, so they find nothing due.
 */
final class ConnectionRig implements AutoCloseable {
    static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    /** Where the test clock starts: any value; nanoTime values need not be near zero. */
    private static final long START = 7_000_000 * MS;
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofMillis(500);
    static final HeartbeatPolicy HEARTBEAT = HeartbeatPolicy.of(Duration.ofMillis(100), Duration.ofMillis(300));
    static final int MAX_PINGS_PER_INTERVAL = 10;
    /** How often {@link #advanceTo} polls: well within the pause guard's tolerance, as a live loop polls. */
    static final long POLL_STEP_MILLIS = 10;

    final DefaultEventLoop loop = new DefaultEventLoop();
    private final AtomicLong clock = new AtomicLong(START);
    final WheelTicker ticker = new WheelTicker(loop, clock::get);
    final List<byte[]> messages = new CopyOnWriteArrayList<>();
    final ServerConfig config;
    final ConnectionCounts counts;
    final MemoryBudget buffers;
    final SessionRegistry registry;
    final Admission admission;
    private final List<PresenceEvent> events = new CopyOnWriteArrayList<>();
    private final Map<String, CountDownLatch> barriers = new ConcurrentHashMap<>();
    private final AtomicLong barrierCount = new AtomicLong();
    private final SerialDispatcher<PresenceListener, PresenceEvent> dispatcher;
    private final List<RecordingTransport> transports = new ArrayList<>();
    private int nextPort = 40_000;

    /** {@code requests} answers REQUEST frames (null: none). */
    ConnectionRig(RequestHandler requests) {
        this(requests, null);
    }

    /** {@link #ConnectionRig(RequestHandler)} whose clients {@code authenticator} must admit (null: anonymous). */
    ConnectionRig(RequestHandler requests, Authenticator authenticator) {
        PresenceListener record = event -> {
            CountDownLatch barrier = barriers.remove(event.clientId());
            if (barrier != null) {
                barrier.countDown();
            } else {
                events.add(event);
            }
        };
        config = config(List.of(), (session, payload) -> messages.add(payload), requests, authenticator);
        // Built as ServerRuntime builds them.
        dispatcher = new SerialDispatcher<>("rig-events", List.of(record), PresenceListener::onPresence);
        registry = new SessionRegistry(dispatcher);
        counts = new ConnectionCounts(config.limits());
        buffers = new MemoryBudget(config.limits().maxBufferedBytes());
        admission = new Admission(registry, config, counts, buffers, START);
    }

    /** The configuration the rig's connections run with; {@code requests} may be null. */
    static ServerConfig config(List<PresenceListener> listeners, MessageHandler messages, RequestHandler requests) {
        return config(listeners, messages, requests, null);
    }

    /** {@link #config(List, MessageHandler, RequestHandler)} with clients authenticated by {@code authenticator}. */
    static ServerConfig config(List<PresenceListener> listeners, MessageHandler messages, RequestHandler requests,
                               Authenticator authenticator) {
        Limits limits = new Limits(MAX_PINGS_PER_INTERVAL, 1_000, 16L << 20, 100, 100, 0, 0, 1L << 20, 16 << 10, List.of());
        return new ServerConfig("127.0.0.1", 0, -1, false, HEARTBEAT, Duration.ofMillis(10), Duration.ofSeconds(1),
                HANDSHAKE_TIMEOUT, 4096, 64 << 10, limits, 1, listeners, messages, requests, Duration.ofSeconds(1), null, null,
                authenticator);
    }

    // ---- Time.

    /** The test clock, in ms since the rig started. */
    long nowMillis() {
        return (clock.get() - START) / MS;
    }

    /**
     * Moves the clock to {@code millis} after the start as a live loop would see it pass: polling the wheel
     * every {@value #POLL_STEP_MILLIS} ms on the way and at {@code millis} itself. Each poll is a step of its
     * own, so what a verdict sets off happens at the verdict's time.
     */
    void advanceTo(long millis) {
        advanceToNanos(millis * MS);
    }

    void advanceToNanos(long nanos) {
        long target = START + nanos;
        if (target < clock.get()) {
            throw new IllegalArgumentException("the test clock only moves forward");
        }
        long step = POLL_STEP_MILLIS * MS;
        for (long at = Math.min(target, clock.get() + step); ; at = Math.min(target, at + step)) {
            pollAt(at);
            if (at == target) {
                return;
            }
        }
    }

    /** Moves the clock to {@code millis} in one jump, with no poll on the way: the loop was stalled. */
    void stallUntil(long millis) {
        pollAt(START + millis * MS);
    }

    private void pollAt(long nanos) {
        onLoop(() -> {
            clock.set(nanos);
            ticker.run();
        });
    }

    // ---- Connections.

    /** Accepts a connection as the server does: counted, then opened, its handshake clock starting now. */
    RecordingTransport connect() {
        return onLoop(() -> {
            String remote = "10.0.0.1:" + nextPort++;
            assertThat(counts.tryOpen(ConnectionCounts.hostOf(remote), true)).isNull();
            RecordingTransport transport = new RecordingTransport(loop, remote);
            transport.connection = new ServerConnection(transport, admission, ticker);
            transports.add(transport);
            transport.connection.opened();
            return transport;
        });
    }

    /** A connection that has said HELLO as {@code clientId} and was answered WELCOME. */
    RecordingTransport online(String clientId) {
        RecordingTransport transport = connect();
        receive(transport, hello(clientId));
        assertThat(transport.types()).as("answer to HELLO").containsExactly(io.tether.protocol.FrameType.WELCOME);
        return transport;
    }

    /** Each array is one read, handed to the connection in order. */
    void receive(RecordingTransport transport, byte[]... reads) {
        onLoop(() -> {
            for (byte[] read : reads) {
                ByteBuf in = Unpooled.wrappedBuffer(read);
                transport.connection.received(in);
                in.release();
            }
            return null;
        });
    }

    /** Runs {@code step} on the loop, then lets the loop finish what it set off. */
    <T> T onLoop(Callable<T> step) {
        T result = await(loop.submit(step));
        settle();
        return result;
    }

    void onLoop(Runnable step) {
        onLoop(() -> {
            step.run();
            return null;
        });
    }

    /**
     * Returns once the loop has run what is queued: tasks handed to it from other threads, and the chores
     * (zero-delay scheduled tasks) those set off in turn. Bounded: three rounds of a task and a zero-delay one.
     */
    void settle() {
        for (int i = 0; i < 3; i++) {
            await(loop.submit(() -> { }));
            await(loop.schedule(() -> { }, 0, TimeUnit.NANOSECONDS));
        }
    }

    private static <T> T await(Future<T> future) {
        assertThat(future.awaitUninterruptibly(10, TimeUnit.SECONDS)).as("the loop did the step").isTrue();
        if (!future.isSuccess()) {
            throw new AssertionError("step failed on the loop", future.cause());
        }
        return future.getNow();
    }

    // ---- Presence.

    /** Every presence event published so far, once the dispatcher has delivered them all. */
    List<PresenceEvent> presence() {
        String barrier = "barrier-" + barrierCount.incrementAndGet();
        CountDownLatch delivered = new CountDownLatch(1);
        barriers.put(barrier, delivered);
        dispatcher.publish(new PresenceEvent(PresenceEvent.Type.ONLINE, barrier, -1, "", null, "", 0, 0, false, 0, null));
        try {
            assertThat(delivered.await(10, TimeUnit.SECONDS)).as("presence events delivered").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return List.copyOf(events);
    }

    /**
     * The promise presence makes, over everything recorded: per session one ONLINE, then one OFFLINE; with
     * {@code ended}, every session has had its OFFLINE.
     */
    void assertTruthful(boolean ended) {
        Map<Long, List<PresenceEvent.Type>> bySession = new LinkedHashMap<>();
        List<PresenceEvent> all = presence();
        for (PresenceEvent event : all) {
            bySession.computeIfAbsent(event.sessionId(), id -> new ArrayList<>()).add(event.type());
        }
        List<PresenceEvent.Type> whole = List.of(PresenceEvent.Type.ONLINE, PresenceEvent.Type.OFFLINE);
        bySession.forEach((id, types) -> assertThat(types.equals(whole)
                || (!ended && types.equals(List.of(PresenceEvent.Type.ONLINE))))
                .as("session %d had events %s: %s", id, types, all).isTrue());
    }

    /** Ends every connection still open as a peer's close would, and checks every count came back to zero. */
    void endAllAndCheckBalances() {
        for (RecordingTransport transport : transports) {
            onLoop(transport.connection::ended);
        }
        assertTruthful(true);
        assertThat(counts.handshakes()).as("connections in their handshake").isZero();
        assertThat(counts.open()).as("open connections").isZero();
        assertThat(buffers.held()).as("bytes held for partial frames").isZero();
        assertThat(registry.size()).as("sessions online").isZero();
    }

    /** {@link #endAllAndCheckBalances}, then {@link #close}, whatever the check found. */
    void endCheckBalancesAndClose() {
        try {
            endAllAndCheckBalances();
        } finally {
            close();
        }
    }

    @Override
    public void close() {
        loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        dispatcher.shutdown(Duration.ofSeconds(1));
    }

    // ---- Frames as a peer writes them.

    static byte[] hello(String clientId) {
        return wire(new Hello(Hello.PROTOCOL_VERSION, 0, clientId).encode(UnpooledByteBufAllocator.DEFAULT));
    }

    /** A version 2 HELLO that carries {@code credential}. */
    static byte[] hello(String clientId, byte[] credential) {
        return wire(new Hello(Hello.CREDENTIAL_VERSION, 0, clientId, credential).encode(UnpooledByteBufAllocator.DEFAULT));
    }

    static byte[] ping(int clockMicros) {
        return wire(Frames.ping(UnpooledByteBufAllocator.DEFAULT, clockMicros, 0));
    }

    static byte[] data(String text) {
        return wire(Frames.data(UnpooledByteBufAllocator.DEFAULT, text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    static byte[] wire(ByteBuf frame) {
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes);
        frame.release();
        return bytes;
    }

    static byte[] concat(byte[]... parts) {
        ByteBuf all = Unpooled.buffer();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return wire(all);
    }
}
