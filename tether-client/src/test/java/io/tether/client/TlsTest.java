package io.tether.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.protocol.FrameType;
import io.tether.protocol.Hello;
import io.tether.server.PresenceEvent;
import io.tether.server.TetherServer;
import io.tether.testing.TestPki;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TLS on the Tether port, with real certificates made for each test, on OpenSSL and on the JDK's TLS. */
class TlsTest extends ClientHarness {
    private static final HeartbeatPolicy ROOMY = HeartbeatPolicy.of(Duration.ofMillis(100), Duration.ofSeconds(3));

    @TempDir
    Path dir;
    private TestPki pki;

    @BeforeEach
    void makeCertificates() throws Exception {
        pki = TestPki.ca(dir, "test-ca");
        pki.issue("server", "IP:127.0.0.1", "DNS:localhost");
    }

    @AfterEach
    void defaultProvider() {
        System.clearProperty("tether.tls.provider");
    }

    private TetherServer tlsServer() throws Exception {
        return startServer(server(0).heartbeat(ROOMY).tls(pki.cert("server"), pki.key("server")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void aClientComesOnlineOverTlsAndItsHeartbeatIsAnswered(String provider) throws Exception {
        System.setProperty("tether.tls.provider", provider);
        TetherServer server = tlsServer();
        StateLog log = new StateLog();
        TetherClient client = startClient(client("alice", server.address().getPort()).heartbeat(ROOMY)
                .tls(pki.caCert()).listener(log));

        assertThat(client.awaitOnline(Duration.ofSeconds(10))).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> log.rtts.size() >= 3);
        assertThat(server.isOnline("alice")).isTrue();
        client.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> presence.stream().anyMatch(e ->
                e.type() == PresenceEvent.Type.OFFLINE && e.detail().contains("client closing")));
    }

    @Test
    void aServerCertificateFromAnotherCaIsRefusedAndSaysWhy() throws Exception {
        TetherServer server = tlsServer();
        TestPki other = TestPki.ca(java.nio.file.Files.createDirectory(dir.resolve("other")), "other-ca");
        StateLog log = new StateLog();
        startClient(client("mallory", server.address().getPort()).heartbeat(ROOMY).tls(other.caCert()).listener(log));

        await().atMost(Duration.ofSeconds(10)).until(() -> log.reasons.stream()
                .anyMatch(r -> r.contains("TLS with the server failed")));
        await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().rejected() >= 1);
        assertThat(presence).isEmpty();
    }

    @Test
    void theServerCertificateMustNameTheHostTheClientConnectsTo() throws Exception {
        pki.issue("elsewhere", "IP:127.0.0.2", "DNS:elsewhere.example");
        TetherServer server = startServer(server(0).heartbeat(ROOMY).tls(pki.cert("elsewhere"), pki.key("elsewhere")));
        StateLog log = new StateLog();
        startClient(client("alice", server.address().getPort()).heartbeat(ROOMY).tls(pki.caCert()).listener(log));

        await().atMost(Duration.ofSeconds(10)).until(() -> log.reasons.stream()
                .anyMatch(r -> r.contains("TLS with the server failed") && r.contains("127.0.0.1")));
        assertThat(presence).isEmpty();
    }

