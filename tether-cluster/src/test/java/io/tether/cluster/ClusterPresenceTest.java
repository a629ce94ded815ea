package io.tether.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tether.client.TetherClient;
import io.tether.protocol.CloseReason;
import io.tether.server.PresenceEvent;
import io.tether.testing.RedisProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two nodes in this JVM, one real redis-server: cross-node presence, replacement and routing. */
class ClusterPresenceTest {
    private RedisProcess redis;
    private ClusterRig rig;

    @BeforeEach
    void start() throws Exception {
        redis = RedisProcess.start();
        rig = new ClusterRig(redis.uri());
    }

    @AfterEach
    void stop() throws Exception {
        rig.close();
        redis.close();
    }

    @Test
    void aClientThatMovesToAnotherNodeIsReplacedThereAndItsOfflineComesFirst() throws Exception {
        ClusterRig.Node a = rig.node("a");
        ClusterRig.Node b = rig.node("b");
        rig.client(a, "alice");
        await().atMost(10, TimeUnit.SECONDS).until(() -> a.cluster().isOnline("alice").get());
        assertThat(b.cluster().session("alice").get()).get().extracting(ClusterSession::node).isEqualTo("a");

        rig.client(b, "alice");
        await().atMost(10, TimeUnit.SECONDS).until(() -> a.events().stream()
                .anyMatch(e -> e.type() == PresenceEvent.Type.OFFLINE && e.reason() == CloseReason.REPLACED));
        await().atMost(10, TimeUnit.SECONDS).until(() -> "b".equals(
                a.cluster().session("alice").get().map(ClusterSession::node).orElse("")));
        assertThat(rig.stream()).extracting(e -> e.get("type") + " " + e.get("node") + " " + e.get("reason"))
                .containsExactly("ONLINE a ", "OFFLINE a REPLACED", "ONLINE b ");
        assertThat(a.events()).filteredOn(e -> e.type() == PresenceEvent.Type.OFFLINE).singleElement()
                .satisfies(e -> assertThat(e.detail()).startsWith("replaced by session 1 on node b from 127.0.0.1:"));
        assertThat(a.cluster().onlineCount().get()).isEqualTo(1);
    }

    @Test
    void sendRequestAndKickReachAClientOnAnotherNode() throws Exception {
        ClusterRig.Node a = rig.node("a");
        ClusterRig.Node b = rig.node("b");
        List<String> received = new CopyOnWriteArrayList<>();
        rig.client(b, "bob", received);
        await().atMost(10, TimeUnit.SECONDS).until(() -> a.cluster().isOnline("bob").get());

        a.cluster().send("bob", "hello".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
        await().atMost(10, TimeUnit.SECONDS).until(() -> received.contains("hello"));
        byte[] answer = a.cluster().request("bob", "ping?".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5))
                .get(10, TimeUnit.SECONDS);
        assertThat(new String(answer, StandardCharsets.UTF_8)).isEqualTo("re: ping?");

        assertThat(a.cluster().kick("nobody", "x").get(10, TimeUnit.SECONDS)).isFalse();
        assertThatThrownBy(() -> a.cluster().send("nobody", new byte[1]).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ClusterRoutingException.class)
                .hasMessage("nobody is not online in the cluster");

        long kicked = a.cluster().session("bob").get().orElseThrow().sessionId();
        assertThat(a.cluster().kick("bob", "go away").get(10, TimeUnit.SECONDS)).isTrue();
        // The kicked client reconnects, as a kicked Tether client does: its next session comes online.
        await().atMost(10, TimeUnit.SECONDS).until(() -> a.cluster().session("bob").get()
                .map(s -> s.sessionId() != kicked).orElse(false));
        assertThat(b.events()).filteredOn(e -> e.type() == PresenceEvent.Type.OFFLINE)
                .extracting(PresenceEvent::reason).containsExactly(CloseReason.KICKED);
        assertThat(rig.stream()).extracting(e -> e.get("type") + " " + e.get("session") + " " + e.get("reason")
                        + " " + e.get("detail"))
                .containsExactly("ONLINE " + kicked + "  ", "OFFLINE " + kicked + " KICKED go away",
                        "ONLINE " + (kicked + 1) + "  ");
    }

    @Test
    void aClientOnANodeThatStoppedListeningFailsClearlyAtOnce() throws Exception {
        ClusterRig.Node a = rig.node("a");
        // A node that claimed a client and then stopped listening: its owner record stays until its lease is
        // reaped, and meanwhile a send must not wait for a reply that cannot come.
        try (ClusterRig other = new ClusterRig(redis.uri())) {
            ClusterRig.Node b = other.node("b");
            TetherClient carol = other.client(b, "carol");
            await().atMost(10, TimeUnit.SECONDS).until(() -> a.cluster().isOnline("carol").get());
            b.cluster().close(); // b leaves without its server: carol is declared offline SERVER_SHUTDOWN
            await().atMost(10, TimeUnit.SECONDS).until(() -> !a.cluster().isOnline("carol").get());
            assertThat(rig.stream()).extracting(e -> e.get("type") + " " + e.get("reason") + " " + e.get("detail"))
                    .containsExactly("ONLINE  ", "OFFLINE SERVER_SHUTDOWN node b left the cluster");
            assertThat(carol.state().toString()).isEqualTo("ONLINE"); // b's server still holds it locally
        }
    }

    @Test
    void aNodeIdHeldByALiveNodeIsRefused() throws Exception {
        rig.node("a");
        assertThatThrownBy(() -> rig.node("a")).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("node id a is held by a live node in this cluster (its lease ends in")
                .hasMessageContaining("ms); give each node its own --node-id, or, if this is that node restarting");
    }

    @Test
    void anyClientIdTheServerAdmitsKeepsItsPresenceAndRoutes() throws Exception {
        ClusterRig.Node a = rig.node("a");
        ClusterRig.Node b = rig.node("b");
        String id = "アリス \"🙂\" \\ {tether}:clients";
        List<String> received = new CopyOnWriteArrayList<>();
        rig.client(a, id, received);
        await().atMost(10, TimeUnit.SECONDS).until(() -> b.cluster().isOnline(id).get());
        assertThat(b.cluster().session(id).get()).get().extracting(ClusterSession::clientId).isEqualTo(id);
        b.cluster().send(id, "x".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
        await().atMost(10, TimeUnit.SECONDS).until(() -> received.contains("x"));
        assertThat(rig.stream()).singleElement().satisfies(e -> assertThat(e.get("client")).isEqualTo(id));
    }

    @Test
    void namesAreChecked() {
        assertThatThrownBy(() -> TetherCluster.builder(redis.uri()).nodeId("a b"))
                .hasMessage("node id must be 1 to 64 letters, digits, '.', '_' or '-'");
        assertThatThrownBy(() -> TetherCluster.builder(redis.uri()).cluster("x{y}"))
                .hasMessage("cluster name must be 1 to 64 letters, digits, '.', '_' or '-'");
        assertThatThrownBy(() -> TetherCluster.builder(redis.uri()).lease(Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .hasMessage("the lease timeout must be at least two renew intervals");
    }
}
