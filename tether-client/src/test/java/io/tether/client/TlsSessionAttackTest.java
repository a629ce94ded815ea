package io.tether.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tether.protocol.CloseReason;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import io.tether.server.PresenceEvent;
import io.tether.server.TetherServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * TLS sessions attacked on real sockets, on OpenSSL and on the JDK's TLS: resets at every step, old protocol
 * versions, renegotiation, and the server's own goodbyes (shutdown, kick), which must travel inside TLS and
 * end with TLS's close_notify. Presence tells the truth throughout.
 */
class TlsSessionAttackTest extends TlsAttackHarness {
    /**
     * A peer that resets its connection (an RST) at each step of TLS and of the Tether handshake: presence tells
     * the truth. Before HELLO nothing is announced; a HELLO in flight may be admitted or not, but ONLINE is
     * always followed by OFFLINE; after WELCOME exactly ONLINE then OFFLINE. Nothing stays open or held. A
     * client that comes online afterwards is announced after all of it (one event loop: events in order).
     */
    @ParameterizedTest(name = "reset at {0} via {1}")
    @CsvSource({"CONNECTED,openssl", "CONNECTED,jdk", "PART_OF_CLIENT_HELLO,openssl", "PART_OF_CLIENT_HELLO,jdk",
            "CLIENT_HELLO,openssl", "CLIENT_HELLO,jdk", "SERVER_FLIGHT,openssl", "SERVER_FLIGHT,jdk",
            "HANDSHAKEN,openssl", "HANDSHAKEN,jdk", "HELLO_SENT,openssl", "HELLO_SENT,jdk", "WELCOMED,openssl", "WELCOMED,jdk"})
    void aResetAtAnyStepLeavesPresenceTruthful(TlsPeer.Step step, String provider) throws Exception {
        TetherServer server = tlsServer(provider, Duration.ofSeconds(5));
        String id;
        try (TlsPeer peer = new TlsPeer(server.address().getPort(), TlsPeer.trusting(pki.caCert()))) {
            id = peer.clientId();
            peer.advanceTo(step);
            peer.reset();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().connections() == 0);
        aTlsClientStillComesOnline(server, "sentinel");

        List<PresenceEvent.Type> seen = presence.stream().filter(e -> e.clientId().equals(id)).map(PresenceEvent::type).toList();
        if (step == TlsPeer.Step.WELCOMED) {
            assertThat(seen).containsExactly(PresenceEvent.Type.ONLINE, PresenceEvent.Type.OFFLINE);
        } else if (step == TlsPeer.Step.HELLO_SENT) {
            assertThat(seen).isIn(List.of(), List.of(PresenceEvent.Type.ONLINE, PresenceEvent.Type.OFFLINE));
        } else {
            assertThat(seen).isEmpty();
        }
        assertThat(server.stats().handshakes()).isZero();
        assertThat(server.stats().bufferedBytes()).isZero();
        assertThat(server.isOnline(id)).isFalse();
        assertThat(server.stats().rejected()).as("a reset is the peer leaving, not a refusal").isZero();
    }

