package io.tether.cluster.internal;

import io.lettuce.core.ScoredValue;
import io.tether.cluster.ClusterNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Reads the cluster's nodes for status: each node's lease and how many sessions it holds. */
public final class ClusterStatus {
    private ClusterStatus() {
    }

    public static CompletableFuture<List<ClusterNode>> nodes(RedisLink link) {
        Keys keys = link.keys();
        return link.now().thenCompose(now -> link.text().zrangeWithScores(keys.nodes(), 0, -1).toCompletableFuture()
                .thenCompose(leases -> {
                    List<CompletableFuture<ClusterNode>> each = new ArrayList<>();
                    for (ScoredValue<String> lease : leases) {
                        each.add(node(link, lease.getValue(), (long) lease.getScore(), now));
                    }
                    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                            .thenApply(v -> each.stream().map(CompletableFuture::join).toList());
                }));
    }

    private static CompletableFuture<ClusterNode> node(RedisLink link, String id, long deadline, long now) {
        Keys keys = link.keys();
        return link.text().hgetall(keys.node(id)).toCompletableFuture().thenCompose((Map<String, String> h) -> {
            String epoch = h.getOrDefault("epoch", "0");
            long renewed = Long.parseLong(h.getOrDefault("renewed", Long.toString(now)));
            return link.text().hlen(keys.held(id, epoch)).toCompletableFuture().thenApply(sessions ->
                    new ClusterNode(id, h.getOrDefault("address", ""), Long.parseLong(epoch),
                            Duration.ofMillis(Math.max(0, now - renewed)), Duration.ofMillis(deadline - now), sessions));
        });
    }
}
