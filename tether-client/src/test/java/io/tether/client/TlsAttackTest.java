package io.tether.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.protocol.Hello;
import io.tether.server.PresenceEvent;
import io.tether.server.TetherServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

/**
 * Hostile peers on the TLS port, on real sockets and real TLS, on OpenSSL and on the JDK's TLS: bytes that
 * are not TLS, handshakes that stall or break at every step. Each is a counted refusal or an honest session,
 * never a lie in presence, and the server carries on serving a TLS client.
 */
class TlsAttackTest extends ClientHarness {
    static final HeartbeatPolicy ROOMY = HeartbeatPolicy.of(Duration.ofMillis(100), Duration.ofSeconds(3));

    @TempDir
    Path dir;
    TestPki pki;
    final Logger refusalLog = (Logger) LoggerFactory.getLogger("io.tether.server.internal.Admission");
    final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeEach
    void setUp() throws Exception {
        pki = TestPki.ca(dir, "test-ca");
        pki.issue("server", "IP:127.0.0.1", "DNS:localhost");
        lines.start();
        refusalLog.addAppender(lines);
    }

    @AfterEach
    void tearDown() {
        refusalLog.detachAppender(lines);
        System.clearProperty("tether.tls.provider");
    }

    TetherServer tlsServer(String provider, Duration handshakeTimeout) throws Exception {
        System.setProperty("tether.tls.provider", provider);
        return startServer(server(0).heartbeat(ROOMY).handshakeTimeout(handshakeTimeout)
                .tls(pki.cert("server"), pki.key("server")));
    }

