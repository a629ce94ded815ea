package io.tether.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tether.client.ClientState;
import io.tether.client.TetherClient;
import io.tether.protocol.CloseReason;
import io.tether.server.PresenceEvent;
import io.tether.testing.RedisProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Partitions and Redis outages against real redis-server processes: nothing lost, nothing doubled. */
class ClusterFaultTest {

    private static List<String> summary(List<Map<String, String>> stream) {
        return stream.stream().map(e -> e.get("type") + " " + e.get("client") + " " + e.get("node") + "/"
                + e.get("epoch") + "/" + e.get("session") + " " + e.get("reason")).toList();
    }

    @Test
    void aNodeCutOffLongerThanItsLeaseIsDeclaredLostOnceThenFencedAndDropsItsSessions() throws Exception {
        try (RedisProcess redis = RedisProcess.start();
             StallingProxy cut = new StallingProxy(redis.port());
             ClusterRig rig = new ClusterRig(redis.uri()).lease(Duration.ofMillis(200), Duration.ofSeconds(1))) {
            ClusterRig.Node a = rig.node("a");
            ClusterRig.Node b = rig.node("b", cut.uri());
            TetherClient dora = rig.client(b, "dora");
            await().atMost(10, TimeUnit.SECONDS).until(() -> a.cluster().isOnline("dora").get());

            cut.stall();
            await().atMost(10, TimeUnit.SECONDS).until(() -> !a.cluster().isOnline("dora").get());
            assertThat(summary(rig.stream())).containsExactly("ONLINE dora b/2/1 ", "OFFLINE dora b/2/1 NODE_LOST");
            assertThat(dora.state()).isEqualTo(ClientState.ONLINE); // b still holds it, unaware

            cut.resume();
            // b learns it was declared dead, tells dora NODE_LOST, joins again; dora comes back as a new session.
            await().atMost(10, TimeUnit.SECONDS).until(() -> b.events().stream().anyMatch(e ->
                    e.type() == PresenceEvent.Type.OFFLINE && e.reason() == CloseReason.NODE_LOST));
            await().atMost(10, TimeUnit.SECONDS).until(() -> a.cluster().session("dora").get()
                    .map(s -> s.epoch() == 3).orElse(false));
            assertThat(summary(rig.stream())).containsExactly("ONLINE dora b/2/1 ", "OFFLINE dora b/2/1 NODE_LOST",
                    "ONLINE dora b/3/2 ");
            assertThat(b.cluster().stats().fencings()).isEqualTo(1);
            assertThat(a.cluster().stats().reaped()).isEqualTo(1);
        }
    }

    @Test
    void redisStoppedForTenSecondsLosesAndDoublesNothing() throws Exception {
        try (RedisProcess redis = RedisProcess.start(RedisProcess.Options.defaults().persistent());
             ClusterRig rig = new ClusterRig(redis.uri()).lease(Duration.ofMillis(200), Duration.ofSeconds(1))) {
            ClusterRig.Node a = rig.node("a");
            ClusterRig.Node b = rig.node("b");
            TetherClient alice = rig.client(a, "alice");
            rig.client(b, "bob");
            await().atMost(10, TimeUnit.SECONDS).until(() -> rig.owners().size() == 2);

            redis.stopSaving();
            long stoppedAt = System.nanoTime();
            alice.close();
            rig.client(a, "carol");
            rig.client(b, "alice");
            await().atMost(10, TimeUnit.SECONDS).until(() -> a.cluster().stats().queued() == 2
                    && b.cluster().stats().queued() == 1);
            assertThat(a.cluster().stats().redisReachable()).isFalse();
            await().atMost(15, TimeUnit.SECONDS).until(() -> System.nanoTime() - stoppedAt >= 10_000_000_000L);
            redis.restart();

            await().atMost(15, TimeUnit.SECONDS).until(() -> a.cluster().stats().queued() == 0
                    && b.cluster().stats().queued() == 0);
            assertThat(summary(rig.stream())).containsExactly(
                    "ONLINE alice a/1/1 ", "ONLINE bob b/2/1 ",
                    "OFFLINE alice a/1/1 CLIENT_CLOSED", "ONLINE carol a/1/2 ",
                    "ONLINE alice b/2/2 ");
            assertThat(rig.owners().keySet()).containsExactlyInAnyOrder("bob", "carol", "alice");
            // Nobody renewed while Redis was down, so nobody was declared dead for it.
            await().atMost(5, TimeUnit.SECONDS).until(() -> a.cluster().stats().redisReachable()
                    && b.cluster().stats().redisReachable());
            assertThat(a.cluster().stats().fencings() + b.cluster().stats().fencings()).isZero();
            assertThat(a.cluster().stats().reaped() + b.cluster().stats().reaped()).isZero();
        }
    }

