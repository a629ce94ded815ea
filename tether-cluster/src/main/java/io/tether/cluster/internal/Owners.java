package io.tether.cluster.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tether.cluster.ClusterSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Reads who holds a client id: the owner records the claim script keeps in the cluster's clients hash. */
public final class Owners {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RedisLink link;

    public Owners(RedisLink link) {
        this.link = link;
    }

    public CompletableFuture<Optional<ClusterSession>> find(String clientId) {
        return link.text().hget(link.keys().clients(), clientId).toCompletableFuture()
                .thenApply(record -> Optional.ofNullable(record == null ? null : parse(clientId, record)));
    }

    public CompletableFuture<Long> count() {
        return link.text().hlen(link.keys().clients()).toCompletableFuture();
    }

    static ClusterSession parse(String clientId, String record) {
        try {
            JsonNode o = JSON.readTree(record);
            String principal = o.path("p").asText("");
            return new ClusterSession(clientId, o.path("n").asText(), Long.parseLong(o.path("e").asText()),
                    Long.parseLong(o.path("s").asText()), Instant.ofEpochMilli(Long.parseLong(o.path("t").asText())),
                    o.path("r").asText(), principal.isEmpty() ? null : principal);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable owner record for a client", e);
        }
    }
}