    /** The refusal lines logged so far (a copy taken under the appender's own lock). */
    List<String> refusals() {
        synchronized (lines) {
            return new ArrayList<>(lines.list).stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.startsWith("refused connection from ")).toList();
        }
    }

    /** A TLS client with the right CA comes online: the server still serves TLS. */
    void aTlsClientStillComesOnline(TetherServer server, String id) throws InterruptedException {
        TetherClient client = startClient(client(id, server.address().getPort()).heartbeat(ROOMY).tls(pki.caCert()));
        assertThat(client.awaitOnline(Duration.ofSeconds(10))).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> presence.stream().anyMatch(e ->
                e.clientId().equals(id) && e.type() == PresenceEvent.Type.ONLINE));
    }

    /** Sends {@code bytes} on a plain socket and says whether the server then closed it (EOF or reset). */
    static boolean sendAndSeeClosed(int port, byte[] bytes) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(5000);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            try {
                for (int i = 0; i < 100_000; i++) { // a TLS alert may come first
                    if (in.read() < 0) {
                        return true;
                    }
                }
                return false;
            } catch (SocketException reset) {
                return true;
            }
        }
    }

    static byte[] plaintextHello() {
        ByteBuf hello = new Hello(Hello.PROTOCOL_VERSION, 1000, "plaintext-hello").encode(UnpooledByteBufAllocator.DEFAULT);
        byte[] bytes = new byte[hello.readableBytes()];
        hello.readBytes(bytes);
        hello.release();
        return bytes;
    }

    /**
     * Bytes that are not TLS (noise with a forged log line in it, an HTTP request, a Tether HELLO in
     * plaintext): each is one counted refusal, logged once without the client's text, never online; the
     * connection is closed and the server goes on to welcome a TLS client.
     */
    @ParameterizedTest(name = "{0} via {1}")
    @CsvSource({"noise,openssl", "noise,jdk", "http,openssl", "http,jdk", "hello,openssl", "hello,jdk"})
    void bytesThatAreNotTlsAreOneCountedRefusalEach(String what, String provider) throws Exception {
        TetherServer server = tlsServer(provider, Duration.ofSeconds(5));
        byte[] bytes = switch (what) {
            case "noise" -> "\u0001\u0002zz\nWARN forged line from 10.6.6.6\r\n\u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1);
            case "http" -> "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: forged\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            default -> plaintextHello();
        };

        assertThat(sendAndSeeClosed(server.address().getPort(), bytes)).as("the server closed the connection").isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().rejected() == 1 && refusals().size() == 1);
        String line = refusals().get(0);
        assertThat(line).contains("PROTOCOL_ERROR - TLS: ").doesNotContain("\n", "\r", "\u0000", "forged", "GET", "plaintext-hello");
        await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().connections() == 0);

        aTlsClientStillComesOnline(server, "alice");
        assertThat(server.stats().rejected()).isEqualTo(1);
        assertThat(presence).extracting(PresenceEvent::clientId).containsExactly("alice");
    }

    /**
     * A peer that stops at a step of the TLS handshake, or after it without a HELLO: the handshake timeout,
     * counted from accept, ends it as one counted refusal that says so; a peer that got as far as TLS is told
     * why in a GOAWAY and TLS's own close_notify. Nothing is left open or held.
     */
    @ParameterizedTest(name = "{0} via {1}")
    @CsvSource({"CONNECTED,openssl", "CONNECTED,jdk", "PART_OF_CLIENT_HELLO,openssl", "PART_OF_CLIENT_HELLO,jdk",
            "CLIENT_HELLO,openssl", "CLIENT_HELLO,jdk", "SERVER_FLIGHT,openssl", "SERVER_FLIGHT,jdk",
            "HANDSHAKEN,openssl", "HANDSHAKEN,jdk"})
    void aHandshakeThatStallsIsEndedByTheTimeoutAsOneCountedRefusal(TlsPeer.Step stop, String provider) throws Exception {
        TetherServer server = tlsServer(provider, Duration.ofSeconds(1));
        try (TlsPeer peer = new TlsPeer(server.address().getPort(), TlsPeer.trusting(pki.caCert()))) {
            peer.advanceTo(stop);
            if (stop == TlsPeer.Step.HANDSHAKEN) {
                TlsPeer.Frame goAway = peer.readGoAway();
                assertThat(goAway.goAwayMessage()).isEqualTo("no HELLO within 1000 ms");
                assertThat(peer.readEnd()).isEqualTo(TlsPeer.End.CLOSE_NOTIFY_THEN_EOF);
            } else {
                assertThat(peer.socketEnd()).as("closed, not reset").isTrue();
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().rejected() == 1 && refusals().size() == 1);
        assertThat(refusals().get(0)).endsWith(stop == TlsPeer.Step.HANDSHAKEN ? "PROTOCOL_ERROR - no HELLO within 1000 ms"
                : "PROTOCOL_ERROR - no HELLO within 1000 ms; the TLS handshake did not complete");
        await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().connections() == 0);
        assertThat(server.stats().handshakes()).isZero();
        assertThat(server.stats().bufferedBytes()).isZero();
        aTlsClientStillComesOnline(server, "alice");
        assertThat(server.stats().rejected()).isEqualTo(1);
        assertThat(presence).extracting(PresenceEvent::clientId).containsExactly("alice");
    }

    /**
     * A ClientHello dribbled in a byte at a time, each byte well within the timeout of the last: the deadline
     * counts from accept, so the server ends the connection long before the dribble would end.
     */
    @ParameterizedTest(name = "via {0}")
    @CsvSource({"openssl", "jdk"})
    void aClientHelloDribbledInIsCutOffAtTheDeadlineFromAccept(String provider) throws Exception {
        TetherServer server = tlsServer(provider, Duration.ofSeconds(1));
        int sent = 0;
        byte[] clientHello;
        try (TlsPeer peer = new TlsPeer(server.address().getPort(), TlsPeer.trusting(pki.caCert()))) {
            clientHello = peer.clientHello();
            try {
                for (; sent < clientHello.length; sent++) {
                    peer.sendRaw(new byte[] {clientHello[sent]});
                    Thread.sleep(25); // the attacker's pace: 40 bytes a second, every byte 25 ms after the last
                }
            } catch (IOException endedByTheServer) {
                // the server closed (a write after its FIN is answered with a reset)
            }
        }
        assertThat(sent).as("bytes sent before the server ended it, of " + clientHello.length).isLessThan(clientHello.length);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().rejected() == 1 && refusals().size() == 1);
        assertThat(refusals().get(0)).endsWith("no HELLO within 1000 ms; the TLS handshake did not complete");
        await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().connections() == 0);
        assertThat(server.stats().handshakes()).isZero();
        assertThat(presence).isEmpty();
    }

    /** A peer refused over TLS (no HELLO in time) that then sends a forged record is still one refusal. */
    @ParameterizedTest(name = "via {0}")
    @CsvSource({"openssl", "jdk"})
    void aPeerRefusedOverTlsThatThenBreaksTlsIsCountedOnce(String provider) throws Exception {
        TetherServer server = tlsServer(provider, Duration.ofSeconds(1));
        try (TlsPeer peer = new TlsPeer(server.address().getPort(), TlsPeer.trusting(pki.caCert()))) {
            peer.advanceTo(TlsPeer.Step.HANDSHAKEN);
            assertThat(peer.readGoAway().goAwayMessage()).isEqualTo("no HELLO within 1000 ms");
            // An application-data record whose authentication cannot hold: the server's TLS fails on it.
            byte[] forged = new byte[5 + 32];
            forged[0] = 23;
            forged[1] = 3;
            forged[2] = 3;
            forged[4] = 32;
            peer.sendRaw(forged);
            peer.readEnd();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().connections() == 0);
        assertThat(server.stats().rejected()).isEqualTo(1);
        assertThat(refusals()).hasSize(1);
    }

    /**
     * A defect once: a connection over a limit on the TLS port was sent a plaintext GOAWAY OVERLOADED, which
     * a TLS client can only read as "not an SSL/TLS record". Over TLS it is closed without a byte (a GOAWAY
     * could only follow a TLS handshake, the cost the limit is there to spare), counted and logged.
     */
    @ParameterizedTest(name = "via {0}")
    @CsvSource({"openssl", "jdk"})
    void aConnectionOverALimitOnTheTlsPortIsClosedWithoutAPlaintextByte(String provider) throws Exception {
        System.setProperty("tether.tls.provider", provider);
        TetherServer server = startServer(server(0).heartbeat(ROOMY).maxConnections(1, 1, 0)
                .tls(pki.cert("server"), pki.key("server")));
        TetherClient alice = startClient(client("alice", server.address().getPort()).heartbeat(ROOMY).tls(pki.caCert()));
        assertThat(alice.awaitOnline(Duration.ofSeconds(10))).isTrue();

        try (Socket socket = new Socket()) {
            socket.setSoTimeout(5000);
            socket.connect(new InetSocketAddress("127.0.0.1", server.address().getPort()), 5000);
            assertThat(socket.getInputStream().readAllBytes()).as("what the server sent before closing").isEmpty();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().rejected() == 1 && refusals().size() == 1);
        assertThat(refusals().get(0)).endsWith("OVERLOADED - server is at its limit of 1 connections");

        StateLog bob = new StateLog();
        startClient(client("bob", server.address().getPort()).heartbeat(ROOMY).tls(pki.caCert()).listener(bob));
        await().atMost(Duration.ofSeconds(10)).until(() -> bob.reasons.size() >= 2);
        assertThat(bob.reasons.get(1)).isEqualTo("RECONNECTING: connection closed by the server");
        assertThat(server.isOnline("alice")).isTrue();
    }

    /**
     * A defect once: on the JDK's TLS a TLS 1.2 client could renegotiate as often as it liked, each time a
     * handshake for the server outside every handshake limit. Now a renegotiation, resumed or full, fails on
     * both providers; the session it was on ends or stays, but presence tells the truth either way.
     */
    @ParameterizedTest(name = "{1} renegotiation via {0}")
    @CsvSource({"openssl,resumed", "openssl,full", "jdk,resumed", "jdk,full"})
    void aTls12RenegotiationIsRefused(String provider, String kind) throws Exception {
        TetherServer server = tlsServer(provider, Duration.ofSeconds(5));
        String id;
        try (TlsPeer peer = new TlsPeer(server.address().getPort(), TlsPeer.trusting(pki.caCert()), "TLSv1.2")) {
            id = peer.advanceTo(TlsPeer.Step.WELCOMED).clientId();
            peer.send(io.tether.protocol.Frames.ping(UnpooledByteBufAllocator.DEFAULT, 1, 0));
            assertThat(peer.read().type()).as("the session works").isEqualTo(io.tether.protocol.FrameType.PONG);
            boolean renegotiated;
            try {
                renegotiated = peer.renegotiate(kind.equals("full"));
            } catch (IOException refused) {
                renegotiated = false;
            }
            assertThat(renegotiated).as("renegotiated").isFalse();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> presence.size() == 2);
        assertThat(presence).extracting(PresenceEvent::clientId, PresenceEvent::type)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(id, PresenceEvent.Type.ONLINE),
                        org.assertj.core.groups.Tuple.tuple(id, PresenceEvent.Type.OFFLINE));
        await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().connections() == 0);
    }
}
