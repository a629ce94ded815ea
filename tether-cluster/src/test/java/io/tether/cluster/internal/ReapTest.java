package io.tether.cluster.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.tether.cluster.TetherCluster;
import io.tether.server.TetherServer;
import io.tether.testing.RedisProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A node that dies without a word: an incarnation that claimed 1,200 sessions (more than one reap batch) and
 * never renews. Of three live nodes one claims the reaping; each session is declared NODE_LOST exactly once,
 * within the lease timeout plus one renewal interval of its last renewal (Redis's clock on both sides).
 */
class ReapTest {
    private static final int SESSIONS = 1_200;

    @Test
    void aDeadNodesSessionsAreDeclaredLostExactlyOnceWithinTheBound() throws Exception {
        Duration interval = Duration.ofMillis(200);
        Duration timeout = Duration.ofSeconds(1);
        try (RedisProcess redis = RedisProcess.start();
             RedisLink ghost = RedisLink.connect(redis.uri(), new Keys("tether"), Duration.ofSeconds(2), 1_000_000)) {
            List<AutoCloseable> nodes = new ArrayList<>();
            List<TetherCluster> clusters = new ArrayList<>();
            try {
                for (String id : List.of("a", "b", "c")) {
                    TetherCluster cluster = TetherCluster.builder(redis.uri()).nodeId(id).lease(interval, timeout).build();
                    TetherServer server = TetherServer.builder().port(0).eventLoopThreads(1)
                            .listener(cluster.presenceListener()).build().start();
                    nodes.add(cluster);
                    nodes.add(server);
                    clusters.add(cluster);
                    cluster.start(server);
                }
                List<String> joined = ghost.run(Script.JOIN, "ghost", "127.0.0.1:1", Long.toString(timeout.toMillis()))
                        .get(5, TimeUnit.SECONDS);
                assertThat(joined.get(1)).isEqualTo("4");
                for (int i = 1; i <= SESSIONS; i++) {
                    ghost.run(Script.CLAIM, "ghost", "4", Integer.toString(i), "c" + i, Integer.toString(i), "0",
                            "127.0.0.1:" + i, "", "0", "0");
                }
                ghost.text().set("tether:{tether}:ghost-renewed", ghost.text().hget("tether:{tether}:node:ghost",
                        "renewed").get(5, TimeUnit.SECONDS)).get(5, TimeUnit.SECONDS);
                assertThat(ghost.text().hlen("tether:{tether}:clients").get(5, TimeUnit.SECONDS)).isEqualTo(SESSIONS);

                await().atMost(10, TimeUnit.SECONDS).until(() ->
                        ghost.text().hlen("tether:{tether}:clients").get() == 0
                                && ghost.text().zcard("tether:{tether}:dead").get() == 0);
                // One node claims the reaping; on a busy machine its claim can lapse between two of its renewals
                // and another take over, so the sessions may be split between reapers, never doubled.
                assertThat(clusters.stream().mapToLong(c -> c.stats().reaped()).sum()).isEqualTo(SESSIONS);
            } finally {
                for (int i = nodes.size() - 1; i >= 0; i--) {
                    nodes.get(i).close();
                }
            }

            String epoch = "4"; // after a, b and c
            Map<String, Integer> offlines = new HashMap<>();
            long latest = 0;
            for (StreamMessage<String, String> m : ghost.text().xrange("tether:{tether}:events", Range.create("-", "+"))
                    .get(5, TimeUnit.SECONDS)) {
                Map<String, String> e = m.getBody();
                if (e.get("type").equals("OFFLINE")) {
                    assertThat(e.get("reason")).isEqualTo("NODE_LOST");
                    assertThat(e.get("detail")).startsWith("node ghost (epoch " + epoch + ") lost its lease");
                    offlines.merge(e.get("client"), 1, Integer::sum);
                    latest = Math.max(latest, Long.parseLong(e.get("at")));
                }
            }
            assertThat(offlines).hasSize(SESSIONS).allSatisfy((client, count) -> assertThat(count).isEqualTo(1));
            // Declared by the first renewal after the deadline: within timeout + one interval of the last
            // renewal, plus the reaping itself (a few batches) and scheduling on a busy machine.
            long lastRenewal = Long.parseLong(ghost.text().get("tether:{tether}:ghost-renewed").get(5, TimeUnit.SECONDS));
            assertThat(latest - lastRenewal).isLessThanOrEqualTo(timeout.plus(interval).toMillis() + 500);
            assertThat(ghost.text().exists("tether:{tether}:held:ghost:" + epoch, "tether:{tether}:node:ghost")
                    .get(5, TimeUnit.SECONDS)).isZero();
        }
    }
}
