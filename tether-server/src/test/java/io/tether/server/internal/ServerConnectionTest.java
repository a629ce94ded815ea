package io.tether.server.internal;

import static io.tether.protocol.FrameType.DATA;
import static io.tether.protocol.FrameType.GOAWAY;
import static io.tether.protocol.FrameType.PONG;
import static io.tether.protocol.FrameType.RESPONSE;
import static io.tether.protocol.FrameType.WELCOME;
import static io.tether.server.internal.ConnectionRig.MS;
import static io.tether.server.internal.ConnectionRig.concat;
import static io.tether.server.internal.ConnectionRig.data;
import static io.tether.server.internal.ConnectionRig.hello;
import static io.tether.server.internal.ConnectionRig.ping;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.netty.buffer.Unpooled;
import io.tether.messaging.ConnectionLostException;
import io.tether.protocol.CloseReason;
import io.tether.protocol.Welcome;
import io.tether.server.PresenceEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One {@link ServerConnection} driven through its states by hand: its bytes in through a recording
 * transport, its deadlines on a test clock. Every time below is exact, in ms of the test clock; the handshake
 * timeout is 500 ms, the heartbeat 100 ms with a 300 ms timeout, the linger 1000 ms. After each test every
 * connection is ended as a peer's close would end it, and presence, the connection counts and the buffer
 * budget must all balance.
 */
