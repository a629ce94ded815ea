package io.tether.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tether.protocol.CloseReason;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import io.tether.protocol.Welcome;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServerLivenessTest extends ServerHarness {
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

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

    @Test
    void heartbeatingClientStaysOnlineAndItsRttIsListed() throws Exception {
        TetherServer server = start(fastServer());
        try (RawPeer peer = new RawPeer(server.address())) {
            peer.hello("steady", 100);
            AtomicInteger pongs = new AtomicInteger();
            timer.scheduleAtFixedRate(() -> {
                try {
                    peer.ping(42, 1234);
                    if (peer.read().type() == FrameType.PONG) {
                        pongs.incrementAndGet();
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, 0, 50, TimeUnit.MILLISECONDS);

            // 15 pongs at 50 ms spacing span 750 ms: more than two timeouts' worth of time.
            await().atMost(Duration.ofSeconds(10)).until(() -> pongs.get() >= 15);

            assertThat(presence.find("steady", PresenceEvent.Type.OFFLINE)).isNull();
            SessionInfo info = server.sessions().get(0);
            assertThat(info.clientId()).isEqualTo("steady");
            assertThat(info.remote()).isEqualTo("127.0.0.1:" + peer.localPort());
            assertThat(info.lastRtt()).isEqualTo(Duration.ofNanos(1_234_000));
            assertThat(info.heartbeat().timeout()).isEqualTo(Duration.ofMillis(300));
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
    void dataFrameTricklingInSlowerThanTheTimeoutCausesNoFalseOffline() throws Exception {
        TetherServer server = start(fastServer());
        try (RawPeer peer = new RawPeer(server.address())) {
            peer.hello("trickle", 0);
            byte[] payload = new byte[2000];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) i;
            }
            ByteBuf frame = Frames.data(UnpooledByteBufAllocator.DEFAULT, payload);
            byte[] wire = new byte[frame.readableBytes()];
            frame.readBytes(wire);
            // 100 bytes every 100 ms: the frame takes ~2 s to arrive, almost 7 timeouts.
            AtomicInteger sent = new AtomicInteger();
            timer.scheduleAtFixedRate(() -> {
                int from = sent.get();
                if (from >= wire.length) {
                    return;
                }
                int to = Math.min(wire.length, from + 100);
                try {
                    peer.sendRaw(java.util.Arrays.copyOfRange(wire, from, to));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
                sent.set(to);
            }, 0, 100, TimeUnit.MILLISECONDS);

            await().atMost(Duration.ofSeconds(10)).until(() -> messages.size() == 1);

            assertThat(messages.get(0)).isEqualTo(payload);
            assertThat(presence.find("trickle", PresenceEvent.Type.OFFLINE)).isNull();
            assertThat(server.isOnline("trickle")).isTrue();
        }
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
