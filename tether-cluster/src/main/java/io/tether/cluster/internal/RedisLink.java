package io.tether.cluster.internal;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;

/**
 * The connections of one node to Redis, one Redis server or a Redis Cluster (told apart by asking it):
 * commands and scripts as text, and a binary pair for the nodes' inboxes (sharded pub/sub, so that in a
 * Redis Cluster a message goes only to the shard of its channel and its receiver count is exact).
 *
 * <p>Commands fail at once while the connection is down rather than wait in an unbounded buffer; the
 * callers keep their own bounded queues and retry.
 */
public final class RedisLink implements AutoCloseable {
    private static final int REQUEST_QUEUE = 65_536;
    private final AbstractRedisClient client;
    private final StatefulConnection<String, String> textConnection;
    private final RedisClusterAsyncCommands<String, String> text;
    private final StatefulConnection<String, String> leaseConnection;
    private final RedisClusterAsyncCommands<String, String> lease;
    private final StatefulConnection<String, String> queryConnection;
    private final RedisClusterAsyncCommands<String, String> queries;

    /** A node's connections for its scripts, by what they carry. */
    enum Lane { WRITES, LEASE, QUERIES }
    private final StatefulConnection<byte[], byte[]> binaryConnection;
    private final RedisClusterAsyncCommands<byte[], byte[]> binary;
    private final boolean clusterMode;
    private final Keys keys;
    private final String maxLen;
    private StatefulRedisPubSubConnection<byte[], byte[]> inbox;

    private RedisLink(AbstractRedisClient client, boolean clusterMode, Keys keys, long maxLen) {
        this.client = client;
        this.clusterMode = clusterMode;
        this.keys = keys;
        this.maxLen = Long.toString(maxLen);
        textConnection = open(client, StringCodec.UTF8);
        text = async(textConnection);
        leaseConnection = open(client, StringCodec.UTF8);
        lease = async(leaseConnection);
        queryConnection = open(client, StringCodec.UTF8);
        queries = async(queryConnection);
        binaryConnection = open(client, ByteArrayCodec.INSTANCE);
        binary = async(binaryConnection);
    }

    private static <K, V> StatefulConnection<K, V> open(AbstractRedisClient client, RedisCodec<K, V> codec) {
        return client instanceof RedisClusterClient cluster ? cluster.connect(codec) : ((RedisClient) client).connect(codec);
    }

    @SuppressWarnings("unchecked")
    private static <K, V> RedisClusterAsyncCommands<K, V> async(StatefulConnection<K, V> connection) {
        return connection instanceof StatefulRedisClusterConnection<?, ?> cluster
                ? ((StatefulRedisClusterConnection<K, V>) cluster).async()
                : ((StatefulRedisConnection<K, V>) connection).async();
    }

