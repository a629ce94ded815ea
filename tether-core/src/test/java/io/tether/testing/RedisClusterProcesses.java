package io.tether.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;

/**
 * A real Redis Cluster of three masters (no replicas) for tests: three {@link RedisProcess}es on loopback with
 * cluster mode on, each on a free port whose cluster bus port (10000 above) was free too, joined and given the
 * 16384 slots by {@code redis-cli --cluster create}. {@link #start} returns once every node says
 * {@code cluster_state:ok}. Skips the calling test, saying why, when redis-server or redis-cli is missing.
 */
public final class RedisClusterProcesses implements AutoCloseable {
    public static final int MASTERS = 3;
    /** redis-cli waits for the nodes to agree on the configuration by polling once a second. */
    private static final Duration CREATE = Duration.ofSeconds(60);
    private static final Duration SETTLE = Duration.ofSeconds(20);

    private final List<RedisProcess> nodes;

    private RedisClusterProcesses(List<RedisProcess> nodes) {
        this.nodes = List.copyOf(nodes);
    }

    /** Skips the calling test, with the reason, unless both redis-server and redis-cli are installed. */
    public static void assumeAvailable() {
        RedisBinaries.assumeInstalled(RedisBinaries.server(), RedisBinaries.cli());
    }

    /** Three masters with persistence off, the cluster's state ok. */
    public static RedisClusterProcesses start() throws IOException {
        return start(RedisProcess.Options.defaults());
    }

    /** Three masters, each run as {@code options} say (say, a shorter {@code --cluster-node-timeout}). */
    public static RedisClusterProcesses start(RedisProcess.Options options) throws IOException {
        assumeAvailable();
        List<RedisProcess> started = new ArrayList<>();
        try {
            for (int i = 0; i < MASTERS; i++) {
                started.add(RedisProcess.start(options.clusterNode()));
            }
            RedisClusterProcesses cluster = new RedisClusterProcesses(started);
            cluster.create();
            return cluster;
        } catch (IOException | RuntimeException e) {
            started.forEach(RedisProcess::close);
            throw e;
        }
    }

    private void create() throws IOException {
        List<String> command = new ArrayList<>(List.of(RedisBinaries.cli().toString(), "--cluster", "create"));
        nodes.forEach(node -> command.add("127.0.0.1:" + node.port()));
        command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        Subprocess.run(CREATE, command);
        Awaitility.await("cluster_state:ok on every node of " + this).atMost(SETTLE)
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                .until(this::states, states -> states.stream().allMatch("cluster_state:ok"::equals));
    }

    /** Each node's cluster_state line of CLUSTER INFO, in order. */
    public List<String> states() throws IOException {
        List<String> states = new ArrayList<>();
        for (RedisProcess node : nodes) {
            states.add(node.command("CLUSTER", "INFO").lines().filter(line -> line.startsWith("cluster_state:"))
                    .findFirst().orElse("no cluster_state in CLUSTER INFO"));
        }
        return states;
    }

    public List<RedisProcess> nodes() {
        return nodes;
    }

    public RedisProcess node(int index) {
        return nodes.get(index);
    }

    /** Every node's {@code redis://127.0.0.1:PORT}. */
    public List<String> uris() {
        return nodes.stream().map(RedisProcess::uri).toList();
    }

    /** The first node's URI: one is enough for a cluster client to discover the others. */
    public String seedUri() {
        return nodes.get(0).uri();
    }

    /** Kills every node and deletes its directory. */
    @Override
    public void close() {
        nodes.forEach(RedisProcess::close);
    }

    @Override
    public String toString() {
        return "a Redis Cluster on 127.0.0.1 ports " + nodes.stream().map(node -> String.valueOf(node.port())).toList();
    }
}
