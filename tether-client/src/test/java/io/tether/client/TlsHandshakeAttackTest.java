package io.tether.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.tether.protocol.Frames;
import io.tether.server.PresenceEvent;
import io.tether.server.TetherServer;
import io.tether.testing.TestPki;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hostile peers before a session exists on the TLS port, on real sockets and real TLS, on OpenSSL and on the
 * JDK's TLS: bytes that are not TLS, handshakes that stall or dribble, a refused peer that keeps sending, a
 * connection over a limit, a flood. Each is one counted refusal, logged within the limit and without the
 * peer's text, never online, and the server carries on serving a TLS client.
 */
class TlsHandshakeAttackTest extends TlsAttackHarness {
    private static final Pattern NOTE = Pattern.compile("\\((\\d+) similar lines suppressed\\)$");

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
            default -> helloBytes("plaintext-hello");
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
                ByteBuf goAway = peer.readGoAway();
                assertThat(Frames.goAwayMessage(goAway)).isEqualTo("no HELLO within 1000 ms");
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
            assertThat(Frames.goAwayMessage(peer.readGoAway())).isEqualTo("no HELLO within 1000 ms");
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
        // Closed, or reset when bob's ClientHello was already in: either way nothing pretends to be TLS.
        assertThat(bob.reasons.get(1)).doesNotContain("TLS")
                .matches("RECONNECTING: connection (closed by the server|broken: .*Connection reset by peer)");
        assertThat(server.isOnline("alice")).isTrue();
    }

    /**
     * A flood of failing TLS handshakes (200 plaintext HELLOs, then wrong-CA TLS clients mixed in): every one
     * is counted, the log keeps to 10 refusal lines a second and accounts for the rest in "(N similar lines
     * suppressed)", and a legitimate TLS client still comes online.
     */
    @ParameterizedTest(name = "via {0}")
    @CsvSource({"openssl", "jdk"})
    void aFloodOfFailingHandshakesIsCountedAndItsLogBounded(String provider) throws Exception {
        TetherServer server = tlsServer(provider, Duration.ofSeconds(5));
        int port = server.address().getPort();
        TestPki other = TestPki.ca(Files.createDirectory(dir.resolve("other")), "other-ca");
        SSLContext foreign = TlsPeer.trusting(other.caCert());
        long started = System.nanoTime();
        int sent = 0;
        for (; sent < 200; sent++) {
            assertThat(sendAndSeeClosed(port, helloBytes("plaintext-hello"))).isTrue();
            if (sent % 20 == 0) { // a client that speaks TLS but does not trust this server's certificate
                try (TlsPeer peer = new TlsPeer(port, foreign)) {
                    peer.advanceTo(TlsPeer.Step.WELCOMED);
                } catch (IOException refused) {
                    sent++;
                }
            }
        }
        long floodMillis = (System.nanoTime() - started) / 1_000_000;
        int flood = sent;
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(server.stats().rejected()).isEqualTo(flood));
        assertThat(refusals().size()).as("lines for %d refusals in %d ms", flood, floodMillis)
                .isLessThanOrEqualTo(10 * (int) (floodMillis / 1000 + 1));

        // One more refusal now and then until one is logged in a new second, saying how many were left out.
        // A refusal's line may be written just after its connection closed, or left out and only counted in
        // a later note, so the books are checked whole at each poll before another refusal is sent.
        int[] extra = {0};
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            long total = flood + extra[0];
            if (server.stats().rejected() == total && accounted() == total
                    && refusals().stream().anyMatch(l -> l.endsWith(" similar lines suppressed)"))) {
                return true;
            }
            extra[0]++;
            sendAndSeeClosed(port, helloBytes("plaintext-hello"));
            return false;
        });
        assertThat(accounted()).as("every refusal logged or counted in a note")
                .isEqualTo(server.stats().rejected()).isEqualTo(flood + extra[0]);
        assertThat(refusals()).allMatch(l -> l.contains("PROTOCOL_ERROR - TLS: "));
        aTlsClientStillComesOnline(server, "alice");
        assertThat(presence).extracting(PresenceEvent::clientId).containsExactly("alice");
        await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().connections() == 1);
    }

    /** Refusal lines written plus the refusals their "(N similar lines suppressed)" notes account for. */
    private long accounted() {
        List<String> lines = refusals();
        return lines.size() + lines.stream().map(l -> NOTE.matcher(l)).filter(Matcher::find)
                .mapToLong(m -> Long.parseLong(m.group(1))).sum();
    }
}