    /**
     * Connects to the Redis at {@code uri} ({@code redis://host:port}, {@code rediss://} for TLS, with
     * {@code user:password@} if it needs them); a Redis Cluster is recognised and used through any of its
     * masters. Fails when Redis cannot be reached now.
     */
    public static RedisLink connect(String uri, Keys keys, Duration timeout, long streamMaxLen) {
        RedisURI parsed = RedisURI.create(uri);
        parsed.setTimeout(timeout);
        boolean cluster = clusterEnabled(parsed, timeout);
        AbstractRedisClient client;
        if (cluster) {
            RedisClusterClient c = RedisClusterClient.create(parsed);
            // A Redis Cluster's per-master connections open on first use, so commands must be accepted
            // while one opens; the buffer is bounded, and every command still times out.
            c.setOptions(ClusterClientOptions.builder()
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                    .requestQueueSize(REQUEST_QUEUE)
                    .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
                    .timeoutOptions(TimeoutOptions.enabled(timeout))
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enableAllAdaptiveRefreshTriggers().build())
                    .build());
            client = c;
        } else {
            RedisClient c = RedisClient.create(parsed);
            c.setOptions(options(timeout));
            client = c;
        }
        try {
            RedisLink link = new RedisLink(client, cluster, keys, streamMaxLen);
            link.loadScripts(timeout);
            return link;
        } catch (RuntimeException e) {
            client.shutdown(Duration.ZERO, timeout);
            throw e;
        }
    }

    private static ClientOptions options(Duration timeout) {
        return ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build();
    }

    private static boolean clusterEnabled(RedisURI uri, Duration timeout) {
        RedisClient probe = RedisClient.create(uri);
        probe.setOptions(options(timeout));
        try (StatefulRedisConnection<String, String> connection = probe.connect(StringCodec.UTF8)) {
            return connection.sync().info("cluster").contains("cluster_enabled:1");
        } finally {
            probe.shutdown(Duration.ZERO, timeout);
        }
    }

    /**
     * Loads every script, so that the first writes go by digest. (Redis can still lose them, restarting:
     * {@link #run} then sends a script whole, and the scripts' numbering keeps the writes in order.)
     */
    private void loadScripts(Duration timeout) {
        for (Script script : Script.values()) {
            try {
                text.scriptLoad(script.body()).get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted loading the cluster's scripts", e);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("Redis did not load the cluster's " + script.name().toLowerCase()
                        + " script: " + Failure.describe(e), e);
            }
        }
    }

    public boolean clusterMode() {
        return clusterMode;
    }

    public Keys keys() {
        return keys;
    }

    public RedisClusterAsyncCommands<String, String> text() {
        return text;
    }

    /**
     * Runs a script with {@code args} after the prefix and the stream bound; the reply is its array of strings.
     * A script Redis does not know (it restarted) is sent whole, which loads it again.
     */
    CompletableFuture<List<String>> run(Script script, String... args) {
        // The lease has a connection of its own, so that its renewal never waits behind a node's presence
        // writes (hundreds pipelined after a herd of reconnects): a node must not lose its lease to its own load.
        RedisClusterAsyncCommands<String, String> text = switch (script.lane()) {
            case WRITES -> this.text;
            case LEASE -> lease;
            case QUERIES -> queries;
        };
        String[] keyArgs = {keys.anchor()};
        String[] argv = new String[args.length + 2];
        argv[0] = keys.prefix();
        argv[1] = maxLen;
        System.arraycopy(args, 0, argv, 2, args.length);
        String digest = text.digest(script.body());
        return text.<List<Object>>evalsha(digest, ScriptOutputType.MULTI, keyArgs, argv).toCompletableFuture()
                .exceptionallyCompose(failure -> noScript(failure)
                        ? text.<List<Object>>eval(script.body(), ScriptOutputType.MULTI, keyArgs, argv).toCompletableFuture()
                        : CompletableFuture.failedFuture(failure))
                .thenApply(RedisLink::strings);
    }

    private static boolean noScript(Throwable failure) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return t.getMessage() != null && t.getMessage().startsWith("NOSCRIPT");
    }

    private static List<String> strings(List<Object> reply) {
        List<String> out = new ArrayList<>(reply.size());
        for (Object o : reply) {
            out.add(o == null ? null : o.toString());
        }
        return out;
    }

    /** Redis's clock, epoch milliseconds: the cluster's one time (the scripts read the same). */
    CompletableFuture<Long> now() {
        return lease.time().toCompletableFuture()
                .thenApply(time -> Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000);
    }

    /** Publishes to a node's inbox; completes with how many subscribers received it (0: nobody listens). */
    CompletableFuture<Long> publish(String channel, byte[] message) {
        return binary.spublish(channel.getBytes(java.nio.charset.StandardCharsets.UTF_8), message).toCompletableFuture();
    }

    /** Subscribes to this node's inbox; Lettuce subscribes again after a reconnect. */
    synchronized void subscribe(String channel, BiConsumer<String, byte[]> receiver) {
        StatefulRedisPubSubConnection<byte[], byte[]> connection = client instanceof RedisClusterClient cluster
                ? cluster.connectPubSub(ByteArrayCodec.INSTANCE)
                : ((RedisClient) client).connectPubSub(ByteArrayCodec.INSTANCE);
        byte[] name = channel.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        connection.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void smessage(byte[] ch, byte[] message) {
                receiver.accept(new String(ch, java.nio.charset.StandardCharsets.UTF_8), message);
            }

            @Override
            public void message(byte[] ch, byte[] message) {
                smessage(ch, message);
            }
        });
        connection.sync().ssubscribe(name);
        inbox = connection;
    }

    @Override
    public synchronized void close() {
        if (inbox != null) {
            inbox.close();
        }
        binaryConnection.close();
        textConnection.close();
        leaseConnection.close();
        queryConnection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
