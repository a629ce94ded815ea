package io.tether.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tether.protocol.CloseReason;
import io.tether.protocol.ErrorCode;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Every limit holds, says why it refused, and affects only the connection over it. */
class LimitsTest extends ServerHarness {
    private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    /** Defect: only PING was rate-limited; a flood of DATA or REQUEST frames went on for ever. */
    @Test
    void floodOfFramesIsToldRateLimitedThenDisconnected() throws Exception {
        // A slow heartbeat: the healthy peer stays online without pinging while the flood goes on.
        TetherServer server = start(fastServer().maxRatePerSecond(200, 1 << 20)
                .heartbeat(io.tether.heartbeat.HeartbeatPolicy.of(Duration.ofSeconds(10), Duration.ofSeconds(30))));
        try (RawPeer healthy = new RawPeer(server.address()); RawPeer flooder = new RawPeer(server.address())) {
            healthy.hello("healthy", 0);
            flooder.hello("flooder", 0);
            byte[] data = RawPeerFrames.wire(Frames.data(ALLOC, new byte[16]));
            byte[] burst = new byte[data.length * 100];
            for (int i = 0; i < 100; i++) {
                System.arraycopy(data, 0, burst, i * data.length, data.length);
            }
            boolean warned = false;
            RawPeer.Frame goAway = null;
            long giveUpAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            // Bounded in count and time; strikes accrue once per second over the limit, so it must outlast 3 s.
            for (int i = 0; i < 1_000_000 && goAway == null && System.nanoTime() < giveUpAt; i++) {
                try {
                    flooder.sendRaw(burst);
                } catch (IOException closed) {
                    break;
                }
                while (flooder.hasFrameWaiting()) {
                    RawPeer.Frame frame = flooder.read();
                    if (frame.type() == FrameType.ERROR) {
                        assertThat(ByteBuffer.wrap(frame.payload(), 4, 2).getShort()).isEqualTo((short) ErrorCode.RATE_LIMITED.code());
                        warned = true;
                    } else if (frame.type() == FrameType.GOAWAY) {
                        goAway = frame;
                    }
                }
            }
            PresenceEvent offline = presence.awaitOffline("flooder", CloseReason.RATE_LIMITED);
            assertThat(offline.detail()).contains("more than 200 frames within 1 s (strike 3 of 3)");
            assertThat(warned || goAway != null).as("told why").isTrue();
            assertThat(server.isOnline("healthy")).isTrue();
            assertThat(presence.of("healthy")).hasSize(1);
            // The flood was dropped, not processed: at most the allowed 200 a second reached the handler.
            assertThat(messages.size()).isLessThanOrEqualTo(200 * 5);
        }
    }

