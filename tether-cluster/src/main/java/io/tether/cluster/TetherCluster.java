package io.tether.cluster;

import io.tether.cluster.internal.ClusterStatus;
import io.tether.cluster.internal.Incarnation;
import io.tether.cluster.internal.Keys;
import io.tether.cluster.internal.NodeLease;
import io.tether.cluster.internal.Owners;
import io.tether.cluster.internal.PresenceWriter;
import io.tether.cluster.internal.RedisLink;
import io.tether.cluster.internal.Router;
import io.tether.protocol.CloseReason;
import io.tether.server.PresenceListener;
import io.tether.server.TetherServer;
import io.tether.util.Durations;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Makes one {@link TetherServer} a node of a cluster whose presence lives in Redis: one answer to "is alice
 * online, and where", sends, requests and kicks routed to whichever node holds her, a stream of every
 * presence event of every node, and a bound on how long a dead node's sessions can look online (its lease
 * timeout plus one renewal interval). docs/CLUSTER.md.
 *
 * <pre>{@code
 * TetherCluster cluster = TetherCluster.builder("redis://127.0.0.1:6379").nodeId("gw-1").build();
 * TetherServer server = TetherServer.builder().listener(cluster.presenceListener()).build().start();
 * cluster.start(server);
 * ...
 * server.close();   // every session's OFFLINE is written before
 * cluster.close();  // the node leaves the cluster
 * }</pre>
 */
public final class TetherCluster implements AutoCloseable {
    private final Builder settings;
    private final RedisLink link;
    private final Owners owners;
    private final PresenceWriter writer;
    private final Router router;
    private NodeLease lease;
    private volatile TetherServer server;
    private boolean closed;

    /** How often a node renews its lease unless {@link Builder#lease} says otherwise. */
    public static final Duration DEFAULT_RENEW_INTERVAL = Duration.ofSeconds(1);
    /** How long after its last renewal a node is declared dead unless {@link Builder#lease} says otherwise. */
    public static final Duration DEFAULT_LEASE_TIMEOUT = Duration.ofSeconds(5);

