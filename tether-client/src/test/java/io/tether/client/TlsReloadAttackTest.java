package io.tether.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tether.server.PresenceEvent;
import io.tether.server.TetherServer;
import io.tether.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * Certificate files changed under a running TLS server in ways that cannot work: the previous certificate
 * must keep being served, with a warning, until the files are usable again; live sessions never notice.
 */
class TlsReloadAttackTest extends ClientHarness {
    @TempDir
    Path dir;
    private TestPki pki;
    private final Logger tlsLog = (Logger) LoggerFactory.getLogger("io.tether.server.internal.ServerTls");
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeEach
    void setUp() throws Exception {
        pki = TestPki.ca(dir, "test-ca");
        pki.issue("server", "IP:127.0.0.1");
        lines.start();
        tlsLog.addAppender(lines);
    }

    @AfterEach
    void tearDown() {
        tlsLog.detachAppender(lines);
        System.clearProperty("tether.tls.provider");
    }

    private List<String> tlsLines() {
        synchronized (lines) {
            return new ArrayList<>(lines.list).stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    private void comesOnline(TetherServer server, String id, Path trustedCa) throws InterruptedException {
        TetherClient client = startClient(client(id, server.address().getPort()).heartbeat(TlsAttackHarness.ROOMY).tls(trustedCa));
        assertThat(client.awaitOnline(Duration.ofSeconds(10))).as(id + " online").isTrue();
    }

    /**
     * A certificate written without its key (a renewal done in the wrong order, or never finished), then the
     * key half-written: each is a warning and the old certificate stays served (a client of the old CA comes
     * online); the complete key makes the renewed certificate served. The live session stays throughout.
     */
    @ParameterizedTest(name = "via {0}")
    @ValueSource(strings = {"openssl", "jdk"})
    void unusableFilesKeepThePreviousCertificateServedUntilTheyAreUsable(String provider) throws Exception {
        System.setProperty("tether.tls.provider", provider);
        Path liveCert = dir.resolve("live.pem");
        Path liveKey = dir.resolve("live.key");
        Files.copy(pki.cert("server"), liveCert);
        Files.copy(pki.key("server"), liveKey);
        TetherServer server = startServer(server(0).heartbeat(TlsAttackHarness.ROOMY).tls(liveCert, liveKey));
        comesOnline(server, "alice", pki.caCert());
        TestPki renewed = TestPki.ca(Files.createDirectory(dir.resolve("renewed")), "renewed-ca");
        renewed.issue("server", "IP:127.0.0.1");

        Files.copy(renewed.cert("server"), liveCert, StandardCopyOption.REPLACE_EXISTING); // the key is still the old one
        await().atMost(Duration.ofSeconds(10)).until(() -> tlsLines().size() >= 1);
        assertThat(tlsLines().get(0)).startsWith("TLS files changed but cannot be used yet, keeping the previous certificate")
                .contains("fails, as when the key is not the certificate's: ");
        comesOnline(server, "bob", pki.caCert());

        byte[] key = Files.readAllBytes(renewed.key("server"));
        Files.write(liveKey, java.util.Arrays.copyOf(key, key.length / 2)); // half-written
        await().atMost(Duration.ofSeconds(10)).until(() -> tlsLines().size() >= 2);
        assertThat(tlsLines().get(1)).startsWith("TLS files changed but cannot be used yet, keeping the previous certificate");
        comesOnline(server, "carol", pki.caCert());

        Files.write(liveKey, key);
        await().atMost(Duration.ofSeconds(10)).until(() -> tlsLines().size() >= 3);
        assertThat(tlsLines().get(2)).startsWith("TLS certificate reloaded from " + liveCert);
        comesOnline(server, "dave", renewed.caCert());

        assertThat(tlsLines()).hasSize(3);
        assertThat(server.isOnline("alice")).isTrue();
        assertThat(presence).noneMatch(e -> e.type() == PresenceEvent.Type.OFFLINE);
    }

    /** A defect once: a key that is not the certificate's built a context, which then failed every handshake. */
    @ParameterizedTest(name = "via {0}")
    @ValueSource(strings = {"openssl", "jdk"})
    void aServerIsNotBuiltWithAKeyThatIsNotItsCertificates(String provider) throws Exception {
        System.setProperty("tether.tls.provider", provider);
        pki.issue("other", "IP:127.0.0.1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TetherServer.builder().tls(pki.cert("server"), pki.key("other")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot set up TLS from " + pki.cert("server") + ": a TLS handshake with it and the private key in "
                        + pki.key("other") + " fails, as when the key is not the certificate's: ");
    }
}
