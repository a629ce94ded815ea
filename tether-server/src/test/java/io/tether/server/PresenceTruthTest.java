package io.tether.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.protocol.CloseReason;
import io.tether.protocol.Hello;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Presence must not lie under the races a hostile or broken client can start: per session exactly one
 * ONLINE, then exactly one OFFLINE, and nothing online whose socket is gone.
 */
class PresenceTruthTest extends ServerHarness {
    private static final int RESETS = 300;

    /**
     * Defect: a client that sent HELLO and reset at once made the WELCOME write fail; the server published
     * OFFLINE CONNECTION_RESET, then ONLINE, and kept the session online forever (a ghost), replacing a real
     * client of the same id.
     */
    @Test
    void helloThenResetLeavesNoGhost() throws Exception {
        // A slow heartbeat: alice, who does not ping, must stay online however long the resets take.
        TetherServer server = start(fastServer().heartbeat(HeartbeatPolicy.of(Duration.ofSeconds(10), Duration.ofSeconds(30))));
        try (RawPeer alice = new RawPeer(server.address())) {
            long aliceSession = alice.hello("alice", 0).sessionId(); // 0: the server's own 10 s / 30 s
            for (int i = 0; i < RESETS; i++) {
                RawPeer peer = new RawPeer(server.address());
                peer.send(new Hello(Hello.PROTOCOL_VERSION, 100, i % 10 == 0 ? "alice" : "ghost-" + i)
                        .encode(UnpooledByteBufAllocator.DEFAULT));
                peer.reset();
            }
            // Every connection above is gone: each either never came online or has gone offline again.
            await().atMost(Duration.ofSeconds(20)).until(() -> server.stats().accepted() == RESETS + 1
                    && server.sessions().stream().allMatch(s -> s.clientId().equals("alice")));
            presence.awaitAllOfflineBut(server::onlineCount, Duration.ofSeconds(20));
            presence.assertTruthful(false);
            // What did come online and went offline again is reported as what happened to it.
            assertThat(presence.events).filteredOn(e -> e.type() == PresenceEvent.Type.OFFLINE)
                    .extracting(PresenceEvent::reason).allMatch(r -> r == CloseReason.CONNECTION_RESET || r == CloseReason.REPLACED);
            // Only the real alice, whose socket is open, may stay online (a reset impostor is found out).
            await().atMost(Duration.ofSeconds(20)).until(() -> server.session("alice")
                    .map(s -> s.sessionId() == aliceSession).orElse(true));
        }
        server.close();
        presence.assertTruthful(true);
    }
}
