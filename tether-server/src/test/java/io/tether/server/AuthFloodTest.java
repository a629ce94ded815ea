package io.tether.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.tether.protocol.CloseReason;
import io.tether.protocol.FrameType;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A flood of connections with bad credentials, on real sockets: every one is refused with the reason it earned
 * and counted, the log gets one refusal line per source a minute (and at most 10 a second over all), no line
 * anywhere holds a byte of the credentials, an authenticated client online all along never notices, and a
 * legitimate client still comes online behind the flood.
 */
class AuthFloodTest extends ServerHarness {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** What the credentials below have in common, and so what no log line may hold. */
    private static final List<String> SECRETS = List.of("SUPERSECRET", "hunter2", "sk_live", "forged line");
    private static final String BAD_SIGNATURE = "t1.YWxpY2U.1893456000.sk_live_SUPERSECRET_hunter2_4eC39HqLyjWDarjtT1zdp7dc";
    private static final String NOT_A_TOKEN = "Bearer sk_live_SUPERSECRET\nERROR forged line \u001b[31mhunter2";

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final ScheduledExecutorService heart = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService flood = Executors.newFixedThreadPool(4);

    @BeforeEach
    void watchEveryLogLine() {
        log.list = new CopyOnWriteArrayList<>();
        log.start();
        root.addAppender(log);
    }

    @AfterEach
    void stopWatching() {
        root.detachAppender(log);
        heart.shutdownNow();
        flood.shutdownNow();
    }