    @Test
    void pastItsBoundTheQueuePutsOffOnlinesAndWritesThoseStillOnlineWhenItDrains() throws Exception {
        try (RedisProcess redis = RedisProcess.start(RedisProcess.Options.defaults().persistent());
             ClusterRig rig = new ClusterRig(redis.uri()).maxQueued(2)) {
            ClusterRig.Node a = rig.node("a");
            redis.stopSaving();
            List<TetherClient> clients = new java.util.ArrayList<>();
            for (int i = 0; i < 5; i++) {
                clients.add(rig.client(a, "q" + i));
            }
            await().atMost(10, TimeUnit.SECONDS).until(() -> a.cluster().stats().putOff() == 3);
            assertThat(a.cluster().stats().queued()).isEqualTo(2);
            clients.get(4).close(); // put off, then gone: no event is owed for it
            clients.get(0).close(); // queued: its OFFLINE is queued too, past the bound
            await().atMost(10, TimeUnit.SECONDS).until(() -> a.cluster().stats().putOff() == 2
                    && a.cluster().stats().queued() == 3);
            redis.restart();

            await().atMost(15, TimeUnit.SECONDS).until(() -> rig.owners().size() == 3
                    && a.cluster().stats().queued() == 0 && a.cluster().stats().putOff() == 0);
            assertThat(rig.owners().keySet()).containsExactlyInAnyOrder("q1", "q2", "q3");
            assertThat(summary(rig.stream())).containsExactly("ONLINE q0 a/1/1 ", "ONLINE q1 a/1/2 ",
                    "OFFLINE q0 a/1/1 CLIENT_CLOSED", "ONLINE q2 a/1/3 ", "ONLINE q3 a/1/4 ");
            assertThat(a.cluster().stats().droppedOnlines()).isEqualTo(3);
        }
    }

    @Test
    void redisThatLostItsDataIsGivenBackEverySessionMarkedRestored() throws Exception {
        try (RedisProcess redis = RedisProcess.start();
             ClusterRig rig = new ClusterRig(redis.uri()).lease(Duration.ofMillis(200), Duration.ofSeconds(1))) {
            ClusterRig.Node a = rig.node("a");
            ClusterRig.Node b = rig.node("b");
            rig.client(a, "alice");
            rig.client(b, "bob");
            await().atMost(10, TimeUnit.SECONDS).until(() -> rig.owners().size() == 2);

            redis.kill();
            redis.restart(); // persistence off: an empty Redis
            await().atMost(15, TimeUnit.SECONDS).until(() -> rig.owners().size() == 2);
            assertThat(rig.stream()).extracting(e -> e.get("type") + " " + e.get("client") + " " + e.get("restored"))
                    .containsExactlyInAnyOrder("ONLINE alice 1", "ONLINE bob 1");
            assertThat(a.cluster().stats().restores()).isEqualTo(1);
            assertThat(b.cluster().stats().restores()).isEqualTo(1);
            assertThat(a.cluster().nodes().get()).extracting(ClusterNode::id).containsExactlyInAnyOrder("a", "b");
        }
    }
}
