package io.tether.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.protocol.CloseReason;
import io.tether.server.AuthResult;
import io.tether.server.Authenticator;
import io.tether.server.PresenceEvent;
import io.tether.server.SessionInfo;
import io.tether.server.TetherServer;
import io.tether.server.Tokens;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Clients prove their id with Tether tokens, or to an authenticator of the application's own. */
class AuthTest extends ClientHarness {
    private static final HeartbeatPolicy ROOMY = HeartbeatPolicy.of(Duration.ofMillis(100), Duration.ofSeconds(3));
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private TetherServer tokenServer() throws Exception {
        return startServer(server(0).heartbeat(ROOMY).authenticator(Tokens.authenticator(SECRET, Clock.systemUTC())));
    }

    private static String token(String id, Duration ttl) {
        return Tokens.issue(SECRET, id, Instant.now().plus(ttl));
    }

    private TetherClient.Builder tokenClient(String id, TetherServer server, String token, StateLog log) {
        return client(id, server.address().getPort()).heartbeat(ROOMY).token(token).listener(log);
    }

    @Test
    void aClientWithItsTokenComesOnlineAsItsPrincipal() throws Exception {
        TetherServer server = tokenServer();
        TetherClient alice = startClient(tokenClient("alice", server, token("alice", Duration.ofHours(1)), new StateLog()));

        assertThat(alice.awaitOnline(WAIT)).isTrue();
        await().atMost(WAIT).untilAsserted(() -> assertThat(server.sessions()).extracting(SessionInfo::principal).containsExactly("alice"));
    }

    @Test
    void missingWrongAndExpiredTokensAreRefusedUnauthenticatedAndRetried() throws Exception {
        TetherServer server = tokenServer();
        StateLog none = new StateLog();
        StateLog forged = new StateLog();
        StateLog expired = new StateLog();
        startClient(client("anon", server.address().getPort()).heartbeat(ROOMY).listener(none));
        startClient(tokenClient("bob", server, Tokens.issue("another secret of at least 32 bytes".getBytes(StandardCharsets.US_ASCII),
                "bob", Instant.now().plusSeconds(3600)), forged));
        startClient(tokenClient("carol", server, token("carol", Duration.ofHours(-1)), expired));

        await().atMost(WAIT).until(() -> none.reasons.size() >= 2 && forged.reasons.size() >= 2 && expired.reasons.size() >= 2);
        assertThat(none.reasons.get(1)).isEqualTo("RECONNECTING: refused by 127.0.0.1:" + server.address().getPort()
                + ": UNAUTHENTICATED - this server requires a token and none was sent");
        assertThat(forged.reasons.get(1)).endsWith("UNAUTHENTICATED - the token's signature does not verify");
        assertThat(expired.reasons.get(1)).contains("UNAUTHENTICATED - the token expired at ");
        await().atMost(WAIT).until(() -> server.stats().rejected() >= 6); // each is tried again
        assertThat(presence).isEmpty();
    }

    @Test
    void aTokenForAnotherIdIsForbiddenAndTheClientStops() throws Exception {
        TetherServer server = tokenServer();
        StateLog log = new StateLog();
        startClient(tokenClient("alice", server, token("mallory", Duration.ofHours(1)), log));

        await().atMost(WAIT).until(() -> log.states.contains(ClientState.CLOSED));
        assertThat(log.reasons).last().asString()
                .endsWith("FORBIDDEN - the token was issued for another client id");
        assertThat(presence).isEmpty();
    }

