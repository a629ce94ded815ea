package io.tether.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.protocol.CloseReason;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import io.tether.protocol.Hello;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * Hostile herds against the server's handshake rate: what happens to the connections it has not taken yet
 * (waiting in the kernel's accept queue, or accepted and held back by a channel listener) when the server
 * stops, when they reset, or when they arrive on the other port. Asserted on events; the rate only makes
 * the waits long enough for the test to act inside them.
 */
class HerdAttackTest extends ServerHarness {
    private static final int RATE = 10;
    private static final int HERD = 150;

    /**
     * The server stops while most of a herd waits for the handshake rate: every connection of the herd is
     * closed (none left open on a descriptor nobody serves), close() returns, and presence tells the truth:
     * one ONLINE and one OFFLINE per admitted session, nothing for the connections never admitted.
     */
    @Test
    void aServerStoppingWhileTheHerdWaitsClosesEveryWaitingConnectionAndReportsOnlyAdmittedSessions() throws Exception {
        TetherServer server = start(fastServer().maxHandshakeRate(RATE)
                .heartbeat(HeartbeatPolicy.of(Duration.ofSeconds(1), Duration.ofSeconds(10)))
                .handshakeTimeout(Duration.ofSeconds(20))
                .shutdownTimeout(Duration.ofSeconds(2)));
        List<Socket> herd = connectHerd(server.address(), HERD, "herd-");
        try {
            // The bucket's one second's worth is admitted at once; the rest wait, at RATE a second.
            await().atMost(Duration.ofSeconds(10)).until(() -> onlineEvents() >= RATE);
            long admittedBeforeClose = onlineEvents();
            assertThat(admittedBeforeClose).as("admitted before the stop").isLessThan(HERD / 2);

            CompletableFuture.runAsync(server::close).get(15, TimeUnit.SECONDS);

            int welcomed = 0;
            for (Socket socket : herd) {
                if (readUntilClosed(socket)) {
                    welcomed++;
                }
            }
            presence.assertTruthful(true);
            assertThat(onlineEvents()).as("ONLINE events").isEqualTo(welcomed);
            assertThat(presence.events.stream().filter(e -> e.type() == PresenceEvent.Type.OFFLINE))
                    .allSatisfy(e -> assertThat(e.reason()).isEqualTo(CloseReason.SERVER_SHUTDOWN));
            assertThat(server.stats().connections()).isZero();
        } finally {
            closeAll(herd);
        }
    }

    /**
     * Most of a herd resets its connection (RST, as a killed process's socket does) while it waits in the
     * accept queue or, on a channel listener, held back by the pacer, each after sending its HELLO; some of
     * those HELLOs carry a client id with a forged log line. The server admits the rest of the herd, counts
     * none of the reset ones online, ends with only the live sessions' connections, and writes no raw client
     * text to its log.
     */
    @Test
    void connectionsResetWhileWaitingForTheRateAreNeverOnlineAndTheRestAreAdmitted() throws Exception {
        int live = 60;
        int reset = 60;
        Logger tether = (Logger) LoggerFactory.getLogger("io.tether");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        tether.addAppender(lines);
        TetherServer server = start(fastServer().maxHandshakeRate(2 * RATE)
                .heartbeat(HeartbeatPolicy.of(Duration.ofSeconds(1), Duration.ofSeconds(10)))
                .handshakeTimeout(Duration.ofSeconds(20)));
        List<Socket> admitted = connectHerd(server.address(), live, "live-");
        List<Socket> doomed = new ArrayList<>();
        try {
            for (int i = 0; i < reset; i++) {
                String id = i % 2 == 0 ? "reset-" + i : "reset-" + i + "\n12:00:00 INFO FORGED online";
                doomed.add(connectSaying(server.address(), helloBytes(id)));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> onlineEvents() >= 2 * RATE);
            assertThat(server.stats().accepted()).as("taken off the listener before the resets").isLessThan(live + 1);
            for (Socket socket : doomed) {
                socket.setSoLinger(true, 0);
                socket.close();
            }

            for (Socket socket : admitted) {
                assertThat(socket.getInputStream().read()).isEqualTo(FrameType.WELCOME.code());
            }
            // A reset connection stays in the accept queue, its HELLO readable: every one is taken and dropped.
            await().atMost(Duration.ofSeconds(20)).until(() -> server.stats().accepted() == live + reset);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().connections() == live);
            assertThat(server.stats().handshakes()).isZero();
            assertThat(presence.events).allSatisfy(e -> assertThat(e.clientId()).startsWith("live-"));
            assertThat(onlineEvents()).isEqualTo(live);
            assertThat(lines.list).allSatisfy(line -> assertThat(line.getFormattedMessage())
                    .doesNotContain("\n", "\r").doesNotContain("reset-1\n"));
        } finally {
            tether.detachAppender(lines);
            closeAll(admitted);
            closeAll(doomed);
        }
    }

    /**
     * The two ports share one bucket, and a herd on either must not starve the other: a few newcomers on
     * the quiet port are admitted in turns with the herd, not after all of it. (The classic port needs no
     * handshake, so a flood on it is as cheap as TCP connects; the Tether clients must not wait it out.)
     */
    @ParameterizedTest(name = "herd on the {0} port")
    @ValueSource(strings = {"classic", "Tether"})
    void aHerdOnOnePortDoesNotStarveTheOther(String herdPort) throws Exception {
        boolean classicHerd = herdPort.equals("classic");
        int newcomers = 5;
        TetherServer server = start(fastServer().maxHandshakeRate(RATE).legacyPort(0)
                .heartbeat(HeartbeatPolicy.of(Duration.ofSeconds(1), Duration.ofSeconds(30)))
                .handshakeTimeout(Duration.ofSeconds(30)));
        InetSocketAddress classic = server.legacyAddress().orElseThrow();
        List<Socket> herd = classicHerd ? connectClassic(classic, HERD) : connectHerd(server.address(), HERD, "herd-");
        List<Socket> quiet = new ArrayList<>();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> onlineEvents() >= RATE); // the bucket is spent
            quiet.addAll(classicHerd ? connectHerd(server.address(), newcomers, "newcomer-") : connectClassic(classic, newcomers));

            await().atMost(Duration.ofSeconds(20)).until(() -> online(!classicHerd) == newcomers);
            long herdBefore = 0;
            long quietSeen = 0;
            for (PresenceEvent event : presence.events) { // in the order the server reported them
                if (event.type() == PresenceEvent.Type.ONLINE && event.legacy() == classicHerd) {
                    herdBefore++;
                } else if (event.type() == PresenceEvent.Type.ONLINE && ++quietSeen == newcomers) {
                    break;
                }
            }
            assertThat(herdBefore).as("sessions of the herd online before the last newcomer on the other port")
                    .isLessThan(HERD / 3);
        } finally {
            closeAll(herd);
            closeAll(quiet);
        }
    }

    private long online(boolean legacy) {
        return presence.events.stream().filter(e -> e.type() == PresenceEvent.Type.ONLINE && e.legacy() == legacy).count();
    }


    @Test
    void aNegativeRateIsRefusedAtTheBuilderAndZeroIsNoLimit() throws Exception {
        assertThatThrownBy(() -> TetherServer.builder().maxHandshakeRate(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 (no limit) or positive");
        TetherServer server = start(fastServer().maxHandshakeRate(0)
                .heartbeat(HeartbeatPolicy.of(Duration.ofSeconds(1), Duration.ofSeconds(10))));
        List<Socket> herd = connectHerd(server.address(), HERD, "herd-");
        try {
            for (Socket socket : herd) { // all of them, where a rate would admit RATE at once and the rest later
                assertThat(socket.getInputStream().read()).isEqualTo(FrameType.WELCOME.code());
            }
        } finally {
            closeAll(herd);
        }
    }

    private long onlineEvents() {
        return presence.events.stream().filter(e -> e.type() == PresenceEvent.Type.ONLINE).count();
    }

    /** Connects {@code count} sockets that each send their HELLO at once and then only wait. */
    static List<Socket> connectHerd(InetSocketAddress server, int count, String prefix) throws IOException {
        return connectAll(server, count, i -> helloBytes(prefix + i));
    }

    /** Classic clients are online as soon as they are admitted; they need say nothing. */
    private static List<Socket> connectClassic(InetSocketAddress port, int count) throws IOException {
        return connectAll(port, count, i -> new byte[0]);
    }

    private static List<Socket> connectAll(InetSocketAddress server, int count, IntFunction<byte[]> saying) throws IOException {
        List<Socket> herd = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                herd.add(connectSaying(server, saying.apply(i)));
            }
        } catch (IOException | RuntimeException e) {
            closeAll(herd);
            throw e;
        }
        return herd;
    }

    private static Socket connectSaying(InetSocketAddress server, byte[] hello) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setSoTimeout(5000);
            socket.connect(new InetSocketAddress("127.0.0.1", server.getPort()), 5000);
            socket.getOutputStream().write(hello);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Reads until the server closes the connection; true when it was welcomed first. A connection the server
     * neither serves nor closes runs into the read timeout, and the test fails.
     */
    private static boolean readUntilClosed(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        boolean welcomed = false;
        boolean first = true;
        try {
            for (int i = 0; i < 1_000_000; i++) {
                int b = in.read();
                if (b < 0) {
                    return welcomed;
                }
                if (first) {
                    welcomed = b == FrameType.WELCOME.code();
                    first = false;
                }
            }
            throw new AssertionError("the server kept writing to " + socket);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server neither served nor closed the connection from port "
                    + socket.getLocalPort() + " (welcomed: " + welcomed + ")", e);
        } catch (IOException reset) {
            return welcomed;
        }
    }

    static void closeAll(List<Socket> sockets) {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing a test's own socket
            }
        }
    }

    /** A HELLO as written on the wire, the id unchecked, so a test can send one the server must refuse. */
    static byte[] helloBytes(String clientId) {
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        ByteBuf out = Unpooled.buffer();
        Frames.writeHeader(out, FrameType.HELLO, 10 + id.length);
        out.writeInt(Hello.MAGIC).writeByte(Hello.PROTOCOL_VERSION).writeInt(1000).writeByte(id.length).writeBytes(id);
        return RawPeerFrames.wire(out);
    }
}
