package io.tether.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.tether.client.TetherClient;
import io.tether.protocol.CloseReason;
import io.tether.server.PresenceEvent;
import io.tether.server.TetherServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ClusterPresenceTest {
    private ScratchRedis redis;
    private final List<AutoCloseable> closing = new ArrayList<>();
    private RedisClient reader;
    private StatefulRedisConnection<String, String> readerConnection;

    record Node(TetherServer server, TetherCluster cluster, List<PresenceEvent> events) { }

    @BeforeEach
    void redis() throws Exception {
        redis = new ScratchRedis();
        reader = RedisClient.create(redis.uri());
        readerConnection = reader.connect();
    }

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        readerConnection.close();
        reader.shutdown();
        redis.close();
    }

    private Node node(String id) throws Exception {
        TetherCluster cluster = TetherCluster.builder(redis.uri()).nodeId(id).build();
        List<PresenceEvent> events = new CopyOnWriteArrayList<>();
        TetherServer server = TetherServer.builder().port(0).eventLoopThreads(1)
                .listener(cluster.presenceListener()).listener(events::add).build().start();
        closing.add(cluster);
        closing.add(server);
        cluster.start(server);
        return new Node(server, cluster, events);
    }

    private TetherClient client(Node node, String id) throws Exception {
        TetherClient client = TetherClient.builder().server(node.server.address()).clientId(id)
                .requestHandler(payload -> CompletableFuture.completedFuture(
                        ("echo " + new String(payload, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)))
                .build().start();
        closing.add(client);
        assertThat(client.awaitOnline(Duration.ofSeconds(10))).isTrue();
        return client;
    }

    private List<Map<String, String>> stream() {
        List<Map<String, String>> out = new ArrayList<>();
        for (StreamMessage<String, String> m : readerConnection.sync().xrange("tether:{tether}:events",
                io.lettuce.core.Range.create("-", "+"))) {
            out.add(m.getBody());
        }
        return out;
    }

    @Test
    void aClientThatMovesToAnotherNodeIsReplacedThereAndItsOfflineComesFirst() throws Exception {
        Node a = node("a");
        Node b = node("b");
        client(a, "alice");
        await().atMost(10, TimeUnit.SECONDS).until(() -> a.cluster.isOnline("alice").get());
        assertThat(b.cluster.session("alice").get()).get().extracting(ClusterSession::node).isEqualTo("a");

        client(b, "alice");
        await().atMost(10, TimeUnit.SECONDS).until(() -> a.events.stream()
                .anyMatch(e -> e.type() == PresenceEvent.Type.OFFLINE && e.reason() == CloseReason.REPLACED));
        await().atMost(10, TimeUnit.SECONDS).until(() -> "b".equals(
                a.cluster.session("alice").get().map(ClusterSession::node).orElse("")));
        List<Map<String, String>> events = stream();
        assertThat(events).extracting(e -> e.get("type") + " " + e.get("node") + " " + e.get("reason"))
                .containsExactly("ONLINE a ", "OFFLINE a REPLACED", "ONLINE b ");
        assertThat(a.cluster.onlineCount().get()).isEqualTo(1);
    }

    @Test
    void sendRequestAndKickReachAClientOnAnotherNode() throws Exception {
        Node a = node("a");
        Node b = node("b");
        List<String> received = new CopyOnWriteArrayList<>();
        TetherClient bob = TetherClient.builder().server(b.server.address()).clientId("bob")
                .messageHandler(p -> received.add(new String(p, StandardCharsets.UTF_8)))
                .requestHandler(p -> CompletableFuture.completedFuture(("re: " + new String(p, StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8)))
                .build().start();
        closing.add(bob);
        assertThat(bob.awaitOnline(Duration.ofSeconds(10))).isTrue();
        await().atMost(10, TimeUnit.SECONDS).until(() -> a.cluster.isOnline("bob").get());

        a.cluster.send("bob", "hello".getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
        await().atMost(10, TimeUnit.SECONDS).until(() -> received.contains("hello"));
        byte[] answer = a.cluster.request("bob", "ping?".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5))
                .get(10, TimeUnit.SECONDS);
        assertThat(new String(answer, StandardCharsets.UTF_8)).isEqualTo("re: ping?");

        assertThat(a.cluster.kick("nobody", "x").get(10, TimeUnit.SECONDS)).isFalse();
        assertThatThrownBy(() -> a.cluster.send("nobody", new byte[1]).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ClusterRoutingException.class)
                .hasMessage("nobody is not online in the cluster");

        long kicked = a.cluster.session("bob").get().orElseThrow().sessionId();
        assertThat(a.cluster.kick("bob", "go away").get(10, TimeUnit.SECONDS)).isTrue();
        // The kicked client reconnects, as a kicked Tether client does: its next session comes online.
        await().atMost(10, TimeUnit.SECONDS).until(() -> a.cluster.session("bob").get()
                .map(s -> s.sessionId() != kicked).orElse(false));
        assertThat(b.events).filteredOn(e -> e.type() == PresenceEvent.Type.OFFLINE)
                .extracting(PresenceEvent::reason).containsExactly(CloseReason.KICKED);
        assertThat(stream()).extracting(e -> e.get("type") + " " + e.get("session") + " " + e.get("reason")
                        + " " + e.get("detail"))
                .containsExactly("ONLINE " + kicked + "  ", "OFFLINE " + kicked + " KICKED go away",
                        "ONLINE " + (kicked + 1) + "  ");
    }
}
