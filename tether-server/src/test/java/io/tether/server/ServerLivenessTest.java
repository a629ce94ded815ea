package io.tether.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.tether.protocol.CloseReason;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import io.tether.protocol.Welcome;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServerLivenessTest extends ServerHarness {
    @Test
    void silentClientIsDeclaredOfflineWithTimeoutAndToldWhy() throws Exception {
        TetherServer server = start(fastServer());
        try (RawPeer peer = new RawPeer(server.address())) {
            peer.hello("silent", 0);
            presence.awaitOnline("silent");

            PresenceEvent offline = presence.awaitOffline("silent", CloseReason.TIMEOUT);

            assertThat(offline.silentMillis()).isGreaterThanOrEqualTo(FAST.timeout().toMillis());
            assertThat(offline.detail()).contains("no bytes for").contains("timeout 300 ms");
            RawPeer.Frame goAway = peer.readGoAway();
            assertThat(goAway.goAwayReason()).isEqualTo(CloseReason.TIMEOUT);
            assertThat(peer.isClosedByServer()).isTrue();
            assertThat(server.isOnline("silent")).isFalse();
        }
    }

    /**
     * What needs the wire: PONGs answered and the RTT the client reports listed. Staying online across
     * timeouts while heartbeating is ServerConnectionTest's, on a test clock: with real time, a 300 ms
     * timeout makes a busy machine's scheduling hiccup look like a dead peer.
     */
    @Test
    void heartbeatingClientIsAnsweredAndItsRttIsListed() throws Exception {
        TetherServer server = start(fastServer());
        try (RawPeer peer = new RawPeer(server.address())) {
            peer.hello("steady", 1000); // a 3 s timeout: nothing here depends on this machine's pace
            for (int i = 0; i < 3; i++) { // the most the server answers per interval
                peer.ping(42, 1234);
                assertThat(peer.read().type()).isEqualTo(FrameType.PONG);
            }

            assertThat(presence.find("steady", PresenceEvent.Type.OFFLINE)).isNull();
            SessionInfo info = server.sessions().get(0);
            assertThat(info.clientId()).isEqualTo("steady");
            assertThat(info.remote()).isEqualTo("127.0.0.1:" + peer.localPort());
            assertThat(info.lastRtt()).isEqualTo(Duration.ofNanos(1_234_000));
            assertThat(info.heartbeat().timeout()).isEqualTo(Duration.ofSeconds(3));
        }
    }

    @Test
    void pongEchoesThePingPayloadExactly() throws Exception {
        TetherServer server = start(fastServer());
        try (RawPeer peer = new RawPeer(server.address())) {
            peer.hello("echo", 0);
            peer.ping(0x01020304, 0x05060708);
            RawPeer.Frame pong = peer.read();
            assertThat(pong.type()).isEqualTo(FrameType.PONG);
            assertThat(pong.payload()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        }
    }

    @Test
    void closingClientIsClientClosed() throws Exception {
        TetherServer server = start(fastServer());
        RawPeer peer = new RawPeer(server.address());
        peer.hello("closer", 0);
        presence.awaitOnline("closer");
        peer.close();
        assertThat(presence.awaitOffline("closer", CloseReason.CLIENT_CLOSED).detail()).contains("closed");
    }

    @Test
    void goodbyeFrameIsClientClosed() throws Exception {
        TetherServer server = start(fastServer());
        try (RawPeer peer = new RawPeer(server.address())) {
            peer.hello("polite", 0);
            peer.send(Frames.goAway(UnpooledByteBufAllocator.DEFAULT, CloseReason.CLIENT_CLOSED, "done for today"));
            assertThat(presence.awaitOffline("polite", CloseReason.CLIENT_CLOSED).detail()).contains("done for today");
            assertThat(peer.isClosedByServer()).isTrue();
        }
    }

    @Test
    void resetConnectionIsConnectionReset() throws Exception {
        TetherServer server = start(fastServer());
        RawPeer peer = new RawPeer(server.address());
        peer.hello("crasher", 0);
        presence.awaitOnline("crasher");
        peer.reset();
        presence.awaitOffline("crasher", CloseReason.CONNECTION_RESET);
    }

    @Test
    void requestedIntervalIsClampedToTheServersRangeKeepingTheMissedPeriodRatio() throws Exception {
        TetherServer server = start(fastServer());
        try (RawPeer eager = new RawPeer(server.address()); RawPeer lazy = new RawPeer(server.address())) {
            Welcome tooFast = eager.hello("eager", 1);
            Welcome tooSlow = lazy.hello("lazy", 60_000);

            assertThat(tooFast.intervalMillis()).isEqualTo(10);
            assertThat(tooFast.timeoutMillis()).isEqualTo(30);
            assertThat(tooSlow.intervalMillis()).isEqualTo(1000);
            assertThat(tooSlow.timeoutMillis()).isEqualTo(3000);
        }
    }
}