    private static String token(String id) {
        return Tokens.issue(SECRET, id, Instant.now().plusSeconds(3600));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Every line logged so far, with its stack if it has one. */
    private List<String> lines() {
        List<String> all = new ArrayList<>();
        for (ILoggingEvent event : log.list) {
            all.add(event.getFormattedMessage() + (event.getThrowableProxy() == null ? ""
                    : "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy())));
        }
        return all;
    }

    private List<String> refusalsFrom(String host) {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.startsWith("refused connection from " + host + ":")).toList();
    }

    /** One attempt: connects from {@code from}, says HELLO with {@code credential} (none: version 1), reads the refusal. */
    private RawPeer.Frame attempt(TetherServer server, InetAddress from, String id, byte[] credential) throws Exception {
        try (RawPeer peer = new RawPeer(server.address(), 0, from)) {
            if (credential == null) {
                peer.send(new io.tether.protocol.Hello(1, 1000, id).encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT));
            } else {
                peer.helloWith(id, 1000, credential);
            }
            RawPeer.Frame answer = peer.read();
            assertThat(answer.type()).as("the answer to %s", id).isEqualTo(FrameType.GOAWAY);
            return answer;
        }
    }

    /** An authenticated client that heartbeats all along: the flood must not touch it. */
    private RawPeer healthyClient(TetherServer server) throws Exception {
        RawPeer healthy = new RawPeer(server.address());
        healthy.helloWith("healthy", 1000, bytes(token("healthy")));
        assertThat(healthy.read().type()).isEqualTo(FrameType.WELCOME);
        heart.scheduleAtFixedRate(() -> {
            try {
                healthy.ping(1, 0);
                healthy.read();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, 0, 100, TimeUnit.MILLISECONDS);
        return healthy;
    }

    @Test
    void aFloodOfBadCredentialsIsRefusedCountedAndLoggedOncePerSourceWithoutTheCredentials() throws Exception {
        TetherServer server = start(fastServer().authenticator(Tokens.authenticator(SECRET, Clock.systemUTC())));
        long started = System.nanoTime();
        try (RawPeer healthy = healthyClient(server)) {
            presence.awaitOnline("healthy");
            InetAddress one = InetAddress.getByName("127.0.0.1");
            InetAddress two = InetAddress.getByName("127.0.0.2");
            List<Future<RawPeer.Frame>> answers = new ArrayList<>();
            List<CloseReason> expected = new ArrayList<>();
            List<String> messages = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int n = i;
                answers.add(flood.submit(() -> attempt(server, one, "alice", bytes(BAD_SIGNATURE))));
                expected.add(CloseReason.UNAUTHENTICATED);
                messages.add("the token's signature does not verify");
                answers.add(flood.submit(() -> attempt(server, one, "mallory-" + n, bytes(token("alice")))));
                expected.add(CloseReason.FORBIDDEN);
                messages.add("the token was issued for another client id");
                answers.add(flood.submit(() -> attempt(server, one, "bob", bytes(NOT_A_TOKEN))));
                expected.add(CloseReason.UNAUTHENTICATED);
                messages.add("the credential is not a Tether token");
                answers.add(flood.submit(() -> attempt(server, two, "carol", null)));
                expected.add(CloseReason.UNAUTHENTICATED);
                messages.add("this server requires a token and none was sent");
            }
            for (int i = 0; i < answers.size(); i++) {
                RawPeer.Frame goAway = answers.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(goAway.goAwayReason()).as("attempt %d", i).isEqualTo(expected.get(i));
                assertThat(goAway.goAwayMessage()).as("attempt %d", i).isEqualTo(messages.get(i));
            }
            assertThat(server.stats().rejected()).as("every refusal counted").isEqualTo(answers.size());

            // Behind the flood, a client with a good token comes online; the healthy one never went away.
            try (RawPeer legit = new RawPeer(server.address())) {
                legit.helloWith("legit", 1000, bytes(token("legit")));
                assertThat(legit.read().type()).isEqualTo(FrameType.WELCOME);
                presence.awaitOnline("legit");
            }
            assertThat(presence.of("healthy")).extracting(PresenceEvent::type).containsExactly(PresenceEvent.Type.ONLINE);
            assertThat(server.isOnline("healthy")).isTrue();
            healthy.ping(2, 0); // still answered
        }
        long minutes = TimeUnit.NANOSECONDS.toMinutes(System.nanoTime() - started);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        assertThat(refusalsFrom("127.0.0.1")).as("lines for 120 refusals from one source").hasSizeBetween(1, (int) (1 + minutes));
        assertThat(refusalsFrom("127.0.0.2")).as("lines for 40 refusals from another").hasSizeBetween(1, (int) (1 + minutes));
        assertThat(log.list.stream().filter(e -> e.getFormattedMessage().startsWith("refused connection")))
                .as("at most 10 refusal lines a second").hasSizeLessThanOrEqualTo((int) (10 * (seconds + 1)));
        assertThat(lines()).as("no log line holds a credential").allSatisfy(line -> assertThat(line).doesNotContain(SECRETS));
        assertThat(presence.of("alice")).isEmpty();
        await().atMost(WAIT).until(() -> server.stats().handshakes() == 0 && server.stats().connections() == 0);
    }

    /**
     * An application's authenticator that fails quoting the credential it could not parse, as JSON parsers do:
     * the client is told only "authentication failed", and the server's log gets the failure's kind, not its words.
     */
    @Test
    void anAuthenticatorFailureThatQuotesTheCredentialDoesNotPutItInTheLog() throws Exception {
        Authenticator careless = attempt -> CompletableFuture.failedFuture(new IllegalArgumentException(
                "Unexpected character at 0 in '" + new String(attempt.credential(), StandardCharsets.UTF_8) + "'"));
        TetherServer server = start(fastServer().authenticator(careless));
        RawPeer.Frame goAway = attempt(server, null, "dave", bytes(NOT_A_TOKEN));
        assertThat(goAway.goAwayReason()).isEqualTo(CloseReason.UNAUTHENTICATED);
        assertThat(goAway.goAwayMessage()).isEqualTo("authentication failed");

        await().atMost(WAIT).until(() -> lines().stream().anyMatch(l -> l.startsWith("the authenticator failed")));
        assertThat(lines()).filteredOn(l -> l.startsWith("the authenticator failed")).singleElement().asString()
                .matches("the authenticator failed for client dave from 127\\.0\\.0\\.1:\\d+: java\\.lang\\.IllegalArgumentException"
                        + " \\(its message and stack are logged at debug level\\)");
        assertThat(lines()).allSatisfy(line -> assertThat(line).doesNotContain(SECRETS));
    }
}
