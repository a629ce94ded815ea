package io.tether.cli;

import io.tether.cluster.ClusterStats;
import io.tether.cluster.ClusterView;
import io.tether.cluster.TetherCluster;
import io.tether.util.Durations;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code tether server --cluster}: the server as one node of a cluster whose presence lives in Redis (docs/CLUSTER.md). */
final class ClusterOptions {
    private static final String DEFAULT_NAME = "tether";
    private static final Duration DEFAULT_INTERVAL = TetherCluster.DEFAULT_RENEW_INTERVAL;
    private static final Duration DEFAULT_TIMEOUT = TetherCluster.DEFAULT_LEASE_TIMEOUT;

    @Option(names = "--cluster", paramLabel = "REDIS_URI", converter = CliTypes.RedisUriConverter.class,
            description = "Join the cluster whose presence lives in this Redis or Redis Cluster: redis://HOST:PORT,"
                    + " rediss:// for TLS, redis://USER:PASSWORD@HOST:PORT when it needs them. Default: none"
                    + " (presence stays in this process).")
    String redis;

    @Option(names = "--node-id", paramLabel = "ID", converter = CliTypes.ClusterNameConverter.class,
            description = "This node's id in the cluster, unique among live nodes: 1 to 64 letters, digits, '.', '_'"
                    + " or '-'. Default: the host name and the process id.")
    String nodeId;

    @Option(names = "--cluster-name", paramLabel = "NAME", converter = CliTypes.ClusterNameConverter.class,
            description = "The cluster's name, so that several share one Redis (its keys start tether:{NAME}:)."
                    + " Default: ${DEFAULT-VALUE}.")
    String name = DEFAULT_NAME;

    @Option(names = "--cluster-lease-interval", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
            description = "How often this node renews its lease in Redis. Default: 1s.")
    @Within(min = "10ms", max = "1m")
    Duration leaseInterval = DEFAULT_INTERVAL;

    @Option(names = "--cluster-lease-timeout", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
            description = "How long after a node's last renewal the cluster declares it dead and its sessions"
                    + " OFFLINE NODE_LOST (within this plus one interval); at least two intervals. Default: 5s.")
    @Within(min = "20ms", max = "10m")
    Duration leaseTimeout = DEFAULT_TIMEOUT;

    /** Whether {@code --cluster} was given. */
    boolean enabled() {
        return redis != null;
    }

    /**
     * Connects this node to Redis, not yet joined, or returns null without {@code --cluster}. A setting
     * that needs {@code --cluster}, or a bad lease, is a usage error; a Redis that cannot be reached is a
     * failure whose one line names it by host and port only.
     */
    TetherCluster connect(CommandLine command) {
        if (!enabled()) {
            // By value, not by flag: a config file's settings are defaults to picocli, never "matched".
            String stray = nodeId != null ? "--node-id" : !name.equals(DEFAULT_NAME) ? "--cluster-name"
                    : !leaseInterval.equals(DEFAULT_INTERVAL) ? "--cluster-lease-interval"
                    : !leaseTimeout.equals(DEFAULT_TIMEOUT) ? "--cluster-lease-timeout" : null;
            if (stray != null) {
                throw new CommandLine.ParameterException(command, stray + " goes with --cluster");
            }
            return null;
        }
        TetherCluster.Builder builder = TetherCluster.builder(redis).cluster(name);
        if (nodeId != null) {
            builder.nodeId(nodeId);
        }
        try {
            builder.lease(leaseInterval, leaseTimeout);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(command, e.getMessage() + " (--cluster-lease-timeout "
                    + Durations.format(leaseTimeout) + ", --cluster-lease-interval " + Durations.format(leaseInterval) + ")");
        }
        try {
            return builder.build();
        } catch (IllegalStateException e) {
            // The builder's messages are whole ("cannot reach Redis at HOST:PORT: why", "node id a is held by
            // a live node ..."); the flag is named where the address is.
            throw new IllegalStateException(e.getMessage().replaceFirst("^(cannot reach Redis at [^:]+:[0-9]+):",
                    "$1 (--cluster):"), e);
        }
    }

    /** Redis as logs name it: host and port, never a password. */
    String address() {
        return ClusterView.address(redis);
    }

    /** The cluster's part of the periodic summary line. */
    static String summary(ClusterStats stats) {
        return " cluster: node=" + stats.node() + " epoch=" + stats.epoch() + " redis=" + (stats.redisReachable() ? "up" : "DOWN")
                + " queued=" + stats.queued() + " reaped=" + stats.reaped() + " fencings=" + stats.fencings();
    }
}