    @Test
    void mutualTlsAdmitsOnlyClientsWithACertificateFromItsCa() throws Exception {
        pki.issue("alice");
        TetherServer server = startServer(server(0).heartbeat(ROOMY).tls(pki.cert("server"), pki.key("server"))
                .tlsClientCa(pki.caCert()));
        StateLog anonymous = new StateLog();
        startClient(client("anonymous", server.address().getPort()).heartbeat(ROOMY).tls(pki.caCert()).listener(anonymous));
        TetherClient alice = startClient(client("alice", server.address().getPort()).heartbeat(ROOMY)
                .tls(pki.caCert()).tlsClientCertificate(pki.cert("alice"), pki.key("alice")));

        assertThat(alice.awaitOnline(Duration.ofSeconds(10))).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> anonymous.reasons.stream()
                .anyMatch(r -> r.contains("TLS with the server failed")));
        assertThat(server.isOnline("anonymous")).isFalse();
        assertThat(presence).noneMatch(e -> e.clientId().equals("anonymous"));
    }

    @Test
    void aPlainClientOnATlsPortIsRefusedAndTheServerCarriesOn() throws Exception {
        TetherServer server = tlsServer();
        StateLog plain = new StateLog();
        startClient(client("plain", server.address().getPort()).heartbeat(ROOMY).listener(plain));
        await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().rejected() >= 1);
        TetherClient alice = startClient(client("alice", server.address().getPort()).heartbeat(ROOMY).tls(pki.caCert()));
        assertThat(alice.awaitOnline(Duration.ofSeconds(10))).isTrue();
        assertThat(server.isOnline("plain")).isFalse();
    }

    @Test
    void badTlsFilesAreRefusedWhenTheServerOrClientIsBuilt() {
        assertThatThrownBy(() -> TetherServer.builder().tls(dir.resolve("missing.pem"), pki.key("server")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot read the TLS certificate file");
        assertThatThrownBy(() -> TetherServer.builder().tls(pki.key("server"), pki.cert("server")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot set up TLS");
        assertThatThrownBy(() -> TetherClient.builder().server("127.0.0.1", 1).clientId("x").tls(dir.resolve("nope.pem")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot read the TLS CA file");
    }

    @Test
    void aRenewedCertificateIsServedToNewConnectionsWhileLiveSessionsStay() throws Exception {
        Path liveCert = dir.resolve("live.pem");
        Path liveKey = dir.resolve("live.key");
        java.nio.file.Files.copy(pki.cert("server"), liveCert);
        java.nio.file.Files.copy(pki.key("server"), liveKey);
        TetherServer server = startServer(server(0).heartbeat(ROOMY).tls(liveCert, liveKey));
        StateLog aliceLog = new StateLog();
        TetherClient alice = startClient(client("alice", server.address().getPort()).heartbeat(ROOMY)
                .tls(pki.caCert()).listener(aliceLog));
        assertThat(alice.awaitOnline(Duration.ofSeconds(10))).isTrue();

        // The certificate is renewed, by another CA, so only a client of the new CA can tell it is served.
        TestPki renewed = TestPki.ca(java.nio.file.Files.createDirectory(dir.resolve("renewed")), "renewed-ca");
        renewed.issue("server", "IP:127.0.0.1");
        java.nio.file.Files.copy(renewed.key("server"), liveKey, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        java.nio.file.Files.copy(renewed.cert("server"), liveCert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        TetherClient bob = startClient(client("bob", server.address().getPort()).heartbeat(ROOMY).tls(renewed.caCert()));
        assertThat(bob.awaitOnline(Duration.ofSeconds(15))).isTrue();

        int rtts = aliceLog.rtts.size();
        await().atMost(Duration.ofSeconds(10)).until(() -> aliceLog.rtts.size() >= rtts + 3);
        assertThat(alice.state()).isEqualTo(ClientState.ONLINE);
        assertThat(presence).noneMatch(e -> e.type() == PresenceEvent.Type.OFFLINE);
    }

    /** A TLS implementation that is not Tether's: openssl's own client completes TLS 1.3 and gets WELCOME. */
    @Test
    void opensslsClientCompletesTls13AndIsWelcomed() throws Exception {
        TetherServer server = tlsServer();
        Process sClient = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + server.address().getPort(),
                "-tls1_3", "-CAfile", pki.caCert().toString(), "-verify_return_error", "-quiet")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            ByteBuf hello = new Hello(Hello.PROTOCOL_VERSION, 1000, "from-openssl").encode(UnpooledByteBufAllocator.DEFAULT);
            byte[] bytes = new byte[hello.readableBytes()];
            hello.readBytes(bytes);
            hello.release();
            OutputStream in = sClient.getOutputStream();
            in.write(bytes);
            in.flush();
            InputStream out = sClient.getInputStream();
            int type = out.read(); // the first byte the server sends after the TLS handshake
            assertThat(type).isEqualTo(FrameType.WELCOME.code());
            await().atMost(Duration.ofSeconds(10)).until(() -> server.isOnline("from-openssl"));
        } finally {
            sClient.destroy();
            sClient.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
