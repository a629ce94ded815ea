package io.tether.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.tether.testing.RedisProcess;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The cluster read from outside it, as {@code tether cluster status} reads it, and how a Redis is named. */
class ClusterViewTest {

    @Test
    void readsTheNodesByIdAndTheClientsOnlineWithoutJoining() throws Exception {
        try (RedisProcess redis = RedisProcess.start();
             ClusterRig rig = new ClusterRig(redis.uri()).lease(Duration.ofMillis(200), Duration.ofSeconds(1))) {
            assertThat(ClusterView.read(redis.uri(), "tether", Duration.ofSeconds(2)))
                    .isEqualTo(new ClusterView(List.of(), 0));
            ClusterRig.Node b = rig.node("b");
            ClusterRig.Node a = rig.node("a");
            rig.client(b, "bob");
            rig.client(b, "bea");
            rig.client(a, "alice");
            await().atMost(10, TimeUnit.SECONDS).until(() -> rig.owners().size() == 3);

            ClusterView view = ClusterView.read(redis.uri(), "tether", Duration.ofSeconds(2));

            assertThat(view.online()).isEqualTo(3);
            assertThat(view.nodes()).extracting(ClusterNode::id, ClusterNode::sessions, ClusterNode::address)
                    .containsExactly(tuple("a", 1L, "127.0.0.1:" + a.server().address().getPort()),
                            tuple("b", 2L, "127.0.0.1:" + b.server().address().getPort()));
            assertThat(ClusterView.read(redis.uri(), "another", Duration.ofSeconds(2)).online()).isZero();
        }
    }

    @Test
    void aRedisThatCannotBeReachedIsNamedByHostAndPortOnly() {
        assertThatThrownBy(() -> ClusterView.read("redis://tether:hunter2@127.0.0.1:1", "tether", Duration.ofSeconds(2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("cannot read the cluster from Redis at 127.0.0.1:1: ")
                .message().doesNotContain("hunter2");
    }

    @Test
    void anAddressIsHostAndPortNeverThePassword() {
        assertThat(ClusterView.address("redis://tether:hunter2@10.1.2.3:6380")).isEqualTo("10.1.2.3:6380");
        assertThat(ClusterView.address("rediss://:hunter2@redis.example:6390/0")).isEqualTo("redis.example:6390");
        assertThat(ClusterView.address("redis://localhost")).isEqualTo("localhost:6379");
        assertThat(ClusterView.address("redis://[::1]:7000")).isEqualTo("[::1]:7000");
        for (String bad : new String[] {"garbage", "http://127.0.0.1:6379", "redis://", "redis://127.0.0.1:99999",
                "redis-sentinel://127.0.0.1:26379", "redis://u:hunter2@:6379"}) {
            assertThatThrownBy(() -> ClusterView.address(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("not a Redis URI (redis://HOST:PORT or rediss://HOST:PORT)");
        }
    }
}
