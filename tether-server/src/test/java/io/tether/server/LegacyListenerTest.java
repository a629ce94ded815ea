package io.tether.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.protocol.CloseReason;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Clients that speak the classic 8-byte little-endian header and never read. */
class LegacyListenerTest extends ServerHarness {

    @Test
    void classicClientIsOnlineThenOfflineAfterItGoesQuiet() throws Exception {
        TetherServer server = start(fastServer().legacyPort(0));
        try (Socket classic = connect(server)) {
            String id = "127.0.0.1:" + classic.getLocalPort();
            write(classic, header(0, 0));
            write(classic, frame(1, "temperature=21.5"));

            PresenceEvent online = presence.awaitOnline(id);
            assertThat(online.legacy()).isTrue();
            assertThat(server.session(id)).get().extracting(Session::isLegacy).isEqualTo(true);
            org.awaitility.Awaitility.await().until(() -> messages.size() == 1);
            assertThat(new String(messages.get(0), StandardCharsets.UTF_8)).isEqualTo("temperature=21.5");
            assertThat(server.session(id).orElseThrow().send(new byte[1])).isCompletedExceptionally();

            PresenceEvent offline = presence.awaitOffline(id, CloseReason.TIMEOUT);
            assertThat(offline.silentMillis()).isGreaterThanOrEqualTo(FAST.timeout().toMillis());
            assertThat(readUntilClosed(classic)).as("server writes nothing to a classic client").isZero();
        }
    }

    @Test
    void classicTimeoutIsTheConfiguredNumberOfMissedPeriods() throws Exception {
        TetherServer server = start(fastServer().legacyPort(0)
                .heartbeat(io.tether.heartbeat.HeartbeatPolicy.ofMissedPeriods(java.time.Duration.ofMillis(60), 5)));
        try (Socket classic = connect(server)) {
            write(classic, header(0, 0));
            String id = "127.0.0.1:" + classic.getLocalPort();
            presence.awaitOnline(id);
            assertThat(server.session(id).orElseThrow().heartbeat().timeout().toMillis()).isEqualTo(300);
            assertThat(presence.awaitOffline(id, CloseReason.TIMEOUT).detail()).contains("timeout 300 ms");
        }
    }

    @Test
    void classicClientSendingAnUnknownTypeIsClosedAsProtocolError() throws Exception {
        TetherServer server = start(fastServer().legacyPort(0));
        try (Socket classic = connect(server)) {
            String id = "127.0.0.1:" + classic.getLocalPort();
            presence.awaitOnline(id);
            write(classic, header(7, 0));
            assertThat(presence.awaitOffline(id, CloseReason.PROTOCOL_ERROR).detail()).contains("unknown classic frame type 7");
            assertThat(readUntilClosed(classic)).isZero();
        }
    }

    private static Socket connect(TetherServer server) throws IOException {
        Socket socket = new Socket();
        socket.setSoTimeout(5000);
        socket.connect(new InetSocketAddress("127.0.0.1", server.legacyAddress().orElseThrow().getPort()), 5000);
        return socket;
    }

    private static byte[] header(int type, int length) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(type).putInt(length).array();
    }

    private static byte[] frame(int type, String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + payload.length).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(type).putInt(payload.length).put(payload).array();
    }

    private static void write(Socket socket, byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    /** Counts bytes until the server closes the socket; fails the test if it never does. */
    private static int readUntilClosed(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        int count = 0;
        while (in.read() >= 0) {
            count++;
        }
        return count;
    }
}
