package io.tether.keeper.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.tether.keeper.EndpointConfig;
import io.tether.keeper.ProbeFailureKind;
import io.tether.keeper.ProbeSpec;
import io.tether.testing.TestPki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Probes over TLS against a peer on 127.0.0.1 that the test scripts: what TLS's own messages, the peer's
 * close_notify, plaintext and bytes that are not TLS each make of a probe.
 */
class TlsProbeTest {
    private static final Duration TIMEOUT = Duration.ofMillis(150);
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ProbeSpec EXCHANGE = ProbeSpec.exchange("PING\r\n".getBytes(StandardCharsets.US_ASCII),
            "+PONG".getBytes(StandardCharsets.US_ASCII));

    @TempDir
    Path dir;
    private ServerSocket server;
    private Socket raw;
    private SSLSocket peer;
    private PooledConnection connection;

    @BeforeEach
    void listen() throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
    }

    @AfterEach
    void close() throws IOException {
        System.clearProperty("tether.tls.provider");
        if (connection != null) {
            connection.close();
        }
        if (raw != null) {
            raw.close();
        }
        server.close();
    }

    private void connect(String provider) throws Exception {
        connect(provider, "TLSv1.3");
    }

    /** Connects over TLS with {@code provider}'s engine; the peer is the JDK's TLS with only {@code protocol}, done with its handshake too. */
    private void connect(String provider, String protocol) throws Exception {
        System.setProperty("tether.tls.provider", provider);
        TestPki pki = TestPki.ca(dir, "test-ca");
        pki.issue("server", "IP:127.0.0.1");
        SSLContext serverTls = ((JdkSslContext) SslContextBuilder.forServer(pki.cert("server").toFile(),
                pki.key("server").toFile()).sslProvider(SslProvider.JDK).build()).context();
        CompletableFuture<SSLSocket> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                raw = server.accept();
                SSLSocket secured = (SSLSocket) serverTls.getSocketFactory().createSocket(raw, null, raw.getPort(), true);
                secured.setUseClientMode(false);
                secured.setEnabledProtocols(new String[] {protocol});
                secured.startHandshake();
                return secured;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        EndpointConfig config = EndpointConfig.builder("scripted", "127.0.0.1", server.getLocalPort()).tls(pki.caCert()).build();
        connection = Connections.open(config, Connections.tlsContext(config));
        peer = accepted.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(connection.tls).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void peekPassesAQuietConnectionWhileTlsOwnMessagesArrive(String provider) throws Exception {
        connect(provider);
        // The JDK's TLS 1.3 server sends session tickets after the handshake: bytes, but not the application's.
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> Connections.probe(connection, ProbeSpec.PEEK, TIMEOUT) == null);
        assertThat(peer.getSession().getProtocol()).isEqualTo("TLSv1.3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void aTls12PeerIsSpokenToAndProbedLikeATls13One(String provider) throws Exception {
        connect(provider, "TLSv1.2");
        assertThat(peer.getSession().getProtocol()).isEqualTo("TLSv1.2");
        CompletableFuture<Void> answer = answerOnePing();
        assertThat(Connections.probe(connection, EXCHANGE, WAIT)).isNull();
        answer.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(Connections.probe(connection, ProbeSpec.PEEK, TIMEOUT)).isNull();
        peer.close();
        assertThat(awaitFailure(ProbeSpec.PEEK).kind()).isEqualTo(ProbeFailureKind.CLOSED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void peekSeesTheClosePeerSentAsClosed(String provider) throws Exception {
        connect(provider);
        peer.close(); // close_notify, then FIN
        ProbeFailure failure = awaitFailure(ProbeSpec.PEEK);
        assertThat(failure.kind()).isEqualTo(ProbeFailureKind.CLOSED);
        assertThat(failure.reason()).isEqualTo("the peer closed the connection");
    }

    @Test
    void peekSeesPlaintextOnAnIdleConnectionAsUnexpected() throws Exception {
        connect("jdk");
        peer.getOutputStream().write("surprise\n".getBytes(StandardCharsets.US_ASCII));
        ProbeFailure failure = awaitFailure(ProbeSpec.PEEK);
        assertThat(failure.kind()).isEqualTo(ProbeFailureKind.UNEXPECTED_BYTES);
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void bytesThatAreNotTlsFailTheProbeAsTlsWithoutShowingThem(String provider) throws Exception {
        connect(provider);
        raw.getOutputStream().write("GARBAGE with a SECRET in it\r\n".repeat(4).getBytes(StandardCharsets.US_ASCII));
        ProbeFailure failure = awaitFailure(ProbeSpec.PEEK);
        assertThat(failure.kind()).isEqualTo(ProbeFailureKind.TLS);
        assertThat(failure.serviceDown()).isTrue();
        assertThat(failure.reason()).startsWith("peek probe: TLS failed: ").doesNotContain("SECRET").doesNotContain("GARBAGE");
    }

    @Test
    void anExchangeOverTlsPassesAnAnswerAndTimesOutOnSilence() throws Exception {
        connect("jdk");
        CompletableFuture<Void> answer = answerOnePing();
        assertThat(Connections.probe(connection, EXCHANGE, WAIT)).isNull();
        answer.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        ProbeFailure silence = Connections.probe(connection, EXCHANGE, TIMEOUT); // nobody answers this time
        assertThat(silence.kind()).isEqualTo(ProbeFailureKind.TIMEOUT);
        assertThat(silence.reason()).isEqualTo("exchange probe got no answer within 150 ms");
    }

    /** The peer reads the exchange probe's PING and answers +PONG, once. */
    private CompletableFuture<Void> answerOnePing() {
        return CompletableFuture.runAsync(() -> {
            try {
                byte[] ping = peer.getInputStream().readNBytes(6);
                assertThat(new String(ping, StandardCharsets.US_ASCII)).isEqualTo("PING\r\n");
                peer.getOutputStream().write("+PONG\r\n".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private ProbeFailure awaitFailure(ProbeSpec probe) {
        ProbeFailure[] seen = new ProbeFailure[1];
        await().atMost(WAIT).until(() -> (seen[0] = Connections.probe(connection, probe, TIMEOUT)) != null);
        return seen[0];
    }
}
