package io.tether.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import io.tether.protocol.CloseReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class SessionLifecycleTest extends ServerHarness {

    @Test
    void secondConnectionWithTheSameIdReplacesTheFirstAndEventsStayInOrder() throws Exception {
        TetherServer server = start(fastServer());
        try (RawPeer first = new RawPeer(server.address()); RawPeer second = new RawPeer(server.address())) {
            long firstSession = first.hello("dup", 0).sessionId();
            presence.awaitOnline("dup");
            long secondSession = second.hello("dup", 0).sessionId();

            RawPeer.Frame goAway = first.readGoAway();
            assertThat(goAway.goAwayReason()).isEqualTo(CloseReason.REPLACED);
            // This raw peer does not close on GOAWAY as a client would, so the server closes after its linger;
            // meanwhile the silent second session may time out, which adds a fourth event.
            assertThat(first.isClosedByServer()).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> presence.of("dup").size() >= 3);
            List<PresenceEvent> events = presence.of("dup").subList(0, 3);
            assertThat(events).extracting(PresenceEvent::type, PresenceEvent::sessionId, PresenceEvent::reason)
                    .containsExactly(
                            tuple(PresenceEvent.Type.ONLINE, firstSession, null),
                            tuple(PresenceEvent.Type.OFFLINE, firstSession, CloseReason.REPLACED),
                            tuple(PresenceEvent.Type.ONLINE, secondSession, null));
        }
    }

    @Test
    void kickedClientIsToldTheReasonAndGoesOffline() throws Exception {
        TetherServer server = start(fastServer());
        try (RawPeer peer = new RawPeer(server.address())) {
            peer.hello("troublemaker", 0);
            presence.awaitOnline("troublemaker");

            assertThat(server.kick("troublemaker", "banned for spamming")).isTrue();

            RawPeer.Frame goAway = peer.readGoAway();
            assertThat(goAway.goAwayReason()).isEqualTo(CloseReason.KICKED);
            assertThat(goAway.goAwayMessage()).isEqualTo("banned for spamming");
            assertThat(presence.awaitOffline("troublemaker", CloseReason.KICKED).detail()).isEqualTo("banned for spamming");
            assertThat(server.kick("troublemaker", "again")).isFalse();
        }
    }

    @Test
    void clientThatStopsReadingIsDroppedAsSlowConsumer() throws Exception {
        TetherServer server = start(fastServer().maxOutboundBytes(64 * 1024));
        try (RawPeer peer = new RawPeer(server.address(), 4096)) {
            peer.hello("sleepy-reader", 0);
            presence.awaitOnline("sleepy-reader");
            Session session = server.session("sleepy-reader").orElseThrow();
            byte[] chunk = new byte[16 * 1024];
            // Bounded: at most 64 MiB, far more than socket buffers plus the 64 KiB limit can absorb.
            for (int i = 0; i < 4096 && session.isOnline(); i++) {
                session.send(chunk);
            }
            PresenceEvent offline = presence.awaitOffline("sleepy-reader", CloseReason.SLOW_CONSUMER);
            assertThat(offline.detail()).contains("stopped reading").contains("65536 bytes");
        }
    }

    @Test
    void gracefulShutdownTellsEveryClientAndEmitsEveryOfflineBeforeReturning() throws Exception {
        TetherServer server = start(fastServer());
        List<RawPeer> peers = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                RawPeer peer = new RawPeer(server.address());
                peer.hello("member-" + i, 0);
                peers.add(peer);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> presence.events.size() == 5);

            server.close();

            assertThat(presence.events).filteredOn(e -> e.type() == PresenceEvent.Type.OFFLINE)
                    .hasSize(5)
                    .allSatisfy(e -> assertThat(e.reason()).isEqualTo(CloseReason.SERVER_SHUTDOWN));
            for (RawPeer peer : peers) {
                assertThat(peer.readGoAway().goAwayReason()).isEqualTo(CloseReason.SERVER_SHUTDOWN);
                assertThat(peer.isClosedByServer()).isTrue();
            }
        } finally {
            for (RawPeer peer : peers) {
                peer.close();
            }
        }
    }

    @Test
    void shutdownRefusesConnectionsStillInTheirHandshakeAtOnce() throws Exception {
        TetherServer server = start(fastServer().handshakeTimeout(Duration.ofMinutes(1)));
        try (RawPeer undecided = new RawPeer(server.address())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().accepted() == 1);

            server.close(); // would wait the whole shutdown timeout if the connection were forgotten

            RawPeer.Frame goAway = undecided.readGoAway();
            assertThat(goAway.goAwayReason()).isEqualTo(CloseReason.SERVER_SHUTDOWN);
            assertThat(undecided.isClosedByServer()).isTrue();
            assertThat(presence.events).isEmpty();
        }
    }

    @Test
    void racingKicksResetsAndReplacementsStillGiveExactlyOneOfflinePerOnline() throws Exception {
        TetherServer server = start(fastServer());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            int rounds = 40;
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                String id = "racer-" + (i % 10); // ids repeat, so replacements race the rest
                CountDownLatch online = new CountDownLatch(1);
                RawPeer peer = new RawPeer(server.address());
                all.add(CompletableFuture.runAsync(() -> {
                    try {
                        peer.hello(id, 0);
                        online.countDown();
                    } catch (Exception e) {
                        online.countDown(); // replaced before its WELCOME was read; still counted below
                    }
                }, pool));
                all.add(CompletableFuture.runAsync(() -> {
                    try {
                        online.await();
                        server.kick(id, "race");
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, pool));
                all.add(CompletableFuture.runAsync(() -> {
                    try {
                        online.await();
                        peer.reset();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, pool));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, java.util.concurrent.TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.onlineCount() == 0
                    && presence.events.stream().filter(e -> e.type() == PresenceEvent.Type.ONLINE).count()
                    == presence.events.stream().filter(e -> e.type() == PresenceEvent.Type.OFFLINE).count());

            var bySession = presence.events.stream().collect(java.util.stream.Collectors.groupingBy(PresenceEvent::sessionId));
            assertThat(bySession).hasSize(rounds);
            bySession.values().forEach(events -> assertThat(events).extracting(PresenceEvent::type)
                    .containsExactly(PresenceEvent.Type.ONLINE, PresenceEvent.Type.OFFLINE));
            var stats = server.stats();
            assertThat(stats.onlineEvents()).isEqualTo(rounds);
            assertThat(stats.offlineEvents()).isEqualTo(rounds);
        } finally {
            pool.shutdownNow();
        }
    }
}