    private TetherCluster(Builder settings) {
        this.settings = settings;
        try {
            this.link = RedisLink.connect(settings.redis, new Keys(settings.cluster), settings.commandTimeout,
                    settings.streamMaxLen);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot reach Redis at " + ClusterView.address(settings.redis) + ": "
                    + io.tether.cluster.internal.Failure.withRoot(e), e);
        }
        try {
            NodeLease.checkFree(link, settings.nodeId, settings.commandTimeout);
        } catch (RuntimeException e) {
            link.close();
            throw e;
        }
        this.owners = new Owners(link);
        this.router = new Router(link, owners, settings.nodeId, settings.commandTimeout);
        this.writer = new PresenceWriter(link, settings.maxQueued, settings.commandTimeout, router::tellReplaced,
                () -> lease.renewSoon());
    }

    /** Starts building a node of the cluster in the Redis (or Redis Cluster) at {@code redisUri}. */
    public static Builder builder(String redisUri) {
        return new Builder(redisUri);
    }

    /** The listener to give the server's builder: it writes this node's presence events to the cluster. */
    public PresenceListener presenceListener() {
        return writer;
    }

    /**
     * Joins the cluster and starts routing to {@code server}'s clients. Fails when Redis cannot be reached
     * now, or when a live node already has this node's id.
     */
    public synchronized TetherCluster start(TetherServer server) {
        if (this.server != null) {
            throw new IllegalStateException("cluster node already started");
        }
        this.server = Objects.requireNonNull(server, "server");
        String address = server.address().getHostString() + ":" + server.address().getPort();
        lease = new NodeLease(link, settings.nodeId, address, settings.renewInterval, settings.leaseTimeout,
                settings.commandTimeout, writer, dropped -> dropped.forEach(held -> server
                        .session(held.online().clientId())
                        .filter(s -> s.sessionId() == held.online().sessionId())
                        .ifPresent(s -> s.close(CloseReason.NODE_LOST, "node " + settings.nodeId
                                + " was cut off from the cluster for longer than its lease"))),
                router::tellReplaced);
        lease.start();
        router.start(server);
        return this;
    }

    public String nodeId() {
        return settings.nodeId;
    }

    /** Where {@code clientId} is online in the cluster, if it is. */
    public CompletableFuture<Optional<ClusterSession>> session(String clientId) {
        return owners.find(clientId);
    }

    public CompletableFuture<Boolean> isOnline(String clientId) {
        return owners.find(clientId).thenApply(Optional::isPresent);
    }

    /** Clients online across the cluster. */
    public CompletableFuture<Long> onlineCount() {
        return owners.count();
    }

    /** The nodes in the cluster, with their leases and session counts. */
    public CompletableFuture<List<ClusterNode>> nodes() {
        return ClusterStatus.nodes(link);
    }

    /** Sends one DATA frame to the client wherever it is online; completes when its node wrote it. */
    public CompletableFuture<Void> send(String clientId, byte[] payload) {
        return router.send(clientId, payload);
    }

    /** Asks the client wherever it is online; fails with {@link ClusterRoutingException} or as a local request would. */
    public CompletableFuture<byte[]> request(String clientId, byte[] payload, Duration timeout) {
        return router.request(clientId, payload, Durations.requirePositive(timeout, "timeout"));
    }

    /** Kicks the client wherever it is online; completes false when it was not online. */
    public CompletableFuture<Boolean> kick(String clientId, String reason) {
        return router.kick(clientId, reason);
    }

    public ClusterStats stats() {
        long[] w = writer.counts();
        long[] l = lease == null ? new long[3] : lease.counts();
        Incarnation at = lease == null ? null : lease.incarnation();
        return new ClusterStats(settings.nodeId, at == null ? 0 : Long.parseLong(at.epoch()),
                writer.reachable() && (lease == null || lease.reachable()),
                lease == null ? Duration.ZERO : lease.leaseAge(), w[0], w[1], w[2], w[3], l[0], l[1], l[2]);
    }

    /**
     * Leaves the cluster: waits (up to the command timeout, times three) for queued presence writes, then
     * declares whatever this node still holds offline as SERVER_SHUTDOWN. Close the server first, so that
     * each session's own OFFLINE is written.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (lease != null) { // never joined: nothing queued can be written
                writer.drain(settings.commandTimeout.multipliedBy(3));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.close();
        if (lease != null) {
            lease.close();
        }
        link.close();
    }

    /** Configures a cluster node. Every setting but the Redis address has a default. */
    public static final class Builder {
        private final String redis;
        private String cluster = "tether";
        private String nodeId = defaultNodeId();
        private Duration renewInterval = DEFAULT_RENEW_INTERVAL;
        private Duration leaseTimeout = DEFAULT_LEASE_TIMEOUT;
        private Duration commandTimeout = Duration.ofSeconds(2);
        private int maxQueued = 100_000;
        private long streamMaxLen = 1_000_000;

        private Builder(String redis) {
            this.redis = Objects.requireNonNull(redis, "redis");
        }

        /** The cluster's name; several clusters can share one Redis. Default {@code tether}. */
        public Builder cluster(String name) {
            this.cluster = Keys.checkName(name, "cluster name");
            return this;
        }

        /** This node's id, unique among live nodes. Default: host name and process id. */
        public Builder nodeId(String id) {
            this.nodeId = Keys.checkName(id, "node id");
            return this;
        }

        /**
         * How often the node renews its lease (default 1 s), and how long after its last renewal a silent node
         * is declared dead (default 5 s). A dead node's sessions are declared NODE_LOST within timeout plus
         * one interval.
         */
        public Builder lease(Duration interval, Duration timeout) {
            Durations.requirePositive(interval, "renew interval");
            Durations.requirePositive(timeout, "lease timeout");
            if (timeout.compareTo(interval.multipliedBy(2)) < 0) {
                throw new IllegalArgumentException("the lease timeout must be at least two renew intervals");
            }
            this.renewInterval = interval;
            this.leaseTimeout = timeout;
            return this;
        }

        /** How long one Redis command may take before it counts as failed. Default 2 s. */
        public Builder commandTimeout(Duration timeout) {
            this.commandTimeout = Durations.requirePositive(timeout, "command timeout");
            return this;
        }

        /**
         * Presence writes held while Redis is unreachable (default 100,000). Past it new ONLINEs are put off
         * (counted) until the queue drains; OFFLINEs are always kept.
         */
        public Builder maxQueued(int writes) {
            if (writes < 1) {
                throw new IllegalArgumentException("max queued writes must be at least 1");
            }
            this.maxQueued = writes;
            return this;
        }

        /** The event stream's approximate length bound (XADD MAXLEN ~). Default 1,000,000 events. */
        public Builder streamMaxLen(long events) {
            if (events < 1_000) {
                throw new IllegalArgumentException("the stream must hold at least 1000 events");
            }
            this.streamMaxLen = events;
            return this;
        }

        /**
         * Connects to Redis, failing if it cannot be reached now or if a live node already has this id (so
         * that a misconfigured node fails before its server listens); {@link #start} joins.
         */
        public TetherCluster build() {
            return new TetherCluster(this);
        }

        private static String defaultNodeId() {
            String host;
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "node";
            }
            String id = (host + "-" + ProcessHandle.current().pid()).replaceAll("[^A-Za-z0-9._-]", "-");
            return id.length() > 64 ? id.substring(id.length() - 64) : id;
        }
    }
}
