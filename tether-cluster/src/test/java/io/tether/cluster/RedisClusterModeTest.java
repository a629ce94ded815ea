package io.tether.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.tether.testing.RedisClusterProcesses;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The same presence, routing and replacement on a three-master Redis Cluster: every key carries the
 * cluster's hash tag, so each script runs on the one master that owns its slot, and the inboxes are sharded
 * channels of that slot.
 */
class RedisClusterModeTest {

    @Test
    void presenceReplacementAndRoutingWorkOnARedisCluster() throws Exception {
        try (RedisClusterProcesses redis = RedisClusterProcesses.start();
             ClusterRig rig = new ClusterRig(redis.seedUri(), false)) {
            ClusterRig.Node a = rig.node("a");
            ClusterRig.Node b = rig.node("b");
            List<String> received = new CopyOnWriteArrayList<>();
            rig.client(a, "alice", received);
            await().atMost(10, TimeUnit.SECONDS).until(() -> b.cluster().isOnline("alice").get());

            b.cluster().send("alice", "via b".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
            await().atMost(10, TimeUnit.SECONDS).until(() -> received.contains("via b"));
            byte[] answer = b.cluster().request("alice", "q".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5))
                    .get(10, TimeUnit.SECONDS);
            assertThat(new String(answer, StandardCharsets.UTF_8)).isEqualTo("re: q");

            rig.client(b, "alice");
            await().atMost(10, TimeUnit.SECONDS).until(() -> "b".equals(
                    a.cluster().session("alice").get().map(ClusterSession::node).orElse("")));

            RedisClusterClient reader = RedisClusterClient.create(redis.seedUri());
            try (StatefulRedisClusterConnection<String, String> connection = reader.connect()) {
                List<String> events = connection.sync().xrange(ClusterRig.EVENTS, Range.create("-", "+")).stream()
                        .map(StreamMessage::getBody).map(e -> e.get("type") + " " + e.get("node") + " " + e.get("reason"))
                        .toList();
                assertThat(events).containsExactly("ONLINE a ", "OFFLINE a REPLACED", "ONLINE b ");
            } finally {
                reader.shutdown();
            }
            assertThat(a.cluster().nodes().get()).extracting(ClusterNode::id).containsExactlyInAnyOrder("a", "b");
        }
    }
}
