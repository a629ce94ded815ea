package io.tether.keeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import io.tether.server.PresenceEvent;
import io.tether.server.TetherServer;
import io.tether.testing.TestPki;
import io.tether.testing.Upstream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Endpoints over TLS, against a real Tether server with TLS and a TLS echo service, with certificates made for
 * each test, on OpenSSL and on the JDK's TLS; and upstreams that get TLS wrong.
 */
class KeeperTlsTest extends KeeperHarness {
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

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void aTlsKeepEndpointLendsPooledConnectionsToATetherServerThatPing(String provider) throws Exception {
        System.setProperty("tether.tls.provider", provider);
        List<PresenceEvent> presence = new CopyOnWriteArrayList<>();
        TetherServer server = tetherServer(b -> b.listener(presence::add));
        Upstream plain = upstream();
        Keeper keeper = keeper(endpoint("hub", server.address().getPort()).tls(pki.caCert()).poolSize(2)
                        .probe(ProbeSpec.of(ProbeKind.TETHER)).build(),
                endpoint("plain", plain.port()).build());

        assertThat(keeper.status("hub").state()).isEqualTo(EndpointState.UP);
        await().atMost(WAIT).until(() -> presence.size() == 2);
        assertThat(presence).allMatch(e -> e.type() == PresenceEvent.Type.ONLINE && e.clientId().startsWith("keeper/hub/"));
        Set<String> pooled = presence.stream().map(PresenceEvent::remote).collect(Collectors.toSet());
        for (int i = 0; i < 3; i++) {
            try (Lease lease = keeper.borrow("hub")) {
                assertThat(pooled).as("one of the pooled connections, already past TLS and HELLO")
                        .contains("127.0.0.1:" + lease.localAddress().getPort());
                pingPong(lease);
                pingPong(lease);
            }
        }
        // The probes keep the sessions alive over TLS while the connections sit idle.
        await().atMost(WAIT).until(() -> keeper.status("hub").lastProbeRtt() != null && server.sessions().size() == 2
                && server.sessions().get(0).lastSeenAt().isAfter(server.sessions().get(0).connectedAt().plusMillis(500)));
        assertThat(keeper.status("hub").failures()).isZero();
        assertThat(server.stats().rejected()).isZero();
        try (Lease lease = keeper.borrow("plain")) {
            assertThat(echo(lease, "in the clear")).as("a plain endpoint beside it is unaffected").isEqualTo("in the clear");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void aTlsEndpointCarriesLargeWritesAndItsIdleChecksSkipTlsOwnMessages(String provider) throws Exception {
        System.setProperty("tether.tls.provider", provider);
        Upstream upstream = tlsUpstream("server");
        // peek on every check: TLS 1.3 session tickets arrive on the idle connection and must not count as bytes
        Keeper keeper = keeper(endpoint("cache", upstream.port()).tls(pki.caCert()).checkInterval(Duration.ofMillis(20))
                .validateAfterIdle(Duration.ofMillis(1)).build(),
                endpoint("cache-ping", upstream.port()).tls(pki.caCert()).probe(REDIS_PING).checkInterval(Duration.ofMillis(20)).build());

        await().atMost(WAIT).until(() -> keeper.status("cache").lastProbeRtt() != null
                && upstream.pingsByClientPort.values().stream().anyMatch(pings -> pings.get() >= 3));
        String big = "x".repeat(100_000); // several TLS records each way
        for (int i = 0; i < 5; i++) {
            try (Lease lease = keeper.borrow("cache")) {
                assertThat(echo(lease, big + i)).isEqualTo(big + i);
                assertThat(echo(lease, "small")).isEqualTo("small");
            }
        }
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> keeper.status("cache").failures() == 0
                && keeper.status("cache-ping").failures() == 0);
        assertThat(upstream.accepted).hasValue(2);
        assertThat(events).extracting(EndpointEvent::state).containsExactly(EndpointState.UP, EndpointState.UP);
    }

    @Test
    void aTlsShortEndpointHandshakesForEveryBorrow() throws Exception {
        Upstream upstream = tlsUpstream("server");
        Keeper keeper = keeper(endpoint("report", upstream.port()).mode(EndpointMode.SHORT).tls(pki.caCert()).build());

        for (int i = 0; i < 3; i++) {
            try (Lease lease = keeper.borrow("report")) {
                assertThat(echo(lease, "report " + i)).isEqualTo("report " + i);
            }
        }
        assertThat(upstream.accepted).hasValue(3);
        assertThat(keeper.status("report").state()).isEqualTo(EndpointState.UP);
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void aServerCertificateFromAnotherCaIsRefusedAndTheEndpointIsDown(String provider) throws Exception {
        System.setProperty("tether.tls.provider", provider);
        TetherServer server = tetherServer(b -> b);
        TestPki other = TestPki.ca(Files.createDirectory(dir.resolve("other")), "other-ca");
        Keeper keeper = keeper(endpoint("hub", server.address().getPort()).tls(other.caCert())
                .probe(ProbeSpec.of(ProbeKind.TETHER)).borrowTimeout(Duration.ofMillis(100)).build());

        EndpointStatus status = keeper.status("hub");
        assertThat(status.state()).isEqualTo(EndpointState.DOWN);
        assertThat(status.lastFailure()).startsWith("TLS handshake failed: ")
                .endsWith("(the server's certificate is not signed by a CA this endpoint trusts: see tls.ca)");
        await().atMost(WAIT).until(() -> sawEvent(EndpointState.DOWN, "hub"));
        assertThatThrownBy(() -> keeper.borrow("hub")).isInstanceOf(EndpointUnavailableException.class)
                .hasMessageContaining("is DOWN").hasMessageContaining("TLS handshake failed");
        assertThat(server.sessions()).isEmpty();
    }

    @Test
    void aServerCertificateThatDoesNotNameTheHostIsRefusedUnlessTheServerNameSaysSo() throws Exception {
        pki.issue("elsewhere", "DNS:elsewhere.example");
        Upstream upstream = tlsUpstream("elsewhere");
        Keeper keeper = keeper(endpoint("strict", upstream.port()).tls(pki.caCert()).build(),
                endpoint("named", upstream.port()).tls(pki.caCert()).tlsServerName("elsewhere.example").build());

        assertThat(keeper.status("strict").state()).isEqualTo(EndpointState.DOWN);
        assertThat(keeper.status("strict").lastFailure()).startsWith("TLS handshake failed: ").contains("127.0.0.1");
        assertThat(keeper.status("named").state()).isEqualTo(EndpointState.UP);
        try (Lease lease = keeper.borrow("named")) {
            assertThat(echo(lease, "by name")).isEqualTo("by name");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void aServerThatRequiresAClientCertificateAdmitsOnlyAnEndpointThatPresentsOne(String provider) throws Exception {
        System.setProperty("tether.tls.provider", provider);
        pki.issue("keeper");
        TetherServer server = tetherServer(b -> b.tlsClientCa(pki.caCert()));
        Keeper keeper = keeper(endpoint("signed", server.address().getPort()).tls(pki.caCert())
                        .tlsClientCertificate(pki.cert("keeper"), pki.key("keeper")).probe(ProbeSpec.of(ProbeKind.TETHER)).build(),
                endpoint("anonymous", server.address().getPort()).tls(pki.caCert()).probe(ProbeSpec.of(ProbeKind.TETHER)).build());

        assertThat(keeper.status("signed").state()).isEqualTo(EndpointState.UP);
        try (Lease lease = keeper.borrow("signed")) {
            pingPong(lease);
        }
        EndpointStatus anonymous = keeper.status("anonymous");
        assertThat(anonymous.state()).isEqualTo(EndpointState.DOWN);
        // TLS 1.3 refuses a missing certificate just after the client's side of the handshake: on its first read
        assertThat(anonymous.lastFailure()).startsWith("TLS").containsIgnoringCase("certificate");
        assertThat(server.sessions()).hasSize(1);
    }

    @Test
    void anUpstreamThatNeverAnswersTheHandshakeHoldsNoBorrowerPastTheConnectTimeout() throws Exception {
        try (ServerSocket mute = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) { // TCP accepts; nobody reads
            Duration connectTimeout = Duration.ofMillis(300);
            Keeper keeper = assertTimeoutPreemptively(WAIT, () -> keeper(
                    endpoint("mute", mute.getLocalPort()).tls(pki.caCert()).connectTimeout(connectTimeout).build(),
                    endpoint("mute-short", mute.getLocalPort()).mode(EndpointMode.SHORT).tls(pki.caCert())
                            .connectTimeout(connectTimeout).build()));
            assertThat(keeper.status("mute").state()).isEqualTo(EndpointState.DOWN);
            assertThat(keeper.status("mute").lastFailure())
                    .isEqualTo("TLS handshake failed: no answer from the server within the connect timeout of 300 ms");

            long started = System.nanoTime();
            assertTimeoutPreemptively(WAIT, () -> assertThatThrownBy(() -> keeper.borrow("mute-short"))
                    .isInstanceOf(EndpointUnavailableException.class)
                    .hasMessageEndingWith("cannot connect: TLS handshake failed: no answer from the server within the"
                            + " connect timeout of 300 ms"));
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(tookMillis).as("the connect timeout, plus the scheduling of a busy machine").isBetween(250L, 2300L);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void anUpstreamThatSpeaksPlaintextFailsCleanlyAndShowsNoneOfItsBytes(String provider) throws Exception {
        System.setProperty("tether.tls.provider", provider);
        try (ServerSocket garbage = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Thread talker = new Thread(() -> answerWithGarbage(garbage), "garbage-upstream");
            talker.setDaemon(true);
            talker.start();
            Keeper keeper = keeper(endpoint("confused", garbage.getLocalPort()).tls(pki.caCert()).build());

            EndpointStatus status = keeper.status("confused");
            assertThat(status.state()).isEqualTo(EndpointState.DOWN);
            assertThat(status.lastFailure()).startsWith("TLS handshake failed: ").doesNotContain("HTTP").doesNotContain("SECRET");
        }
    }

    private static void answerWithGarbage(ServerSocket server) {
        for (int i = 0; i < 1000 && !server.isClosed(); i++) {
            try (Socket socket = server.accept()) {
                socket.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nX-Token: SECRET\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                socket.getInputStream().read(new byte[4096]); // until the client gives up
            } catch (IOException closedOrReset) {
                // next one
            }
        }
    }

    private TetherServer tetherServer(UnaryOperator<TetherServer.Builder> more) throws Exception {
        // The borrowers' own pings come on top of the probes' within one heartbeat interval: no TOO_MANY_PINGS.
        TetherServer server = more.apply(TetherServer.builder().host("127.0.0.1").port(0).heartbeat(ROOMY)
                .allowedIntervals(Duration.ofMillis(10), Duration.ofSeconds(1)).maxPingsPerInterval(100)
                .tls(pki.cert("server"), pki.key("server"))).build().start();
        toClose.add(server);
        return server;
    }

    /** An echo service over TLS with the certificate {@code name} (made by {@link #pki}), on the JDK's TLS. */
    private Upstream tlsUpstream(String name) throws Exception {
        SSLContext context = ((JdkSslContext) SslContextBuilder.forServer(pki.cert(name).toFile(), pki.key(name).toFile())
                .sslProvider(SslProvider.JDK).build()).context();
        Upstream upstream = new Upstream(0, context);
        toClose.add(upstream);
        return upstream;
    }

    /** Sends a Tether PING on the lease and reads the server's PONG. */
    private static void pingPong(Lease lease) throws IOException {
        ByteBuf ping = Frames.ping(UnpooledByteBufAllocator.DEFAULT, 7, 0);
        byte[] bytes = new byte[ping.readableBytes()];
        ping.readBytes(bytes).release();
        OutputStream out = lease.output();
        out.write(bytes);
        out.flush();
        InputStream in = lease.input();
        byte[] header = in.readNBytes(Frames.HEADER_LENGTH);
        assertThat(header).hasSize(Frames.HEADER_LENGTH);
        ByteBuf frame = io.netty.buffer.Unpooled.wrappedBuffer(header);
        assertThat(Frames.typeCode(frame)).isEqualTo(FrameType.PONG.code());
        in.skipNBytes(frame.getUnsignedInt(Frames.LENGTH_OFFSET));
    }
}
