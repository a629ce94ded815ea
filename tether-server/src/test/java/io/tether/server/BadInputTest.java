package io.tether.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tether.protocol.CloseReason;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import io.tether.protocol.Hello;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad input gets a GOAWAY naming the problem and a closed connection, and only that
 * connection suffers: a healthy client heartbeating beside it never sees an OFFLINE.
 */
class BadInputTest extends ServerHarness {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private TetherServer server;
    private RawPeer healthy;

    @BeforeEach
    void startServerWithHealthyClient() throws Exception {
        server = start(fastServer().maxPayload(4096));
        healthy = new RawPeer(server.address());
        healthy.hello("healthy", 1000); // a 3 s timeout: the healthy peer must not depend on this machine's load
        presence.awaitOnline("healthy");
        timer.scheduleAtFixedRate(() -> {
            try {
                healthy.ping(1, 0);
                healthy.read();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, 0, 25, TimeUnit.MILLISECONDS);
    }

    @AfterEach
    void checkHealthyClientUnaffected() throws Exception {
        timer.shutdownNow();
        assertThat(presence.of("healthy")).extracting(PresenceEvent::type).containsExactly(PresenceEvent.Type.ONLINE);
        assertThat(server.isOnline("healthy")).isTrue();
        healthy.close();
    }

    record BadInput(String name, boolean afterHandshake, byte[] bytes, CloseReason reason, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                bad("garbage instead of a handshake", false, ascii("GET / HTTP/1.1\r\n\r\n"), "unknown frame type 0x47"),
                bad("DATA before the handshake", false, wire(Frames.data(UnpooledByteBufAllocator.DEFAULT, new byte[3])), "expected HELLO"),
                bad("handshake with bad magic", false, hello(0x12345678, 1, "x"), "bad handshake magic"),
                bad("handshake with unknown version", false, hello(Hello.MAGIC, 9, "x"), "unsupported protocol version 9"),
                bad("truncated handshake", false, truncatedHello(), "does not match"),
                // A valid HELLO is at most 4,363 bytes: a header announcing more is refused before its payload.
                bad("HELLO announcing 5000 bytes", false, header(FrameType.HELLO.code(), 0, 5000),
                        "HELLO announces 5000 bytes; a HELLO is at most 4363"),
                bad("version 2 HELLO without its credential length", false, hello(Hello.MAGIC, 2, "x"),
                        "client id length 1 and credential length 0 do not match a payload of 11 bytes"),
                bad("version 2 HELLO announcing a 5000-byte credential", false, helloWithCredentialLength(5000),
                        "a credential of 5000 bytes; at most 4096 are allowed"),
                bad("version 2 HELLO with a credential shorter than announced", false, helloWithCredentialLength(40),
                        "client id length 1 and credential length 40 do not match a payload of 23 bytes"),
                bad("version 2 HELLO with a credential longer than announced", false, helloWithCredentialLength(5),
                        "client id length 1 and credential length 5 do not match a payload of 23 bytes"),
                bad("version 2 HELLO announcing a 65535-byte credential", false, helloWithCredentialLength(0xFFFF),
                        "a credential of 65535 bytes; at most 4096 are allowed"),
                // Whole frames within a HELLO's 4,363 bytes whose credentials are over 4,096: refused once read.
                bad("version 2 HELLO carrying a 4097-byte credential", false, helloWithCredential(4097, 4097),
                        "a credential of 4097 bytes; at most 4096 are allowed"),
                bad("4363-byte version 2 HELLO announcing a 4350-byte credential", false, helloWithCredential(4350, 4350),
                        "a credential of 4350 bytes; at most 4096 are allowed"),
                bad("HELLO announcing 4364 bytes", false, header(FrameType.HELLO.code(), 0, Hello.MAX_PAYLOAD + 1),
                        "HELLO announces 4364 bytes; a HELLO is at most 4363"),
                bad("HELLO announcing 4 GiB", false, header(FrameType.HELLO.code(), 0, -1),
                        "HELLO announces 4294967295 bytes"),
                bad("client id that is not UTF-8", false, helloWithId(new byte[] {'d', 'e', 'v', (byte) 0xff}),
                        "client id is not valid UTF-8"),
                bad("client id with a bidi override", false, hello(Hello.MAGIC, 1, "user\u202Egnp.exe"),
                        "format character U+202E"),
                bad("client id with a line separator", false, hello(Hello.MAGIC, 1, "a\u2028b"),
                        "line or paragraph separator U+2028"),
                bad("oversized length", true, header(FrameType.DATA.code(), 0, 1 << 30), "exceeds the maximum payload"),
                bad("unknown frame type", true, header(0x7f, 0, 0), "unknown frame type 0x7f"),
                bad("unknown flags", true, header(FrameType.DATA.code(), 0x80, 0), "unsupported frame flags"),
                bad("second HELLO", true, hello(Hello.MAGIC, 1, "again"), "only allowed during the handshake"),
                bad("oversized PING", true, wire(frame(FrameType.PING, new byte[9])), "PING payload of 9 bytes"),
                // The protocol allows a PING of 0 or 8 bytes, nothing between.
                bad("4-byte PING", true, wire(frame(FrameType.PING, new byte[4])), "PING payload of 4 bytes"),
                bad("REQUEST without correlation id", true, wire(frame(FrameType.REQUEST, new byte[2])), "shorter than"),
                bad("REQUEST with correlation id 0", true, wire(frame(FrameType.REQUEST, new byte[6])), "correlation id 0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void badInputGetsAClearCloseReasonAndAffectsOnlyItsConnection(BadInput input) throws Exception {
        String id = "bad-" + Math.abs(input.name().hashCode());
        try (RawPeer peer = new RawPeer(server.address())) {
            if (input.afterHandshake()) {
                peer.hello(id, 0);
                presence.awaitOnline(id);
            }
            peer.sendRaw(input.bytes());

            RawPeer.Frame goAway = peer.readGoAway();
            assertThat(goAway.goAwayReason()).isEqualTo(input.reason());
            assertThat(goAway.goAwayMessage()).contains(input.message());
            assertThat(peer.isClosedByServer()).isTrue();
            if (input.afterHandshake()) {
                assertThat(presence.awaitOffline(id, input.reason()).detail()).contains(input.message());
            } else {
                assertThat(presence.of(id)).isEmpty();
                await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().rejected() >= 1);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void clientThatPingsFarTooOftenIsToldAndThenDisconnected() throws Exception {
        try (RawPeer abuser = new RawPeer(server.address())) {
            abuser.hello("abuser", 100); // allowed: 3 pings per 100 ms
            boolean warned = false;
            RawPeer.Frame goAway = null;
            // Ping as fast as possible, bounded in count and time: strikes accrue once per 100 ms interval,
            // so the loop must outlast three intervals however fast this machine sends.
            long giveUpAt = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            for (int i = 0; i < 10_000_000 && goAway == null && System.nanoTime() < giveUpAt; i++) {
                abuser.ping(i, 0);
                if (abuser.hasFrameWaiting()) {
                    RawPeer.Frame frame = abuser.read();
                    if (frame.type() == FrameType.ERROR) {
                        warned = true;
                        assertThat(new String(frame.payload(), 6, frame.payload().length - 6, StandardCharsets.UTF_8))
                                .contains("too_many_pings");
                    } else if (frame.type() == FrameType.GOAWAY) {
                        goAway = frame;
                    }
                }
            }
            assertThat(warned).as("told before being disconnected").isTrue();
            assertThat(goAway).isNotNull();
            assertThat(goAway.goAwayReason()).isEqualTo(CloseReason.TOO_MANY_PINGS);
            assertThat(presence.awaitOffline("abuser", CloseReason.TOO_MANY_PINGS).detail()).contains("strike 3 of 3");
        }
    }

    @ParameterizedTest(name = "stall after {0} bytes of a frame")
    @MethodSource("stallPoints")
    void clientThatStallsMidFrameTimesOutWithTheStallNamed(int bytesSent) throws Exception {
        try (RawPeer peer = new RawPeer(server.address())) {
            peer.hello("staller", 0);
            byte[] whole = wire(Frames.data(UnpooledByteBufAllocator.DEFAULT, new byte[1000]));
            peer.sendRaw(java.util.Arrays.copyOf(whole, bytesSent));

            PresenceEvent offline = presence.awaitOffline("staller", CloseReason.TIMEOUT);
            assertThat(offline.detail()).contains("stalled mid-").contains(bytesSent + " of");
            assertThat(peer.readGoAway().goAwayReason()).isEqualTo(CloseReason.TIMEOUT);
        }
    }

    static Stream<Integer> stallPoints() {
        return Stream.of(3, 500);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("silentBeforeHandshake")
    void connectionThatNeverCompletesTheHandshakeIsClosedAfterTheHandshakeTimeout(String name, byte[] prefix)
            throws Exception {
        try (RawPeer peer = new RawPeer(server.address())) {
            peer.sendRaw(prefix);
            RawPeer.Frame goAway = peer.readGoAway();
            assertThat(goAway.goAwayReason()).isEqualTo(CloseReason.PROTOCOL_ERROR);
            assertThat(goAway.goAwayMessage()).contains("no HELLO within 500 ms");
            assertThat(peer.isClosedByServer()).isTrue();
        }
    }

    /** Defect: a REQUEST to a server without a request handler was answered HANDLER_FAILED, not NO_HANDLER. */
    @org.junit.jupiter.api.Test
    void requestWithoutAHandlerIsAnsweredNoHandler() throws Exception {
        try (RawPeer peer = new RawPeer(server.address())) {
            peer.hello("asker", 0);
            peer.send(Frames.request(UnpooledByteBufAllocator.DEFAULT, 42, new byte[] {1}));
            RawPeer.Frame answer = peer.read();
            assertThat(answer.type()).isEqualTo(FrameType.ERROR);
            java.nio.ByteBuffer payload = java.nio.ByteBuffer.wrap(answer.payload());
            assertThat(payload.getInt()).isEqualTo(42);
            assertThat(io.tether.protocol.ErrorCode.fromCode(payload.getShort() & 0xffff))
                    .isEqualTo(io.tether.protocol.ErrorCode.NO_HANDLER);
            assertThat(server.isOnline("asker")).isTrue();
        }
    }

    static Stream<Arguments> silentBeforeHandshake() {
        byte[] hello = hello(Hello.MAGIC, 1, "slowpoke");
        return Stream.of(Arguments.of("nothing at all", new byte[0]),
                Arguments.of("half a HELLO", java.util.Arrays.copyOf(hello, hello.length / 2)));
    }

    private static Arguments bad(String name, boolean afterHandshake, byte[] bytes, String message) {
        return Arguments.of(new BadInput(name, afterHandshake, bytes, CloseReason.PROTOCOL_ERROR, message));
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static ByteBuf frame(FrameType type, byte[] payload) {
        ByteBuf out = Unpooled.buffer();
        Frames.writeHeader(out, type, payload.length);
        out.writeBytes(payload);
        return out;
    }

    private static byte[] header(int type, int flags, int length) {
        return new byte[] {(byte) type, (byte) flags, (byte) (length >>> 24), (byte) (length >>> 16),
                (byte) (length >>> 8), (byte) length};
    }

    private static byte[] hello(int magic, int version, String id) {
        return helloWithId(magic, version, id.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] helloWithId(byte[] idBytes) {
        return helloWithId(Hello.MAGIC, 1, idBytes);
    }

    private static byte[] helloWithId(int magic, int version, byte[] idBytes) {
        ByteBuf out = Unpooled.buffer();
        Frames.writeHeader(out, FrameType.HELLO, 10 + idBytes.length);
        out.writeInt(magic).writeByte(version).writeInt(0).writeByte(idBytes.length).writeBytes(idBytes);
        return wire(out);
    }

    /** A version 2 HELLO from "x" that says its credential has {@code announced} bytes and carries 10. */
    private static byte[] helloWithCredentialLength(int announced) {
        ByteBuf out = Unpooled.buffer();
        Frames.writeHeader(out, FrameType.HELLO, 10 + 1 + 2 + 10);
        out.writeInt(Hello.MAGIC).writeByte(2).writeInt(0).writeByte(1).writeByte('x').writeShort(announced).writeZero(10);
        return wire(out);
    }

    /** A version 2 HELLO from "x" whose credential length says {@code announced} and which carries {@code carried} bytes. */
    private static byte[] helloWithCredential(int announced, int carried) {
        ByteBuf out = Unpooled.buffer();
        Frames.writeHeader(out, FrameType.HELLO, 10 + 1 + 2 + carried);
        out.writeInt(Hello.MAGIC).writeByte(2).writeInt(0).writeByte(1).writeByte('x').writeShort(announced)
                .writeBytes("s".repeat(carried).getBytes(StandardCharsets.US_ASCII));
        return wire(out);
    }

    private static byte[] truncatedHello() {
        ByteBuf out = Unpooled.buffer();
        Frames.writeHeader(out, FrameType.HELLO, 11);
        out.writeInt(Hello.MAGIC).writeByte(1).writeInt(0).writeByte(40).writeByte('a');
        return wire(out);
    }

    static byte[] wire(ByteBuf frame) {
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes);
        frame.release();
        return bytes;
    }
}
