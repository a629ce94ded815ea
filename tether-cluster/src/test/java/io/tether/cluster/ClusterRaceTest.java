package io.tether.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tether.client.ClientState;
import io.tether.client.TetherClient;
import io.tether.protocol.CloseReason;
import io.tether.server.PresenceEvent;
import io.tether.server.SessionInfo;
import io.tether.testing.RedisProcess;
import io.tether.server.TetherServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Races between nodes for one client id: whatever the interleaving, Redis ends up telling the truth. */
class ClusterRaceTest {

    /** Per session of the stream: its events in order; each must be exactly [ONLINE] or [ONLINE, OFFLINE]. */
    static void assertOneOnlineThenAtMostOneOffline(List<Map<String, String>> stream) {
        Map<String, List<String>> bySession = new TreeMap<>();
        for (Map<String, String> e : stream) {
            bySession.computeIfAbsent(e.get("node") + "/" + e.get("epoch") + "/" + e.get("session"),
                    k -> new ArrayList<>()).add(e.get("type"));
        }
        assertThat(bySession).allSatisfy((session, types) ->
                assertThat(types).as(session).isIn(List.of("ONLINE"), List.of("ONLINE", "OFFLINE")));
    }

    /** What the nodes' servers hold, as Redis would name it: client id to node/session. */
    private static Map<String, String> localTruth(ClusterRig.Node... nodes) {
        Map<String, String> truth = new HashMap<>();
        for (ClusterRig.Node node : nodes) {
            for (SessionInfo s : node.server().sessions()) {
                assertThat(truth.put(s.clientId(), node.cluster().nodeId() + "/" + s.sessionId()))
                        .as("%s online on two nodes", s.clientId()).isNull();
            }
        }
        return truth;
    }

    private static Map<String, String> redisTruth(ClusterRig rig) {
        Map<String, String> truth = new HashMap<>();
        rig.owners().forEach((client, record) -> {
            ClusterSession s = io.tether.cluster.internal.OwnersAccess.parse(client, record);
            truth.put(client, s.node() + "/" + s.sessionId());
        });
        return truth;
    }

    @Test
    void aClaimThatReachesRedisLateDoesNotEvictTheClientsLaterConnection() throws Exception {
        try (RedisProcess redis = RedisProcess.start();
             StallingProxy cut = new StallingProxy(redis.port());
             ClusterRig rig = new ClusterRig(redis.uri()).lease(Duration.ofMillis(200), Duration.ofSeconds(2))) {
            ClusterRig.Node a = rig.node("a", cut.uri());
            ClusterRig.Node b = rig.node("b");
            cut.stall();
            TetherClient early = rig.client(a, "erin"); // online on a; a's claim waits behind the stall
            TetherClient later = rig.client(b, "erin");
            await().atMost(10, TimeUnit.SECONDS).until(() -> redisTruth(rig).containsKey("erin"));
            cut.resume();

            await().atMost(10, TimeUnit.SECONDS).until(() -> early.state() == ClientState.CLOSED);
            assertThat(later.state()).isEqualTo(ClientState.ONLINE);
            assertThat(a.events()).filteredOn(e -> e.type() == PresenceEvent.Type.OFFLINE).singleElement()
                    .satisfies(e -> {
                        assertThat(e.reason()).isEqualTo(CloseReason.REPLACED);
                        assertThat(e.detail()).contains("came online later");
                    });
            await().atMost(10, TimeUnit.SECONDS).until(() -> rig.stream().size() == 3);
            assertThat(rig.stream()).extracting(e -> e.get("type") + " " + e.get("node") + " " + e.get("reason"))
                    .containsExactly("ONLINE b ", "ONLINE a ", "OFFLINE a REPLACED");
            assertThat(redisTruth(rig)).isEqualTo(localTruth(a, b));
        }
    }

