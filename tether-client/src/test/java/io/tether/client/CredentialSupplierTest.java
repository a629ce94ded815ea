package io.tether.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.protocol.Hello;
import io.tether.server.TetherServer;
import io.tether.server.Tokens;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A client's credential supplier misbehaving: an attempt whose supplier throws, or hands over more than a
 * HELLO can carry, fails on the client's side with a reason that says so, never reaches the server as a
 * HELLO, and the next attempt asks the supplier again.
 */
class CredentialSupplierTest extends ClientHarness {
    private static final HeartbeatPolicy ROOMY = HeartbeatPolicy.of(Duration.ofMillis(100), Duration.ofSeconds(3));
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aSupplierThatThrowsOrOverflowsFailsItsAttemptAndIsAskedAgain() throws Exception {
        TetherServer server = startServer(server(0).heartbeat(ROOMY).authenticator(Tokens.authenticator(SECRET, Clock.systemUTC())));
        AtomicInteger asked = new AtomicInteger();
        StateLog log = new StateLog();
        TetherClient alice = startClient(client("alice", server.address().getPort()).heartbeat(ROOMY).listener(log)
                .credential(() -> switch (asked.incrementAndGet()) {
                    case 1 -> throw new IllegalStateException("the token file is being rewritten");
                    case 2 -> new byte[Hello.MAX_CREDENTIAL_BYTES + 1];
                    default -> Tokens.issue(SECRET, "alice", Instant.now().plusSeconds(3600)).getBytes(StandardCharsets.US_ASCII);
                }));

        assertThat(alice.awaitOnline(WAIT)).isTrue();
        assertThat(asked.get()).as("asked before each attempt").isEqualTo(3);
        // (The second failure is RECONNECTING again, so the listener hears no second change of state.)
        assertThat(log.reasons).containsSubsequence("RECONNECTING: no credential to present: the token file is being rewritten");
        await().atMost(WAIT).until(() -> presence.size() == 1);
        assertThat(server.stats().rejected()).as("the failed attempts never said HELLO").isZero();
    }

    @Test
    void aTokenIsSentWithoutTheWhitespaceAroundIt() throws Exception {
        TetherServer server = startServer(server(0).heartbeat(ROOMY).authenticator(Tokens.authenticator(SECRET, Clock.systemUTC())));
        String token = Tokens.issue(SECRET, "bob", Instant.now().plusSeconds(3600));
        TetherClient bob = startClient(client("bob", server.address().getPort()).heartbeat(ROOMY).token(" \t" + token + "\r\n"));
        assertThat(bob.awaitOnline(WAIT)).isTrue();
    }
}