    @Test
    void connectionsOverTheLimitAreRefusedOverloadedAndTheCountIsGivenBack() throws Exception {
        TetherServer server = start(fastServer().maxConnections(3, 3, 0));
        RawPeer a = new RawPeer(server.address());
        RawPeer b = new RawPeer(server.address());
        RawPeer c = new RawPeer(server.address());
        a.hello("a", 0);
        b.hello("b", 0);
        c.hello("c", 0);
        try (RawPeer d = new RawPeer(server.address())) {
            RawPeer.Frame refused = d.read();
            assertThat(refused.type()).isEqualTo(FrameType.GOAWAY);
            assertThat(refused.goAwayReason()).isEqualTo(CloseReason.OVERLOADED);
            assertThat(refused.goAwayMessage()).isEqualTo("server is at its limit of 3 connections");
            assertThat(d.isClosedByServer()).isTrue();
        }
        assertThat(server.stats().connections()).isEqualTo(3);
        c.close();
        presence.awaitOffline("c");
        // The slot is free again once the server has seen the close.
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            try (RawPeer e = new RawPeer(server.address())) {
                return e.hello("e", 0) != null;
            }
        });
        a.close();
        b.close();
        assertThat(server.stats().rejected()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void handshakesOverTheLimitAreRefusedUntilOneCompletes() throws Exception {
        TetherServer server = start(fastServer().maxConnections(100, 2, 0).handshakeTimeout(Duration.ofSeconds(20)));
        try (RawPeer first = new RawPeer(server.address()); RawPeer second = new RawPeer(server.address())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().accepted() == 2);
            try (RawPeer third = new RawPeer(server.address())) {
                RawPeer.Frame refused = third.read();
                assertThat(refused.goAwayReason()).isEqualTo(CloseReason.OVERLOADED);
                assertThat(refused.goAwayMessage()).contains("limit of 2 connections in their handshake");
            }
            first.hello("first", 0);
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
                try (RawPeer fourth = new RawPeer(server.address())) {
                    return fourth.hello("fourth", 0) != null;
                }
            });
        }
    }

    @Test
    void connectionsPerSourceAddressAreLimited() throws Exception {
        TetherServer server = start(fastServer().maxConnections(100, 100, 2));
        try (RawPeer a = new RawPeer(server.address()); RawPeer b = new RawPeer(server.address())) {
            a.hello("a", 0);
            b.hello("b", 0);
            try (RawPeer c = new RawPeer(server.address())) {
                RawPeer.Frame refused = c.read();
                assertThat(refused.goAwayReason()).isEqualTo(CloseReason.OVERLOADED);
                assertThat(refused.goAwayMessage()).isEqualTo("server is at its limit of 2 connections from 127.0.0.1");
            }
            // Another loopback address is another source.
            try (RawPeer other = new RawPeer(server.address(), 0, InetAddress.getByName("127.0.0.2"))) {
                assertThat(other.hello("other", 0).sessionId()).isPositive();
            }
        }
    }

    /** Defect: the classic port buffered a partial frame of any size up to the Tether maximum (1 MiB). */
    @Test
    void classicPayloadLimitIsSmallAndRefusedFromTheHeader() throws Exception {
        TetherServer server = start(fastServer().legacyPort(0).legacyMaxPayload(64));
        try (Socket classic = connectClassic(server, null)) {
            String id = "127.0.0.1:" + classic.getLocalPort();
            presence.awaitOnline(id);
            classic.getOutputStream().write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(65).array());
            assertThat(presence.awaitOffline(id, CloseReason.PROTOCOL_ERROR).detail())
                    .contains("classic frame length 65 exceeds the maximum payload of 64 bytes");
        }
    }

    @Test
    void classicPortAdmitsOnlyAllowedSourceNetworks() throws Exception {
        TetherServer server = start(fastServer().legacyPort(0).legacyAllow(List.of("127.0.0.2/32", "10.0.0.0/8")));
        try (Socket outsider = connectClassic(server, null)) {
            assertThat(outsider.getInputStream().read()).as("closed at once").isEqualTo(-1);
        }
        try (Socket insider = connectClassic(server, InetAddress.getByName("127.0.0.2"))) {
            presence.awaitOnline("127.0.0.2:" + insider.getLocalPort());
        }
        assertThat(presence.events).allMatch(e -> e.clientId().startsWith("127.0.0.2:"));
        assertThatThrownBy(() -> TetherServer.builder().legacyAllow(List.of("999.1.1.1/8")))
                .hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> TetherServer.builder().legacyAllow(List.of("10.0.0.0/33")))
                .hasMessageContaining("prefix must be 0..32");
        assertThatThrownBy(() -> TetherServer.builder().legacyAllow(List.of("example.com/8")))
                .hasMessageContaining("not an IP address");
    }

    /** Defect: text from clients went raw into the log (a newline forged a line), one line per frame. */
    @Test
    void clientTextReachesTheLogEscapedAndBounded() throws Exception {
        Logger routes = (Logger) LoggerFactory.getLogger("io.tether.internal.FrameRouter");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        routes.addAppender(lines);
        try {
            TetherServer server = start(fastServer());
            try (RawPeer liar = new RawPeer(server.address())) {
                liar.hello("liar", 0);
                for (int i = 0; i < 100; i++) {
                    liar.send(Frames.error(ALLOC, 0, ErrorCode.UNEXPECTED_FRAME, "oops\n12:00:00 INFO admin ONLINE"));
                }
                liar.send(Frames.goAway(ALLOC, CloseReason.CLIENT_CLOSED, "bye\r\nFORGED " + "x".repeat(5000)));
                PresenceEvent offline = presence.awaitOffline("liar", CloseReason.CLIENT_CLOSED);
                assertThat(offline.detail()).doesNotContain("\n", "\r").contains("bye\\r\\nFORGED").hasSizeLessThan(300);
            }
            assertThat(lines.list).hasSize(10).allSatisfy(line ->
                    assertThat(line.getFormattedMessage()).doesNotContain("\n").contains("oops\\n12:00:00 INFO"));
        } finally {
            routes.detachAppender(lines);
        }
    }

    /**
     * Defect: partial frames had no bound across connections, so a crowd of half-sent large frames ran the
     * heap out. The connection whose partial frame would pass the budget is refused; the others go on.
     */
    @Test
    void partialFramesAcrossConnectionsStayWithinTheBufferBudget() throws Exception {
        TetherServer server = start(fastServer().maxPayload(512 << 10).maxBufferedBytes(1 << 20)
                .heartbeat(io.tether.heartbeat.HeartbeatPolicy.of(Duration.ofSeconds(10), Duration.ofSeconds(30))));
        byte[] frame = RawPeerFrames.wire(Frames.data(ALLOC, new byte[400 << 10]));
        byte[] start = java.util.Arrays.copyOf(frame, 1000);
        try (RawPeer a = new RawPeer(server.address()); RawPeer b = new RawPeer(server.address());
             RawPeer c = new RawPeer(server.address())) {
            a.hello("a", 0);
            b.hello("b", 0);
            c.hello("c", 0);
            a.sendRaw(start);
            b.sendRaw(start);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().bufferedBytes() == 2L * frame.length);
            c.sendRaw(start);
            RawPeer.Frame refused = c.readGoAway();
            assertThat(refused.goAwayReason()).isEqualTo(CloseReason.OVERLOADED);
            assertThat(refused.goAwayMessage()).startsWith("server's buffer budget of 1048576 bytes is in use")
                    .contains("cannot hold 409606 bytes of a partial frame");
            assertThat(presence.awaitOffline("c", CloseReason.OVERLOADED)).isNotNull();
            // The others were not disturbed: their frames complete and arrive.
            a.sendRaw(java.util.Arrays.copyOfRange(frame, 1000, frame.length));
            b.sendRaw(java.util.Arrays.copyOfRange(frame, 1000, frame.length));
            await().atMost(Duration.ofSeconds(10)).until(() -> messages.size() == 2);
            assertThat(server.isOnline("a")).isTrue();
            assertThat(server.isOnline("b")).isTrue();
            // ...and what they held was given back: a new large frame fits again.
            try (RawPeer d = new RawPeer(server.address())) {
                d.hello("d", 0);
                d.sendRaw(frame);
                await().atMost(Duration.ofSeconds(10)).until(() -> messages.size() == 3);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().bufferedBytes() == 0);
        }
    }

    /** Found with the CLI: a host that does not resolve ended in a NullPointerException on bind. */
    @Test
    void aHostThatDoesNotResolveIsAClearError() {
        assertThatThrownBy(() -> TetherServer.builder().host("999.1.1.1").port(0).build().start())
                .isInstanceOf(IOException.class)
                .hasMessage("cannot listen on 999.1.1.1: not an IP address or a host name that resolves");
    }

    private static Socket connectClassic(TetherServer server, InetAddress local) throws IOException {
        Socket socket = new Socket();
        socket.setSoTimeout(5000);
        if (local != null) {
            socket.bind(new InetSocketAddress(local, 0));
        }
        socket.connect(new InetSocketAddress("127.0.0.1", server.legacyAddress().orElseThrow().getPort()), 5000);
        return socket;
    }
}
