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
import io.tether.testing.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * What the TLS attack tests share: certificates made for each test (a CA and a server certificate for
 * 127.0.0.1), a TLS server on the provider a test names, and the refusal lines the server logs.
 */
abstract class TlsAttackHarness extends ClientHarness {
    static final HeartbeatPolicy ROOMY = HeartbeatPolicy.of(Duration.ofMillis(100), Duration.ofSeconds(3));

    @TempDir
    Path dir;
    TestPki pki;
    private final Logger refusalLog = (Logger) LoggerFactory.getLogger("io.tether.server.internal.Admission");
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeEach
    void makeCertificatesAndWatchTheLog() throws Exception {
        pki = TestPki.ca(dir, "test-ca");
        pki.issue("server", "IP:127.0.0.1", "DNS:localhost");
        lines.start();
        refusalLog.addAppender(lines);
    }

    @AfterEach
    void stopWatchingAndForgetTheProvider() {
        refusalLog.detachAppender(lines);
        System.clearProperty("tether.tls.provider");
    }

    /** A TLS server on {@code provider} ("openssl" or "jdk"; the property is read as the context is built). */
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

    /** A TLS client with the right CA comes online and is announced: the server still serves TLS. */
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

    /** A HELLO frame's bytes, as a Tether client sends them (in plaintext, or inside TLS). */
    static byte[] helloBytes(String clientId) {
        ByteBuf hello = new Hello(Hello.PROTOCOL_VERSION, 1000, clientId).encode(UnpooledByteBufAllocator.DEFAULT);
        byte[] bytes = new byte[hello.readableBytes()];
        hello.readBytes(bytes);
        hello.release();
        return bytes;
    }
}
