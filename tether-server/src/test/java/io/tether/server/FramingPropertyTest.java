package io.tether.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import io.tether.protocol.Hello;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The server's own parse of the Tether port over real sockets on 127.0.0.1 (on epoll, the compact engine's
 * {@code CompactConnection}; elsewhere the channel pipeline): HELLO, DATA frames of up to 100 KB (more than
 * one 64 KiB read) and PINGs, written in random chunks with Nagle off, so the server's reads end at many
 * different places, whole and mid-frame. Every DATA payload must reach the message handler once, whole and in
 * order, and every PING come back as a PONG with its payload. One server serves all tries; each try is a new
 * client. A failure prints jqwik's seed to replay it.
 */
class FramingPropertyTest {
    private static final int MAX_WRITES = 2000;
    private static final Map<String, List<byte[]>> RECEIVED = new ConcurrentHashMap<>();
    private static final AtomicInteger CLIENTS = new AtomicInteger();
    private static TetherServer server;

    @BeforeContainer
    static void startServer() throws Exception {
        server = TetherServer.builder()
                .host("127.0.0.1")
                .port(0)
                .heartbeat(HeartbeatPolicy.of(Duration.ofSeconds(1), Duration.ofSeconds(5)))
                .eventLoopThreads(2)
                .messageHandler((session, payload) ->
                        RECEIVED.computeIfAbsent(session.clientId(), id -> new CopyOnWriteArrayList<>()).add(payload))
                .build()
                .start();
    }

    @AfterContainer
    static void stopServer() {
        server.close();
    }

    @Property(tries = 25)
    void framesInAnyChunkingArriveWholeOnceAndInOrder(@ForAll("payloads") List<Payload> payloads,
            @ForAll @IntRange(max = 2) int pings, @ForAll @IntRange(max = 8) int pingAt,
            @ForAll("chunkSizes") List<Integer> chunks) throws Exception {
        List<byte[]> data = payloads.stream().map(Payload::bytes).toList();
        String id = "props-" + CLIENTS.incrementAndGet();
        ByteBuf wire = new Hello(Hello.PROTOCOL_VERSION, 1000, id).encode(UnpooledByteBufAllocator.DEFAULT);
        List<Integer> pingClocks = new ArrayList<>();
        for (int i = 0; i <= data.size(); i++) {
            if (i == Math.min(pingAt, data.size())) {
                for (int p = 0; p < pings; p++) {
                    pingClocks.add(1000 + p);
                    append(wire, Frames.ping(UnpooledByteBufAllocator.DEFAULT, 1000 + p, 0));
                }
            }
            if (i < data.size()) {
                append(wire, Frames.data(UnpooledByteBufAllocator.DEFAULT, data.get(i)));
            }
        }
        byte[] bytes = ByteBufUtil.getBytes(wire);
        wire.release();

        try (RawPeer peer = new RawPeer(server.address())) {
            peer.socket.setTcpNoDelay(true);
            int smallest = bytes.length / MAX_WRITES + 1; // keeps a try to a bounded number of writes
            int at = 0;
            for (int i = 0; at < bytes.length; i++) {
                int size = Math.min(Math.max(smallest, chunks.get(i % chunks.size())), bytes.length - at);
                peer.sendRaw(Arrays.copyOfRange(bytes, at, at + size));
                at += size;
            }
            assertThat(peer.read().type()).isEqualTo(FrameType.WELCOME);
            for (int clock : pingClocks) {
                RawPeer.Frame pong = peer.read();
                assertThat(pong.type()).isEqualTo(FrameType.PONG);
                assertThat(Unpooled.wrappedBuffer(pong.payload()).getInt(0)).isEqualTo(clock);
            }
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> RECEIVED.getOrDefault(id, List.of()).size() >= data.size());
            List<byte[]> received = RECEIVED.getOrDefault(id, List.of());
            assertThat(received).hasSameSizeAs(data);
            for (int i = 0; i < data.size(); i++) {
                assertThat(received.get(i)).as("DATA %d", i).isEqualTo(data.get(i));
            }
        } finally {
            RECEIVED.remove(id);
        }
    }

    private static void append(ByteBuf wire, ByteBuf frame) {
        wire.writeBytes(frame);
        frame.release();
    }

    /** A DATA payload, generated from its length and a seed so that a failure prints it in one line. */
    record Payload(int length, int seed) {
        byte[] bytes() {
            byte[] payload = new byte[length];
            new Random(seed).nextBytes(payload);
            return payload;
        }
    }

    /** Up to 6 payloads, mostly small, some larger than one of the server's 64 KiB reads. */
    @Provide
    Arbitrary<List<Payload>> payloads() {
        Arbitrary<Integer> lengths = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.integers().between(0, 3000)),
                Tuple.of(1, Arbitraries.integers().between(60_000, 100_000)));
        return Combinators.combine(lengths, Arbitraries.integers()).as(Payload::new).list().ofMaxSize(6);
    }

    @Provide
    Arbitrary<List<Integer>> chunkSizes() {
        return Arbitraries.oneOf(Arbitraries.integers().between(1, 64), Arbitraries.integers().between(1, 20_000))
                .list().ofMinSize(1).ofMaxSize(12);
    }
}