    @Test
    void anImpostorCannotTakeOverAnAuthenticatedIdAndTheRealClientStaysOnline() throws Exception {
        // The application's authenticator admits anyone, as the principal the credential names.
        Authenticator byName = attempt -> CompletableFuture.completedFuture(
                AuthResult.admit(new String(attempt.credential(), StandardCharsets.UTF_8)));
        TetherServer server = startServer(server(0).heartbeat(ROOMY).authenticator(byName));
        TetherClient alice = startClient(client("alice", server.address().getPort()).heartbeat(ROOMY).token("alice-device"));
        assertThat(alice.awaitOnline(WAIT)).isTrue();

        StateLog impostor = new StateLog();
        startClient(client("alice", server.address().getPort()).heartbeat(ROOMY).token("mallory").listener(impostor));
        await().atMost(WAIT).until(() -> impostor.states.contains(ClientState.CLOSED));
        assertThat(impostor.reasons).last().asString().endsWith("FORBIDDEN - client id alice is online as another principal");

        // The same principal may replace its own session (a restarted device), as ever.
        TetherClient again = startClient(client("alice", server.address().getPort()).heartbeat(ROOMY).token("alice-device"));
        assertThat(again.awaitOnline(WAIT)).isTrue();
        await().atMost(WAIT).until(() -> presence.size() == 3);
        assertThat(presence).extracting(PresenceEvent::type, PresenceEvent::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple(PresenceEvent.Type.ONLINE, null),
                org.assertj.core.groups.Tuple.tuple(PresenceEvent.Type.OFFLINE, CloseReason.REPLACED),
                org.assertj.core.groups.Tuple.tuple(PresenceEvent.Type.ONLINE, null));
    }

    @Test
    void aSessionEndsWhenItsCredentialExpiresAndTheClientIsToldWhy() throws Exception {
        TetherServer server = tokenServer();
        StateLog log = new StateLog();
        TetherClient alice = startClient(tokenClient("alice", server, token("alice", Duration.ofSeconds(2)), log));
        assertThat(alice.awaitOnline(WAIT)).isTrue();

        await().atMost(WAIT).until(() -> presence.size() == 2);
        assertThat(presence.get(1).reason()).isEqualTo(CloseReason.UNAUTHENTICATED);
        assertThat(presence.get(1).detail()).startsWith("credential expired at ");
        await().atMost(WAIT).until(() -> log.reasons.stream().anyMatch(r -> r.contains("UNAUTHENTICATED")));
        assertThat(server.sessions()).isEmpty();
    }

    @Test
    void anAuthenticatorMayAnswerLaterFromAnotherThread() throws Exception {
        CompletableFuture<AuthResult> answer = new CompletableFuture<>();
        TetherServer server = startServer(server(0).heartbeat(ROOMY).authenticator(attempt -> answer));
        TetherClient alice = startClient(client("alice", server.address().getPort()).heartbeat(ROOMY).token("t"));

        await().atMost(WAIT).until(() -> server.stats().handshakes() == 1);
        assertThat(presence).isEmpty();
        new Thread(() -> answer.complete(AuthResult.admit("alice"))).start();
        assertThat(alice.awaitOnline(WAIT)).isTrue();
    }

    @Test
    void anAuthenticatorThatNeverAnswersCostsOneRefusalAtTheHandshakeDeadline() throws Exception {
        TetherServer server = startServer(server(0).heartbeat(ROOMY).handshakeTimeout(Duration.ofMillis(500))
                .authenticator(attempt -> new CompletableFuture<>()));
        StateLog log = new StateLog();
        startClient(client("alice", server.address().getPort()).heartbeat(ROOMY).token("t").listener(log));

        await().atMost(WAIT).until(() -> log.reasons.size() >= 2);
        assertThat(log.reasons.get(1)).endsWith("UNAUTHENTICATED - authentication did not finish within 500 ms");
    }

    @Test
    void anAuthenticatorThatFailsRefusesWithoutSayingHow() throws Exception {
        TetherServer server = startServer(server(0).heartbeat(ROOMY).authenticator(attempt -> {
            throw new IllegalStateException("database password is hunter2");
        }));
        StateLog log = new StateLog();
        startClient(client("alice", server.address().getPort()).heartbeat(ROOMY).token("t").listener(log));

        await().atMost(WAIT).until(() -> log.reasons.size() >= 2);
        assertThat(log.reasons.get(1)).endsWith("UNAUTHENTICATED - authentication failed");
    }

    @Test
    void aCredentialSentToAServerWithoutAuthenticationIsIgnored() throws Exception {
        TetherServer server = startServer(server(0).heartbeat(ROOMY));
        TetherClient alice = startClient(client("alice", server.address().getPort()).heartbeat(ROOMY).token("whatever"));

        assertThat(alice.awaitOnline(WAIT)).isTrue();
        await().atMost(WAIT).untilAsserted(() -> assertThat(server.sessions()).extracting(SessionInfo::principal)
                .containsExactly((String) null));
    }
}
