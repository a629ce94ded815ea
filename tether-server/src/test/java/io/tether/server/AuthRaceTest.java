package io.tether.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tether.protocol.CloseReason;
import io.tether.protocol.FrameType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Authenticated identities raced on real sockets, a bounded number of rounds each, on a server with two
 * event loops (consecutive connections land on different loops, so their admissions truly run at once).
 * Whatever wins, presence tells the truth: per session one ONLINE, then one OFFLINE; a client refused is
 * never announced; and an identity online cannot be taken over by another principal.
 */
class AuthRaceTest extends ServerHarness {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int ROUNDS = 25;

    /** Holds every answer until the test gives it. */
    private final HeldAuthenticator held = new HeldAuthenticator();
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
    private final List<RawPeer> peers = new ArrayList<>();

    @AfterEach
    void closePeers() throws IOException {
        timer.shutdownNow();
        for (RawPeer peer : peers) {
            peer.close();
        }
    }

    private RawPeer connect(TetherServer server) throws IOException {
        RawPeer peer = new RawPeer(server.address());
        peers.add(peer);
        return peer;
    }

    /** Polls every few ms, not Awaitility's default 100: a round's events come within a few ms of its strike. */
    private static org.awaitility.core.ConditionFactory soon() {
        return await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2));
    }

    private PresenceEvent awaitEvent(String id, PresenceEvent.Type type) {
        return soon().until(() -> presence.find(id, type), e -> e != null);
    }

    /**
     * Two connections say HELLO as {@code id} with credentials {@code a} and {@code b}; once both are being
     * decided, both answers are handed over back to back (in an order that alternates by round), each to its
     * own loop. Returns the two peers, a's first.
     */
    private RawPeer[] race(TetherServer server, String id, String a, String b, int round,
                           Function<HeldAuthenticator.Question, AuthResult> answer) throws Exception {
        RawPeer[] peers = {connect(server), connect(server)};
        peers[0].helloWith(id, 1000, bytes(a));
        peers[1].helloWith(id, 1000, bytes(b));
        HeldAuthenticator.Question first = held.asked();
        HeldAuthenticator.Question second = held.asked();
        for (HeldAuthenticator.Question question : round % 2 == 0 ? List.of(first, second) : List.of(second, first)) {
            question.answer().complete(answer.apply(question));
        }
        return peers;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** The frames {@code peer} reads up to and including a GOAWAY, or up to its first WELCOME when {@code untilWelcome}. */
    private static List<RawPeer.Frame> readUntil(RawPeer peer, boolean untilWelcome) throws IOException {
        List<RawPeer.Frame> frames = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            RawPeer.Frame frame = peer.read();
            frames.add(frame);
            if (frame.type() == FrameType.GOAWAY || untilWelcome && frame.type() == FrameType.WELCOME) {
                return frames;
            }
        }
        throw new AssertionError("no GOAWAY in 10 frames: " + frames.stream().map(RawPeer.Frame::type).toList());
    }

    private static List<FrameType> types(List<RawPeer.Frame> frames) {
        return frames.stream().map(RawPeer.Frame::type).toList();
    }

    private static RawPeer.Frame last(List<RawPeer.Frame> frames) {
        return frames.get(frames.size() - 1);
    }

    /** Two principals claim one id at once: one is online, the other is FORBIDDEN and never announced. */
    @Test
    void twoPrincipalsRacingForOneIdPutExactlyOneOnlineAndForbidTheOther() throws Exception {
        TetherServer server = start(fastServer().authenticator(held));
        int welcomedThenForbidden = 0;
        for (int round = 0; round < ROUNDS; round++) {
            String id = "contested-" + round;
            RawPeer[] peers = race(server, id, "device-a", "device-b", round,
                    question -> AuthResult.admit(new String(question.attempt().credential(), StandardCharsets.US_ASCII)));
            RawPeer a = peers[0];
            RawPeer b = peers[1];

            PresenceEvent online = awaitEvent(id, PresenceEvent.Type.ONLINE);
            RawPeer winner = online.remote().endsWith(":" + a.localPort()) ? a : b;
            RawPeer loser = winner == a ? b : a;
            assertThat(types(readUntil(winner, true))).as("round %d: the winner", round).containsExactly(FrameType.WELCOME);
            List<RawPeer.Frame> told = readUntil(loser, false);
            if (told.size() > 1) {
                welcomedThenForbidden++;
            }
            assertThat(last(told).goAwayReason()).as("round %d: the loser", round).isEqualTo(CloseReason.FORBIDDEN);
            assertThat(last(told).goAwayMessage()).isEqualTo("client id " + id + " is online as another principal");
            assertThat(loser.isClosedByServer()).isTrue();
            assertThat(server.isOnline(id)).isTrue();

            winner.close();
            awaitEvent(id, PresenceEvent.Type.OFFLINE);
            assertThat(presence.of(id)).extracting(PresenceEvent::type, PresenceEvent::sessionId)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(PresenceEvent.Type.ONLINE, online.sessionId()),
                            org.assertj.core.groups.Tuple.tuple(PresenceEvent.Type.OFFLINE, online.sessionId()));
        }
        assertThat(server.stats().rejected()).isEqualTo(ROUNDS);
        assertThat(welcomedThenForbidden).as("losers told WELCOME before FORBIDDEN").isZero();
        presence.assertTruthful(true);
        await().atMost(WAIT).until(() -> server.stats().connections() == 0 && server.stats().handshakes() == 0);
    }

    /** One principal on two connections at once: the later replaces the earlier, its OFFLINE before the new ONLINE. */
    @Test
    void onePrincipalRacingItselfIsReplacedInOrder() throws Exception {
        TetherServer server = start(fastServer().authenticator(held));
        for (int round = 0; round < ROUNDS; round++) {
            String id = "twin-" + round;
            RawPeer[] peers = race(server, id, "device", "device", round, question -> AuthResult.admit("device"));
            RawPeer a = peers[0];
            RawPeer b = peers[1];

            soon().until(() -> presence.of(id).size() == 3);
            List<PresenceEvent> events = presence.of(id);
            assertThat(events).extracting(PresenceEvent::type, PresenceEvent::reason).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(PresenceEvent.Type.ONLINE, null),
                    org.assertj.core.groups.Tuple.tuple(PresenceEvent.Type.OFFLINE, CloseReason.REPLACED),
                    org.assertj.core.groups.Tuple.tuple(PresenceEvent.Type.ONLINE, null));
            assertThat(events.get(1).sessionId()).isEqualTo(events.get(0).sessionId());
            RawPeer replaced = events.get(0).remote().endsWith(":" + a.localPort()) ? a : b;
            RawPeer survivor = replaced == a ? b : a;
            List<RawPeer.Frame> told = readUntil(replaced, false);
            assertThat(types(told)).containsExactly(FrameType.WELCOME, FrameType.GOAWAY);
            assertThat(last(told).goAwayReason()).isEqualTo(CloseReason.REPLACED);
            assertThat(types(readUntil(survivor, true))).containsExactly(FrameType.WELCOME);

            survivor.close();
            soon().until(() -> presence.of(id).size() == 4);
        }
        presence.assertTruthful(true);
        assertThat(server.stats().rejected()).isZero();
    }

    // ---- A credential that expires, raced with every other way a session ends.

    /** How long each identity lasts: short, so that its expiry and the other end meet within the round. */
    private static final long LIFETIME_MILLIS = 60;

    /** Admits the principal its credential names ("device" or "device;long"), for {@value #LIFETIME_MILLIS} ms, or an hour. */
    private final Authenticator shortLived = attempt -> {
        String[] credential = new String(attempt.credential(), StandardCharsets.US_ASCII).split(";");
        long lifetime = credential.length > 1 ? 3_600_000 : LIFETIME_MILLIS;
        return CompletableFuture.completedFuture(AuthResult.admit(credential[0], Instant.now().plusMillis(lifetime)));
    };

    /**
     * Runs {@link #ROUNDS} rounds: a client comes online with an identity that expires {@value #LIFETIME_MILLIS}
     * ms later, and {@code otherEnd} strikes around then (a few ms either side, by round). Its session must
     * end once, for one of {@code reasons}.
     */
    private void raceExpiryWith(String name, Function<Integer, TetherServer> serverFor, OtherEnd otherEnd,
                                CloseReason... reasons) throws Exception {
        Map<CloseReason, Integer> outcomes = new java.util.EnumMap<>(CloseReason.class);
        for (int round = 0; round < ROUNDS; round++) {
            TetherServer server = serverFor.apply(round);
            String id = name + "-" + round;
            RawPeer peer = connect(server);
            peer.helloWith(id, 1000, bytes("device"));
            assertThat(peer.read().type()).isEqualTo(FrameType.WELCOME);
            long offsetMillis = LIFETIME_MILLIS - 6 + round % 12; // from 6 ms before the expiry to 5 ms after
            int r = round;
            CompletableFuture<Void> struck = new CompletableFuture<>();
            timer.schedule(() -> {
                try {
                    otherEnd.strike(server, id, peer, r);
                    struck.complete(null);
                } catch (Exception e) {
                    struck.completeExceptionally(e);
                }
            }, offsetMillis, TimeUnit.MILLISECONDS);
            struck.get(WAIT.toSeconds(), TimeUnit.SECONDS);

            PresenceEvent offline = awaitEvent(id, PresenceEvent.Type.OFFLINE);
            assertThat(offline.reason()).as("round %d", round).isIn((Object[]) reasons);
            outcomes.merge(offline.reason(), 1, Integer::sum);
            // Whatever the GOAWAY said, the client hears the end.
            peer.close();
        }
        // Each round's session ended once, and every session so far is ONLINE, or ONLINE then OFFLINE.
        for (int round = 0; round < ROUNDS; round++) {
            List<PresenceEvent> events = presence.of(name + "-" + round);
            long first = events.get(0).sessionId();
            assertThat(events.stream().filter(e -> e.sessionId() == first)).extracting(PresenceEvent::type)
                    .as("round %d: %s", round, events).containsExactly(PresenceEvent.Type.ONLINE, PresenceEvent.Type.OFFLINE);
        }
        presence.assertTruthful(false);
        org.slf4j.LoggerFactory.getLogger(AuthRaceTest.class).info("{}: sessions ended by {}", name, outcomes);
    }

    @FunctionalInterface
    private interface OtherEnd {
        void strike(TetherServer server, String id, RawPeer peer, int round) throws Exception;
    }

    private TetherServer shared;

    private TetherServer sharedServer() {
        try {
            if (shared == null) {
                shared = start(fastServer().authenticator(shortLived));
            }
            return shared;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anExpiryRacingAKickEndsTheSessionOnce() throws Exception {
        raceExpiryWith("kicked", round -> sharedServer(), (server, id, peer, round) -> server.kick(id, "operator"),
                CloseReason.UNAUTHENTICATED, CloseReason.KICKED);
        presence.assertTruthful(true);
        assertThat(shared.stats().offlineEvents()).isEqualTo(shared.stats().onlineEvents()).isEqualTo(ROUNDS);
    }

    @Test
    void anExpiryRacingAReplacementEndsTheSessionOnceAndTheSuccessorStays() throws Exception {
        raceExpiryWith("replaced", round -> sharedServer(), (server, id, peer, round) -> {
            RawPeer successor = connect(server);
            successor.helloWith(id, 1000, bytes("device;long"));
        }, CloseReason.UNAUTHENTICATED, CloseReason.REPLACED);
        // Each successor came online once its predecessor was offline (it may have timed out since: it never pings).
        for (int round = 0; round < ROUNDS; round++) {
            String id = "replaced-" + round;
            soon().until(() -> presence.of(id).size() >= 3);
            assertThat(presence.of(id).subList(0, 3)).extracting(PresenceEvent::type).containsExactly(
                    PresenceEvent.Type.ONLINE, PresenceEvent.Type.OFFLINE, PresenceEvent.Type.ONLINE);
        }
        assertThat(shared.stats().rejected()).isZero();
    }

    @Test
    void anExpiryRacingTheClientClosingEndsTheSessionOnce() throws Exception {
        raceExpiryWith("closing", round -> sharedServer(), (server, id, peer, round) -> {
            if (round % 2 == 0) {
                peer.close();
            } else {
                peer.reset();
            }
        }, CloseReason.UNAUTHENTICATED, CloseReason.CLIENT_CLOSED, CloseReason.CONNECTION_RESET);
        await().atMost(WAIT).until(() -> shared.stats().connections() == 0 && shared.stats().handshakes() == 0);
        presence.assertTruthful(true);
    }

    @Test
    void anExpiryRacingServerShutdownEndsTheSessionOnce() throws Exception {
        raceExpiryWith("stopping", round -> {
            try {
                return start(fastServer().eventLoopThreads(1).authenticator(shortLived));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, (server, id, peer, round) -> CompletableFuture.runAsync(server::close),
                CloseReason.UNAUTHENTICATED, CloseReason.SERVER_SHUTDOWN);
        presence.assertTruthful(true);
    }
}
