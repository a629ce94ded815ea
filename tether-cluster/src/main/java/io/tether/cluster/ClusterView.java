package io.tether.cluster;

import io.lettuce.core.RedisURI;
import io.tether.cluster.internal.ClusterStatus;
import io.tether.cluster.internal.Failure;
import io.tether.cluster.internal.Keys;
import io.tether.cluster.internal.Owners;
import io.tether.cluster.internal.RedisLink;
import io.tether.util.Durations;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A cluster as seen from outside it, without joining: its nodes and how many clients are online across it
 * ({@code tether cluster status}).
 *
 * @param nodes  the nodes holding a lease, by id
 * @param online clients online across the cluster
 */
public record ClusterView(List<ClusterNode> nodes, long online) {
    /** The stream bound a reader never uses (it appends nothing); any legal value. */
    private static final long UNUSED_MAX_LEN = 1_000;

    public ClusterView {
        nodes = List.copyOf(nodes);
    }

    /**
     * Reads the cluster {@code name} in the Redis (or Redis Cluster) at {@code redisUri}, each command given
     * {@code timeout}. Fails with {@link IllegalStateException}, naming the Redis by {@link #address} only,
     * when Redis cannot be reached or does not answer in time.
     */
    public static ClusterView read(String redisUri, String name, Duration timeout) {
        Durations.requirePositive(timeout, "timeout");
        Keys keys = new Keys(name);
        String where = address(redisUri);
        RedisLink link;
        try {
            link = RedisLink.connect(redisUri, keys, timeout, UNUSED_MAX_LEN);
        } catch (RuntimeException e) {
            throw unreachable(where, e);
        }
        try (link) {
            List<ClusterNode> nodes = ClusterStatus.nodes(link).get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS)
                    .stream().sorted(Comparator.comparing(ClusterNode::id)).toList();
            long online = new Owners(link).count().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new ClusterView(nodes, online);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the cluster at " + where, e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            throw unreachable(where, e);
        }
    }

    /**
     * The {@code host:port} of a {@code redis://} or {@code rediss://} URI, and never its user or password:
     * how logs and errors name a Redis. Fails with {@link IllegalArgumentException} for anything else.
     */
    public static String address(String redisUri) {
        RedisURI parsed;
        try {
            parsed = RedisURI.create(redisUri);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a Redis URI (redis://HOST:PORT or rediss://HOST:PORT)");
        }
        String scheme = redisUri.substring(0, Math.max(0, redisUri.indexOf("://"))).toLowerCase(Locale.ROOT);
        String host = parsed.getHost();
        // Lettuce keeps an IPv6 literal's brackets; any other ':' in a host is a URI it misread.
        if (!(scheme.equals("redis") || scheme.equals("rediss")) || host == null || host.isEmpty()
                || host.contains(":") && !host.startsWith("[") || parsed.getPort() < 1 || parsed.getPort() > 65535) {
            throw new IllegalArgumentException("not a Redis URI (redis://HOST:PORT or rediss://HOST:PORT)");
        }
        return host + ":" + parsed.getPort();
    }

    private static IllegalStateException unreachable(String where, Throwable failure) {
        String why = failure instanceof TimeoutException ? "no answer in time" : Failure.withRoot(failure);
        return new IllegalStateException("cannot read the cluster from Redis at " + where + ": " + why, failure);
    }
}
