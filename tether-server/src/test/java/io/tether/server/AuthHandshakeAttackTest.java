package io.tether.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.tether.protocol.CloseReason;
import io.tether.protocol.FrameType;
import io.tether.protocol.Hello;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile version 2 handshakes on real sockets, through whichever engine the run uses: HELLOs dribbled or
 * cut inside the credential's length field, bytes sent while the authenticator decides, and the connection
 * reset, timed out or shut down under an answer that arrives late. The server runs one event loop, so a
 * client admitted after a late answer was handed in is served after it: its ONLINE is the barrier behind
 * which the late answer has been acted on, and must have changed nothing.
 */
class AuthHandshakeAttackTest extends ServerHarness {
    private static final byte[] CREDENTIAL = "opaque-credential-0123456789".getBytes(StandardCharsets.US_ASCII);
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Answers when the test says, except for sentinels, admitted at once. */
    private final HeldAuthenticator desk = new HeldAuthenticator(id -> id.startsWith("sentinel-"));
    private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
    private final AtomicInteger sentinels = new AtomicInteger();

    @AfterEach
    void stopPacer() {
        pacer.shutdownNow();
    }

    private TetherServer deskServer(Duration handshakeTimeout) throws Exception {
        return start(fastServer().eventLoopThreads(1).handshakeTimeout(handshakeTimeout).authenticator(desk));
    }

    private HeldAuthenticator.Question asked() throws InterruptedException {
        return desk.asked();
    }

    /** Says HELLO as {@code id}, waits until the authenticator is asked, does {@code meanwhile}, and reads the refusal. */
    private HeldAuthenticator.Question refusedWhileAsked(TetherServer server, String id, PeerAction meanwhile,
                                                         CloseReason reason, String message) throws Exception {
        try (RawPeer peer = new RawPeer(server.address())) {
            peer.helloWith(id, 1000, CREDENTIAL);
            HeldAuthenticator.Question question = asked();
            meanwhile.act(peer);
            RawPeer.Frame goAway = peer.readGoAway();
            assertThat(goAway.goAwayReason()).isEqualTo(reason);
            assertThat(goAway.goAwayMessage()).isEqualTo(message);
            assertThat(peer.isClosedByServer()).isTrue();
            return question;
        }
    }

    @FunctionalInterface
    private interface PeerAction {
        void act(RawPeer peer) throws Exception;
    }

    /** Returns once the server's loop has done what was handed to it before this call: see the class comment. */
    private void barrier(TetherServer server) throws IOException {
        String id = "sentinel-" + sentinels.incrementAndGet();
        try (RawPeer sentinel = new RawPeer(server.address())) {
            sentinel.hello(id, 1000);
            presence.awaitOnline(id);
        }
        presence.awaitOffline(id);
    }

    private static byte[] wire(Hello hello) {
        return RawPeerFrames.wire(hello.encode(UnpooledByteBufAllocator.DEFAULT));
    }

    /** Sends {@code bytes} one at a time, {@code gapMillis} after the last was sent; done when all went or one failed. */
    private CountDownLatch dribble(RawPeer peer, byte[] bytes, long gapMillis) throws IOException {
        peer.socket.setTcpNoDelay(true);
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger next = new AtomicInteger();
        pacer.scheduleWithFixedDelay(() -> {
            int i = next.getAndIncrement();
            try {
                if (i < bytes.length) {
                    peer.sendRaw(new byte[] {bytes[i]});
                }
            } catch (IOException refusedMeanwhile) {
                i = bytes.length;
            }
            if (i >= bytes.length - 1) {
                done.countDown();
                throw new IllegalStateException("all sent"); // a task that throws is not run again
            }
        }, 0, gapMillis, TimeUnit.MILLISECONDS);
        return done;
    }

    // ---- The HELLO on the wire.

