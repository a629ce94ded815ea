package io.tether.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.tether.retry.ReconnectBackoff;
import io.tether.client.TetherClient;
import io.tether.server.PresenceEvent;
import io.tether.server.TetherServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** Nodes of one cluster in this JVM, their clients, and a reader of the cluster's keys in a real Redis. */
final class ClusterRig implements AutoCloseable {
    static final String EVENTS = "tether:{tether}:events";
    static final String CLIENTS = "tether:{tether}:clients";

    record Node(TetherServer server, TetherCluster cluster, List<PresenceEvent> events) { }

    private final String redisUri;
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final RedisClient reader;
    private final StatefulRedisConnection<String, String> connection;
    private Duration interval = Duration.ofSeconds(1);
    private Duration timeout = Duration.ofSeconds(5);
    private int maxQueued = 100_000;

    ClusterRig(String redisUri) {
        this(redisUri, true);
    }

    /** Without {@code reader}, no reader connection (a Redis Cluster's keys need a cluster client). */
    ClusterRig(String redisUri, boolean reader) {
        this.redisUri = redisUri;
        this.reader = reader ? RedisClient.create(redisUri) : null;
        this.connection = reader ? this.reader.connect() : null;
    }

    ClusterRig maxQueued(int writes) {
        this.maxQueued = writes;
        return this;
    }

    ClusterRig lease(Duration renewInterval, Duration leaseTimeout) {
        this.interval = renewInterval;
        this.timeout = leaseTimeout;
        return this;
    }

    Node node(String id) throws Exception {
        return node(id, redisUri);
    }

    /** A node that reaches Redis at {@code via} (a relay, say) rather than directly. */
    Node node(String id, String via) throws Exception {
        TetherCluster cluster = TetherCluster.builder(via).nodeId(id).lease(interval, timeout)
                .maxQueued(maxQueued).build();
        List<PresenceEvent> events = new CopyOnWriteArrayList<>();
        TetherServer server = TetherServer.builder().port(0).eventLoopThreads(1)
                .listener(cluster.presenceListener()).listener(events::add).build().start();
        closing.add(cluster);
        closing.add(server);
        cluster.start(server);
        return new Node(server, cluster, events);
    }

    /** A client that answers requests with "re: " and its payload, online on {@code node}. */
    TetherClient client(Node node, String id, List<String> received) throws Exception {
        TetherClient client = TetherClient.builder().server(node.server().address()).clientId(id)
                .reconnectBackoff(new ReconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200), 2.0))
                .messageHandler(p -> received.add(new String(p, StandardCharsets.UTF_8)))
                .requestHandler(p -> CompletableFuture.completedFuture(
                        ("re: " + new String(p, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)))
                .build().start();
        closing.add(client);
        assertThat(client.awaitOnline(Duration.ofSeconds(10))).as("%s online", id).isTrue();
        return client;
    }

    TetherClient client(Node node, String id) throws Exception {
        return client(node, id, new CopyOnWriteArrayList<>());
    }

    /** The stream's events, oldest first. */
    List<Map<String, String>> stream() {
        List<Map<String, String>> out = new ArrayList<>();
        for (StreamMessage<String, String> m : connection.sync().xrange(EVENTS, Range.create("-", "+"))) {
            out.add(m.getBody());
        }
        return out;
    }

    /** Client id to owner record, as Redis holds them. */
    Map<String, String> owners() {
        return connection.sync().hgetall(CLIENTS);
    }

    StatefulRedisConnection<String, String> redis() {
        return connection;
    }

    @Override
    public void close() {
        for (int i = closing.size() - 1; i >= 0; i--) {
            try {
                closing.get(i).close();
            } catch (Exception e) {
                throw new IllegalStateException("closing " + closing.get(i), e);
            }
        }
        if (reader != null) {
            connection.close();
            reader.shutdown();
        }
    }
}