class ServerConnectionTest {
    private final ConnectionRig rig = new ConnectionRig((session, payload) ->
            CompletableFuture.completedFuture(("re: " + new String(payload, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));

    @AfterEach
    void everythingBalances() {
        rig.endCheckBalancesAndClose();
    }

    // ---- Handshake.

    @Test
    void helloIsAnsweredWelcomeAndTheSessionAnnouncedOnce() {
        RecordingTransport peer = rig.connect();
        assertThat(rig.counts.handshakes()).isEqualTo(1);
        rig.advanceTo(40);
        rig.receive(peer, hello("alice"));

        assertThat(peer.types()).containsExactly(WELCOME);
        Welcome welcome = Welcome.decode(Unpooled.wrappedBuffer(peer.sends.get(0)));
        assertThat(welcome).isEqualTo(new Welcome(1, 100, 300, 4096, 1));
        assertThat(peer.calls).containsExactly("flush", "write WELCOME", "written WELCOME", "boundDeadPeer 300 ms", "flush");
        assertThat(rig.presence()).extracting(PresenceEvent::type, PresenceEvent::clientId, PresenceEvent::remote)
                .containsExactly(tuple(PresenceEvent.Type.ONLINE, "alice", "10.0.0.1:40000"));
        assertThat(rig.counts.handshakes()).isZero();
        assertThat(rig.counts.open()).isEqualTo(1);
    }

    @Test
    void noHelloWithinTheHandshakeTimeoutIsRefusedAtTheDeadlineAndClosedWhenTheLingerEnds() {
        RecordingTransport peer = rig.connect();
        rig.advanceToNanos(500 * MS - 1);
        assertThat(peer.calls).isEmpty();

        rig.advanceTo(500);
        assertThat(peer.goAway().goAwayReason()).isEqualTo(CloseReason.PROTOCOL_ERROR);
        assertThat(peer.goAway().goAwayMessage()).isEqualTo("no HELLO within 500 ms");
        // Half-closed behind the GOAWAY, once it is written: the peer reads it, then end of stream.
        assertThat(peer.calls).containsExactly("flush", "write GOAWAY", "written GOAWAY", "shutdownOutput");
        assertThat(rig.counts.handshakes()).isZero();
        assertThat(rig.registry.stats(rig.counts, rig.buffers).rejected()).isEqualTo(1);

        rig.advanceToNanos(1500 * MS - 1);
        assertThat(peer.calls).doesNotContain("close");
        rig.advanceTo(1500);
        assertThat(peer.calls).last().isEqualTo("close");
        assertThat(rig.counts.open()).isZero();
        assertThat(rig.presence()).as("a connection never online makes no presence event").isEmpty();
    }

    /** A defect once: the handshake timeout was an idle timer, so a HELLO dribbled in was held for ever. */
    @Test
    void aHelloDribbledInIsCutOffAtTheDeadlineWithTheStallNamed() {
        byte[] hello = hello("dribbler"); // 24 bytes
        RecordingTransport peer = rig.connect();
        // A byte every 25 ms from accept: 20 bytes by 475 ms, the last 25 ms before the deadline.
        for (int i = 0; i < 20; i++) {
            rig.advanceTo(25L * i);
            rig.receive(peer, new byte[] {hello[i]});
        }
        rig.advanceTo(475);
        rig.receive(peer, new byte[0]);
        rig.advanceToNanos(500 * MS - 1);
        assertThat(peer.sends).isEmpty();

        rig.advanceTo(500);
        assertThat(peer.goAway().goAwayMessage())
                .isEqualTo("no HELLO within 500 ms; stalled mid-frame after 20 of 24 bytes of a HELLO frame");
        rig.receive(peer, Arrays.copyOfRange(hello, 20, 24)); // the rest, too late: dropped
        assertThat(rig.presence()).isEmpty();
        assertThat(rig.buffers.held()).as("the partial HELLO released").isZero();
    }

    @Test
    void aBadFirstFrameIsRefusedAndOutputShutOnlyOnceTheGoAwayIsWritten() {
        RecordingTransport peer = rig.connect();
        peer.holdWrites = true;
        rig.advanceTo(30);
        rig.receive(peer, "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

        assertThat(peer.goAway().goAwayReason()).isEqualTo(CloseReason.PROTOCOL_ERROR);
        assertThat(peer.goAway().goAwayMessage()).isEqualTo("unknown frame type 0x47");
        assertThat(peer.calls).containsExactly("flush", "write GOAWAY", "flush");
        assertThat(rig.counts.handshakes()).isZero();

        rig.receive(peer, hello("late")); // input after the refusal is dropped
        rig.onLoop(peer::completeWrites);
        assertThat(peer.calls).endsWith("written GOAWAY", "shutdownOutput");
        assertThat(peer.types()).containsExactly(GOAWAY);

        rig.advanceTo(200);
        rig.onLoop(peer.connection::ended); // the peer read the GOAWAY and closed: closed at once
        assertThat(peer.calls).last().isEqualTo("close");
        assertThat(rig.counts.open()).isZero();
        assertThat(rig.presence()).isEmpty();
        assertThat(rig.registry.stats(rig.counts, rig.buffers).rejected()).isEqualTo(1);
    }

    @Test
    void aResetDuringTheHandshakeClosesAtOnceWithoutAWord() {
        RecordingTransport peer = rig.connect();
        rig.receive(peer, Arrays.copyOf(hello("gone"), 10));
        rig.onLoop(() -> peer.connection.failed(new IOException("Connection reset by peer")));

        assertThat(peer.calls).containsExactly("flush", "close");
        assertThat(rig.counts.handshakes()).isZero();
        assertThat(rig.counts.open()).isZero();
        assertThat(rig.presence()).isEmpty();
    }

    /**
     * A defect once: TLS had a handshake deadline of its own, racing this one; when it won, a peer that
     * stalled TLS was closed without being counted or logged. Now there is one deadline, and while TLS is
     * still being negotiated no GOAWAY could reach the peer, so the refusal closes at once.
     */
    @Test
    void aPeerThatStallsTlsIsRefusedAtTheDeadlineCountedAndClosedAtOnce() {
        RecordingTransport peer = rig.connect();
        peer.negotiatingTls = true;
        rig.advanceToNanos(500 * MS - 1);
        assertThat(peer.calls).isEmpty();

        rig.advanceTo(500);
        assertThat(peer.calls).containsExactly("close");
        assertThat(rig.registry.stats(rig.counts, rig.buffers).rejected()).isEqualTo(1);
        assertThat(rig.counts.handshakes()).isZero();
        assertThat(rig.counts.open()).isZero();
        assertThat(rig.presence()).isEmpty();
    }

    /** A defect once: a peer refused over TLS that then broke TLS was counted as a second refusal. */
    @Test
    void aTlsFailureAfterTheRefusalIsNotCountedAgain() {
        RecordingTransport peer = rig.connect();
        rig.advanceTo(500);
        assertThat(peer.goAway().goAwayMessage()).isEqualTo("no HELLO within 500 ms");
        rig.onLoop(() -> peer.connection.failed(new javax.net.ssl.SSLException("bad record MAC")));

        assertThat(peer.calls).last().isEqualTo("close");
        assertThat(rig.registry.stats(rig.counts, rig.buffers).rejected()).isEqualTo(1);
        assertThat(rig.counts.open()).isZero();
    }

    // ---- Online.

    @Test
    void pingsInOneReadAreEachAnsweredAndTheirPongsLeaveInOneSend() {
        RecordingTransport peer = rig.online("pinger");
        peer.calls.clear();
        rig.receive(peer, concat(ping(1), ping(2), ping(3)));

        assertThat(peer.calls).containsExactly("pong", "pong", "pong", "flush");
        assertThat(peer.sends).hasSize(2); // the WELCOME, then all three PONGs together
        assertThat(RecordingTransport.framesIn(peer.sends.get(1)))
                .extracting(RecordingTransport.Frame::type, frame -> frame.payload()[3])
                .containsExactly(tuple(PONG, (byte) 1), tuple(PONG, (byte) 2), tuple(PONG, (byte) 3));
    }

    @Test
    void aPongAnsweredBeforeALaterWriteLeavesFirst() {
        RecordingTransport peer = rig.online("asker");
        // The request handler answers at once, while the read that brought the PING is still being handled.
        rig.receive(peer, concat(ping(1), ConnectionRig.wire(io.tether.protocol.Frames.request(
                io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, 7, "q".getBytes(StandardCharsets.UTF_8)))));

        assertThat(peer.types()).containsExactly(WELCOME, PONG, RESPONSE);
        assertThat(new String(peer.frames().get(2).payload(), 4, 5, StandardCharsets.UTF_8)).isEqualTo("re: q");
    }

    @Test
    void aFrameSplitAcrossReadsAtEveryByteBoundaryIsHandledOnce() {
        RecordingTransport peer = rig.online("splitter");
        byte[] wire = concat(data("split"), ping(9));
        int answered = 0;
        for (int cut = 1; cut < wire.length; cut++) {
            rig.advanceTo(rig.nowMillis() + 100); // a new ping interval: the PING is always within the limit
            rig.receive(peer, Arrays.copyOfRange(wire, 0, cut), Arrays.copyOfRange(wire, cut, wire.length));
            answered++;
            assertThat(rig.messages).as("after a cut at byte %d", cut).hasSize(answered);
            assertThat(peer.types()).as("after a cut at byte %d", cut).hasSize(1 + answered).last().isEqualTo(PONG);
            assertThat(rig.buffers.held()).as("nothing held between frames").isZero();
        }
        rig.advanceTo(rig.nowMillis() + 100);
        byte[][] oneByteReads = new byte[wire.length][];
        for (int i = 0; i < wire.length; i++) {
            oneByteReads[i] = new byte[] {wire[i]};
        }
        rig.receive(peer, oneByteReads);

        assertThat(rig.messages).hasSize(wire.length)
                .allSatisfy(payload -> assertThat(new String(payload, StandardCharsets.UTF_8)).isEqualTo("split"));
        assertThat(peer.types()).hasSize(1 + wire.length).doesNotContain(GOAWAY);
        assertThat(rig.presence()).extracting(PresenceEvent::type).containsExactly(PresenceEvent.Type.ONLINE);
    }

    @Test
    void aDataFrameTricklingInOverSevenTimeoutsKeepsItsSessionOnline() {
        RecordingTransport peer = rig.online("trickle");
        byte[] wire = ConnectionRig.wire(io.tether.protocol.Frames.data(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT,
                new byte[2000]));
        // 100 bytes every 100 ms: the frame takes 2 s, almost 7 timeouts; any byte proves the peer alive.
        for (int from = 0; from < wire.length; from += 100) {
            rig.advanceTo(rig.nowMillis() + 100);
            rig.receive(peer, Arrays.copyOfRange(wire, from, Math.min(wire.length, from + 100)));
        }
        assertThat(rig.messages).singleElement().satisfies(payload -> assertThat(payload).hasSize(2000));
        assertThat(rig.presence()).extracting(PresenceEvent::type).containsExactly(PresenceEvent.Type.ONLINE);

        // Stalled mid-frame, the verdict names the stall, 300 ms after the last byte.
        long last = rig.nowMillis();
        rig.receive(peer, Arrays.copyOf(wire, 506));
        rig.advanceToNanos((last + 300) * MS - 1);
        assertThat(rig.presence()).hasSize(1);
        rig.advanceTo(last + 300);
        assertThat(rig.presence()).last().extracting(PresenceEvent::detail)
                .isEqualTo("no bytes for 300 ms (timeout 300 ms); stalled mid-frame after 506 of 2006 bytes of a DATA frame");
    }

    @Test
    void aSilentSessionTimesOutAtExactlyItsTimeoutAndIsClosedRightBehindItsGoAway() {
        rig.advanceTo(10);
        RecordingTransport peer = rig.online("quiet");
        rig.advanceTo(100);
        rig.receive(peer, ping(1)); // the last byte: the verdict is due 300 ms after it
        rig.advanceTo(250);
        rig.advanceToNanos(400 * MS - 1);
        assertThat(rig.presence()).hasSize(1);

        rig.advanceTo(400);
        assertThat(rig.presence()).extracting(PresenceEvent::type, PresenceEvent::reason, PresenceEvent::detail)
                .containsExactly(tuple(PresenceEvent.Type.ONLINE, null, ""),
                        tuple(PresenceEvent.Type.OFFLINE, CloseReason.TIMEOUT, "no bytes for 300 ms (timeout 300 ms)"));
        assertThat(peer.goAway().goAwayReason()).isEqualTo(CloseReason.TIMEOUT);
        // A peer presumed dead has nothing unread: closed behind the frame, without a shutdown or a linger.
        assertThat(peer.calls).endsWith("write GOAWAY", "written GOAWAY", "close").doesNotContain("shutdownOutput");
        assertThat(rig.counts.open()).isZero();
    }

    @Test
    void aBadFrameWhileOnlineEndsTheSessionOnceDropsWhatFollowsAndAwaitsThePeer() {
        RecordingTransport peer = rig.online("garbler");
        rig.advanceTo(50);
        byte[] unknownType = {0x7f, 0, 0, 0, 0, 0};
        rig.receive(peer, concat(data("before"), unknownType, data("after")));

        assertThat(rig.messages).extracting(payload -> new String(payload, StandardCharsets.UTF_8)).containsExactly("before");
        assertThat(rig.presence()).extracting(PresenceEvent::type, PresenceEvent::reason, PresenceEvent::detail)
                .containsExactly(tuple(PresenceEvent.Type.ONLINE, null, ""),
                        tuple(PresenceEvent.Type.OFFLINE, CloseReason.PROTOCOL_ERROR, "unknown frame type 0x7f"));
        assertThat(peer.goAway().goAwayReason()).isEqualTo(CloseReason.PROTOCOL_ERROR);
        assertThat(peer.calls).doesNotContain("shutdownOutput", "close"); // the peer is alive: it closes first

        rig.advanceTo(400);
        rig.receive(peer, data("later")); // draining: dropped, and it does not move the linger
        assertThat(rig.messages).hasSize(1);
        rig.advanceToNanos(1050 * MS - 1);
        assertThat(peer.calls).doesNotContain("close");
        rig.advanceTo(1050);
        assertThat(peer.calls).last().isEqualTo("close");
        assertThat(rig.presence()).hasSize(2);
    }

    @Test
    void aResetWhileOnlineIsConnectionResetAndClosesAtOnce() {
        RecordingTransport peer = rig.online("crasher");
        rig.onLoop(() -> peer.connection.failed(new IOException("Connection reset by peer")));

        assertThat(rig.presence()).extracting(PresenceEvent::type, PresenceEvent::reason)
                .containsExactly(tuple(PresenceEvent.Type.ONLINE, null),
                        tuple(PresenceEvent.Type.OFFLINE, CloseReason.CONNECTION_RESET));
        assertThat(peer.types()).containsExactly(WELCOME);
        assertThat(peer.calls).endsWith("close").doesNotContain("shutdownOutput");
    }

    @Test
    void aKickWhileAWriteIsPendingQueuesItsGoAwayBehindItAndEndsOnce() {
        RecordingTransport peer = rig.online("kicked");
        peer.holdWrites = true;
        ServerSession session = rig.registry.find("kicked");
        CompletableFuture<Void> sent = session.send("pending".getBytes(StandardCharsets.UTF_8));
        rig.settle();
        session.kick("banned");
        rig.settle();

        assertThat(peer.types()).containsExactly(WELCOME, DATA, GOAWAY);
        assertThat(peer.goAway().goAwayReason()).isEqualTo(CloseReason.KICKED);
        assertThat(sent).isNotDone();
        rig.onLoop(peer::completeWrites);
        assertThat(sent).isCompleted();
        assertThat(peer.calls).doesNotContain("shutdownOutput", "close"); // a live peer closes first

        rig.onLoop(peer.connection::ended);
        assertThat(rig.presence()).extracting(PresenceEvent::type, PresenceEvent::reason, PresenceEvent::detail)
                .containsExactly(tuple(PresenceEvent.Type.ONLINE, null, ""),
                        tuple(PresenceEvent.Type.OFFLINE, CloseReason.KICKED, "banned"));
    }

    @Test
    void aGoAwayThatTheSocketNeverTakesIsGivenUpWhenTheLingerEnds() {
        RecordingTransport peer = rig.online("stuck");
        peer.holdWrites = true;
        rig.advanceTo(100);
        CompletableFuture<Void> sent = rig.registry.find("stuck").send(new byte[100]);
        rig.registry.find("stuck").kick("bye");
        rig.settle();
        rig.advanceToNanos(1100 * MS - 1);
        assertThat(peer.calls).doesNotContain("close");

        rig.advanceTo(1100);
        assertThat(peer.calls).endsWith("close", "failed DATA", "failed GOAWAY");
        assertThat(sent).failsWithin(java.time.Duration.ZERO).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOf(ConnectionLostException.class).withMessageContaining("KICKED - bye");
    }

    @Test
    void aGoAwayWhoseWriteFailsClosesAtOnceAndTheReasonStands() {
        RecordingTransport peer = rig.online("failing");
        peer.holdWrites = true;
        rig.registry.find("failing").kick("bye");
        rig.settle();
        rig.onLoop(() -> peer.failWrite(new IOException("Broken pipe")));

        assertThat(peer.calls).endsWith("failed GOAWAY", "close");
        assertThat(rig.presence()).extracting(PresenceEvent::type, PresenceEvent::reason)
                .containsExactly(tuple(PresenceEvent.Type.ONLINE, null), tuple(PresenceEvent.Type.OFFLINE, CloseReason.KICKED));
    }

    @Test
    void aReplacedSessionIsToldBehindItsPendingWriteAndItsSuccessorStaysOnline() {
        RecordingTransport first = rig.online("twin");
        first.holdWrites = true;
        rig.registry.find("twin").send("for the first".getBytes(StandardCharsets.UTF_8));
        rig.settle();
        RecordingTransport second = rig.online("twin");

        assertThat(first.types()).containsExactly(WELCOME, DATA, GOAWAY);
        assertThat(first.goAway().goAwayMessage()).isEqualTo("replaced by session 2 from 10.0.0.1:40001");
        rig.onLoop(first.connection::ended);
        assertThat(rig.presence()).extracting(PresenceEvent::type, PresenceEvent::sessionId, PresenceEvent::reason)
                .containsExactly(tuple(PresenceEvent.Type.ONLINE, 1L, null),
                        tuple(PresenceEvent.Type.OFFLINE, 1L, CloseReason.REPLACED),
                        tuple(PresenceEvent.Type.ONLINE, 2L, null));
        assertThat(second.connection.isOpen()).isTrue();
        assertThat(rig.registry.find("twin").sessionId()).isEqualTo(2);
    }

    // ---- The pause guard, at the connection.

    @Test
    void aDeadlineMetThreeTimeoutsLateGivesGraceAndThePeersBytesKeepItOnline() {
        RecordingTransport peer = rig.online("survivor"); // last byte at 0: due at 300
        rig.stallUntil(900); // the loop stalled: the one poll comes 600 ms late
        assertThat(rig.presence()).hasSize(1);

        // What the peer sent during the stall is read now, and it keeps heartbeating.
        for (long t = 900; t <= 2000; t += 100) {
            rig.advanceTo(t);
            rig.receive(peer, ping((int) t));
        }
        assertThat(rig.presence()).extracting(PresenceEvent::type).containsExactly(PresenceEvent.Type.ONLINE);

        // The guard delays a verdict; it does not cancel one. Silent from 2000: due at 2300 at the latest.
        rig.advanceTo(2100);
        rig.advanceToNanos(2300 * MS - 1);
        assertThat(rig.presence()).hasSize(1);
        rig.advanceTo(2300);
        assertThat(rig.presence()).last().extracting(PresenceEvent::reason, PresenceEvent::detail)
                .containsExactly(CloseReason.TIMEOUT, "no bytes for 300 ms (timeout 300 ms)");
    }
}