    @Test
    void aVersion2HelloDribbledInWithinTheDeadlineIsAskedAboutAndWelcomed() throws Exception {
        TetherServer server = deskServer(Duration.ofSeconds(5));
        byte[] hello = wire(new Hello(Hello.CREDENTIAL_VERSION, 1000, "dribbler", CREDENTIAL)); // 54 bytes, 3 ms apart
        try (RawPeer peer = new RawPeer(server.address())) {
            dribble(peer, hello, 3);
            HeldAuthenticator.Question question = asked();
            assertThat(question.attempt().credential()).isEqualTo(CREDENTIAL);
            question.answer().complete(AuthResult.admit("dribbler"));
            assertThat(peer.read().type()).isEqualTo(FrameType.WELCOME);
            presence.awaitOnline("dribbler");
        }
    }

    @Test
    void aVersion2HelloDribbledInOverTheDeadlineIsRefusedWithTheStallNamed() throws Exception {
        TetherServer server = deskServer(Duration.ofMillis(300));
        byte[] hello = wire(new Hello(Hello.CREDENTIAL_VERSION, 1000, "dribbler", CREDENTIAL)); // 54 bytes 30 ms apart: 1.6 s
        try (RawPeer peer = new RawPeer(server.address())) {
            CountDownLatch sent = dribble(peer, hello, 30);
            RawPeer.Frame goAway = peer.readGoAway();
            assertThat(goAway.goAwayReason()).isEqualTo(CloseReason.PROTOCOL_ERROR);
            assertThat(goAway.goAwayMessage()).matches("no HELLO within 300 ms; stalled mid-frame after \\d+ of " + hello.length + " bytes of a HELLO frame");
            assertThat(peer.isClosedByServer()).isTrue();
            assertThat(sent.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }
        assertThat(desk.nothingAsked()).as("never asked about").isTrue();
        assertThat(server.stats().rejected()).isEqualTo(1);
        barrier(server);
        assertThat(presence.of("dribbler")).isEmpty();
    }

    /** Cut right inside cred_len, and just before and after it, with a pause between the halves. */
    @Test
    void aVersion2HelloCutInsideTheCredentialLengthFieldIsTheSameHello() throws Exception {
        TetherServer server = deskServer(Duration.ofSeconds(5));
        byte[] hello = wire(new Hello(Hello.CREDENTIAL_VERSION, 1000, "cut", CREDENTIAL));
        int lengthField = hello.length - CREDENTIAL.length - 2;
        for (int cut : new int[] {lengthField, lengthField + 1, lengthField + 2}) {
            try (RawPeer peer = new RawPeer(server.address())) {
                peer.socket.setTcpNoDelay(true);
                peer.sendRaw(Arrays.copyOfRange(hello, 0, cut));
                pacer.schedule(() -> {
                    peer.sendRaw(Arrays.copyOfRange(hello, cut, hello.length));
                    return null;
                }, 50, TimeUnit.MILLISECONDS);
                HeldAuthenticator.Question question = asked();
                assertThat(question.attempt().credential()).as("cut at %d", cut).isEqualTo(CREDENTIAL);
                question.answer().complete(AuthResult.unauthenticated("cut " + cut));
                RawPeer.Frame goAway = peer.readGoAway();
                assertThat(goAway.goAwayMessage()).isEqualTo("cut " + cut);
            }
        }
        assertThat(server.stats().rejected()).isEqualTo(3);
    }

    @Test
    void theLargestValidHelloIsReadWholeAndItsCredentialHandedOverIntact() throws Exception {
        TetherServer server = deskServer(Duration.ofSeconds(5));
        String longestId = "i".repeat(255);
        byte[] credential = new byte[Hello.MAX_CREDENTIAL_BYTES];
        for (int i = 0; i < credential.length; i++) {
            credential[i] = (byte) i; // every byte value: the protocol treats them as opaque
        }
        byte[] hello = wire(new Hello(Hello.CREDENTIAL_VERSION, 1000, longestId, credential));
        assertThat(hello.length).isEqualTo(6 + Hello.MAX_PAYLOAD);
        try (RawPeer peer = new RawPeer(server.address())) {
            peer.sendRaw(hello);
            HeldAuthenticator.Question question = asked();
            assertThat(question.attempt().clientId()).isEqualTo(longestId);
            assertThat(question.attempt().credential()).isEqualTo(credential);
            question.answer().complete(AuthResult.admit(longestId));
            assertThat(peer.read().type()).isEqualTo(FrameType.WELCOME);
            presence.awaitOnline(longestId);
        }
    }

    // ---- While the authenticator decides.

    @Test
    void bytesSentWhileTheAuthenticatorDecidesAreRefusedOnceAndTheLateAdmissionChangesNothing() throws Exception {
        TetherServer server = deskServer(Duration.ofSeconds(5));
        HeldAuthenticator.Question question = refusedWhileAsked(server, "eager", peer -> peer.ping(1, 0),
                CloseReason.PROTOCOL_ERROR, "sent 14 bytes after its HELLO while it was being authenticated; a client waits for WELCOME");
        question.answer().complete(AuthResult.admit("eager"));
        barrier(server);
        assertThat(presence.of("eager")).isEmpty();
        assertThat(server.stats().rejected()).as("refused once").isEqualTo(1);
        await().atMost(WAIT).until(() -> server.stats().connections() == 0 && server.stats().handshakes() == 0);
    }

    @Test
    void aResetWhileTheAuthenticatorDecidesLeavesNothingBehindAndTheLateAdmissionIsDropped() throws Exception {
        TetherServer server = deskServer(Duration.ofSeconds(5));
        RawPeer peer = new RawPeer(server.address());
        peer.helloWith("quitter", 1000, CREDENTIAL);
        HeldAuthenticator.Question question = asked();
        assertThat(server.stats().handshakes()).isEqualTo(1);
        peer.reset();
        await().atMost(WAIT).until(() -> server.stats().connections() == 0 && server.stats().handshakes() == 0);

        question.answer().complete(AuthResult.admit("quitter"));
        barrier(server);
        assertThat(presence.of("quitter")).isEmpty();
        assertThat(server.stats().rejected()).as("a peer that left was not refused").isZero();
        assertThat(server.stats().onlineEvents()).as("the sentinel's only").isEqualTo(1);
        await().atMost(WAIT).until(() -> server.stats().connections() == 0 && server.stats().handshakes() == 0);
    }

    @Test
    void theHandshakeDeadlineWhileTheAuthenticatorDecidesRefusesUnauthenticatedAndTheLateAnswerIsDropped() throws Exception {
        TetherServer server = deskServer(Duration.ofMillis(500));
        HeldAuthenticator.Question question = refusedWhileAsked(server, "slow", peer -> { },
                CloseReason.UNAUTHENTICATED, "authentication did not finish within 500 ms");
        question.answer().complete(AuthResult.admit("slow"));
        barrier(server);
        assertThat(presence.of("slow")).isEmpty();
        assertThat(server.stats().rejected()).isEqualTo(1);
        await().atMost(WAIT).until(() -> server.stats().connections() == 0 && server.stats().handshakes() == 0);
    }

    @Test
    void aServerStoppingWhileTheAuthenticatorDecidesTellsTheClientAndNeverAnnouncesIt() throws Exception {
        TetherServer server = deskServer(Duration.ofSeconds(5));
        try (RawPeer peer = new RawPeer(server.address())) {
            peer.helloWith("early", 1000, CREDENTIAL);
            HeldAuthenticator.Question question = asked();
            CompletableFuture<Void> closed = CompletableFuture.runAsync(server::close);
            RawPeer.Frame goAway = peer.readGoAway();
            assertThat(goAway.goAwayReason()).isEqualTo(CloseReason.SERVER_SHUTDOWN);
            assertThat(peer.isClosedByServer()).isTrue();
            peer.close(); // as a client does on GOAWAY, which lets the server finish its close
            closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            question.answer().complete(AuthResult.admit("early")); // to a server that has stopped
        }
        assertThat(presence.events).isEmpty();
        assertThat(server.stats().rejected()).isEqualTo(1);
        assertThat(server.stats().handshakes()).isZero();
        assertThat(server.stats().connections()).isZero();
    }
}
