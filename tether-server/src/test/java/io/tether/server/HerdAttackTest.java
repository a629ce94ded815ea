package io.tether.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.protocol.CloseReason;
import io.tether.protocol.FrameType;
import io.tether.protocol.Hello;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

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

    private long onlineEvents() {
        return presence.events.stream().filter(e -> e.type() == PresenceEvent.Type.ONLINE).count();
    }

    /** Connects {@code count} sockets that each send their HELLO at once and then only wait. */
    static List<Socket> connectHerd(InetSocketAddress server, int count, String prefix) throws IOException {
        List<Socket> herd = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                Socket socket = new Socket();
                herd.add(socket);
                socket.setSoTimeout(5000);
                socket.connect(new InetSocketAddress("127.0.0.1", server.getPort()), 5000);
                socket.getOutputStream().write(helloBytes(prefix + i));
            }
        } catch (IOException | RuntimeException e) {
            closeAll(herd);
            throw e;
        }
        return herd;
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

    static byte[] helloBytes(String clientId) {
        ByteBuf frame = new Hello(Hello.PROTOCOL_VERSION, 1000, clientId).encode(UnpooledByteBufAllocator.DEFAULT);
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes);
        frame.release();
        return bytes;
    }
}