    /**
     * openssl's client offering only TLS 1.0 or 1.1 (allowed on its side at security level 0) is refused
     * with protocol_version, one counted refusal; offering only TLS 1.2, it completes TLS and is welcomed.
     */
    @ParameterizedTest(name = "{0} via {1}")
    @CsvSource({"-tls1,openssl", "-tls1,jdk", "-tls1_1,openssl", "-tls1_1,jdk", "-tls1_2,openssl", "-tls1_2,jdk"})
    void onlyTls13And12AreSpokenToOpensslsClient(String version, String provider) throws Exception {
        TetherServer server = tlsServer(provider, Duration.ofSeconds(5));
        Path output = dir.resolve("s_client.txt");
        Process sClient = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + server.address().getPort(),
                version, "-cipher", "DEFAULT@SECLEVEL=0", "-CAfile", pki.caCert().toString(), "-verify_return_error", "-quiet")
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            if (version.equals("-tls1_2")) {
                sClient.getOutputStream().write(helloBytes("over-tls-1.2"));
                sClient.getOutputStream().flush();
                await().atMost(Duration.ofSeconds(10)).until(() -> server.isOnline("over-tls-1.2"));
                assertThat(server.stats().rejected()).isZero();
                return;
            }
            assertThat(sClient.waitFor(10, TimeUnit.SECONDS)).as("s_client ended").isTrue();
            String said = Files.readString(output);
            assumeFalse(said.contains("no protocols available"),
                    "this openssl cannot offer " + version + ": " + said);
            assertThat(sClient.exitValue()).as(said).isNotZero();
            assertThat(said).contains("alert protocol version");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().rejected() == 1 && refusals().size() == 1);
            assertThat(refusals().get(0)).contains("PROTOCOL_ERROR - TLS: ");
            assertThat(presence).isEmpty();
        } finally {
            sClient.destroy();
            sClient.waitFor(10, TimeUnit.SECONDS);
        }
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
            peer.send(Frames.ping(UnpooledByteBufAllocator.DEFAULT, 1, 0));
            assertThat(Frames.type(peer.read())).as("the session works").isEqualTo(FrameType.PONG);
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
                .containsExactly(tuple(id, PresenceEvent.Type.ONLINE),
                        tuple(id, PresenceEvent.Type.OFFLINE));
        await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().connections() == 0);
    }

    /**
     * The server shutting down with TLS clients online: each is told GOAWAY SERVER_SHUTDOWN inside TLS, and
     * the connection ends with TLS's close_notify before the FIN, not a bare close or a reset. A peer still in
     * its TLS handshake is let go at once, counted, never online.
     */
    @ParameterizedTest(name = "via {0}")
    @CsvSource({"openssl", "jdk"})
    void aShutdownTellsTlsClientsServerShutdownInsideTls(String provider) throws Exception {
        TetherServer server = tlsServer(provider, Duration.ofSeconds(5));
        StateLog alice = new StateLog();
        TetherClient aliceClient = startClient(client("alice", server.address().getPort()).heartbeat(ROOMY)
                .tls(pki.caCert()).listener(alice));
        assertThat(aliceClient.awaitOnline(Duration.ofSeconds(10))).isTrue();
        try (TlsPeer online = new TlsPeer(server.address().getPort(), TlsPeer.trusting(pki.caCert()));
             TlsPeer midHandshake = new TlsPeer(server.address().getPort(), TlsPeer.trusting(pki.caCert()))) {
            online.advanceTo(TlsPeer.Step.WELCOMED);
            midHandshake.advanceTo(TlsPeer.Step.CLIENT_HELLO);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().handshakes() == 1);
            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);

            ByteBuf goAway = online.readGoAway();
            assertThat(Frames.goAwayReason(goAway)).isEqualTo(CloseReason.SERVER_SHUTDOWN);
            assertThat(Frames.goAwayMessage(goAway)).isEqualTo("server is shutting down");
            assertThat(online.readEnd()).isEqualTo(TlsPeer.End.CLOSE_NOTIFY_THEN_EOF);
            assertThat(midHandshake.socketEnd()).as("closed, not reset").isTrue();
            closing.get(10, TimeUnit.SECONDS);
        }
        assertThat(alice.reasons).anyMatch(r -> r.contains("server said goodbye: SERVER_SHUTDOWN - server is shutting down"));
        assertThat(presence.stream().filter(e -> e.type() == PresenceEvent.Type.OFFLINE).map(PresenceEvent::reason))
                .containsExactly(CloseReason.SERVER_SHUTDOWN, CloseReason.SERVER_SHUTDOWN);
        assertThat(server.stats().rejected()).as("the peer in its handshake").isEqualTo(1);
    }

    /**
     * A kicked TLS session is told GOAWAY KICKED with the reason inside TLS, then close_notify; presence says
     * OFFLINE KICKED once, and the reason reaches the log escaped.
     */
    @ParameterizedTest(name = "via {0}")
    @CsvSource({"openssl", "jdk"})
    void aKickedTlsSessionIsToldWhyInsideTls(String provider) throws Exception {
        TetherServer server = tlsServer(provider, Duration.ofSeconds(5));
        try (TlsPeer peer = new TlsPeer(server.address().getPort(), TlsPeer.trusting(pki.caCert()))) {
            String id = peer.advanceTo(TlsPeer.Step.WELCOMED).clientId();
            await().atMost(Duration.ofSeconds(10)).until(() -> server.isOnline(id)); // registered right after WELCOME
            assertThat(server.kick(id, "misbehaving")).isTrue();
            ByteBuf goAway = peer.readGoAway();
            assertThat(Frames.goAwayReason(goAway)).isEqualTo(CloseReason.KICKED);
            assertThat(Frames.goAwayMessage(goAway)).isEqualTo("misbehaving");
            assertThat(peer.readEnd()).isEqualTo(TlsPeer.End.CLOSE_NOTIFY_THEN_EOF);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().connections() == 0 && presence.size() == 2);
        assertThat(presence.get(1).reason()).isEqualTo(CloseReason.KICKED);
        assertThat(presence.get(1).detail()).isEqualTo("misbehaving");
        aTlsClientStillComesOnline(server, "alice");
    }
}