    @Test
    void aClientIdOnlineElsewhereAsAnotherPrincipalIsNotTakenOver() throws Exception {
        try (RedisProcess redis = RedisProcess.start()) {
            io.tether.server.Authenticator byToken = attempt -> CompletableFuture.completedFuture(
                    io.tether.server.AuthResult.admit(new String(attempt.credential(), StandardCharsets.UTF_8)));
            List<AutoCloseable> closing = new ArrayList<>();
            try {
                List<TetherServer> servers = new ArrayList<>();
                List<TetherCluster> clusters = new ArrayList<>();
                List<List<PresenceEvent>> events = new ArrayList<>();
                for (String id : List.of("a", "b")) {
                    TetherCluster cluster = TetherCluster.builder(redis.uri()).nodeId(id).build();
                    List<PresenceEvent> seen = new CopyOnWriteArrayList<>();
                    TetherServer server = TetherServer.builder().port(0).eventLoopThreads(1).authenticator(byToken)
                            .listener(cluster.presenceListener()).listener(seen::add).build().start();
                    closing.add(cluster);
                    closing.add(server);
                    cluster.start(server);
                    servers.add(server);
                    clusters.add(cluster);
                    events.add(seen);
                }
                TetherClient owner = TetherClient.builder().server(servers.get(0).address()).clientId("gil")
                        .token("principal-1").build().start();
                closing.add(owner);
                assertThat(owner.awaitOnline(Duration.ofSeconds(10))).isTrue();
                // Redis's order decides who was online first: the owner's claim lands before the other connects.
                await().atMost(10, TimeUnit.SECONDS).until(() -> clusters.get(1).isOnline("gil").get());
                TetherClient other = TetherClient.builder().server(servers.get(1).address()).clientId("gil")
                        .token("principal-2").build().start();
                closing.add(other);
                await().atMost(10, TimeUnit.SECONDS).until(() -> other.state() == ClientState.CLOSED);
                assertThat(owner.state()).isEqualTo(ClientState.ONLINE);
                assertThat(events.get(1)).filteredOn(e -> e.type() == PresenceEvent.Type.OFFLINE).singleElement()
                        .satisfies(e -> {
                            assertThat(e.reason()).isEqualTo(CloseReason.FORBIDDEN);
                            assertThat(e.detail()).isEqualTo("client id gil is online as another principal on node a");
                        });
            } finally {
                for (int i = closing.size() - 1; i >= 0; i--) {
                    closing.get(i).close();
                }
            }
        }
    }

    @Test
    void aReplacementWhoseInboxMessageWasLostStillEndsTheOldSession() throws Exception {
        try (RedisProcess redis = RedisProcess.start();
             StallingProxy cut = new StallingProxy(redis.port());
             ClusterRig rig = new ClusterRig(redis.uri()).lease(Duration.ofMillis(200), Duration.ofSeconds(2))) {
            ClusterRig.Node a = rig.node("a", cut.uri());
            ClusterRig.Node b = rig.node("b");
            TetherClient old = rig.client(a, "fay");
            await().atMost(10, TimeUnit.SECONDS).until(() -> redisTruth(rig).containsKey("fay"));
            cut.stall();
            TetherClient now = rig.client(b, "fay");
            await().atMost(10, TimeUnit.SECONDS).until(() -> redisTruth(rig).get("fay").startsWith("b/"));
            cut.reset(); // the REPLACE message Redis was relaying to a's inbox is lost with the connection

            await().atMost(10, TimeUnit.SECONDS).until(() -> old.state() == ClientState.CLOSED);
            assertThat(now.state()).isEqualTo(ClientState.ONLINE);
            assertThat(redisTruth(rig)).isEqualTo(localTruth(a, b));
            assertOneOnlineThenAtMostOneOffline(rig.stream());
        }
    }

    @Test
    void aClientIdBouncingBetweenNodesEndsWhereItLastConnected() throws Exception {
        try (RedisProcess redis = RedisProcess.start();
             ClusterRig rig = new ClusterRig(redis.uri())) {
            ClusterRig.Node a = rig.node("a");
            ClusterRig.Node b = rig.node("b");
            TetherClient last = null;
            for (int round = 0; round < 40; round++) {
                // Two connections of one id, to the two nodes, as fast as they come: a race every round.
                TetherClient first = TetherClient.builder().server(a.server().address()).clientId("zed").build().start();
                last = TetherClient.builder().server(b.server().address()).clientId("zed").build().start();
                first.awaitOnline(Duration.ofSeconds(5));
                last.awaitOnline(Duration.ofSeconds(5));
                TetherClient settledLast = last;
                await().atMost(10, TimeUnit.SECONDS).until(() -> {
                    Map<String, String> local = localTruth(a, b);
                    return local.size() <= 1 && local.equals(redisTruth(rig))
                            && (first.state() == ClientState.CLOSED) != (settledLast.state() == ClientState.CLOSED);
                });
                (first.state() == ClientState.CLOSED ? settledLast : first).close();
                await().atMost(10, TimeUnit.SECONDS).until(() -> localTruth(a, b).isEmpty() && redisTruth(rig).isEmpty());
            }
            assertOneOnlineThenAtMostOneOffline(rig.stream());
            assertThat(rig.stream()).filteredOn(e -> e.get("type").equals("ONLINE")).hasSize(80);
            assertThat(rig.stream()).filteredOn(e -> e.get("type").equals("OFFLINE")).hasSize(80);
        }
    }
}
