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

    /** Where the client is online, if it is: its owner record, unless that record's node was declared dead. */
    public CompletableFuture<Optional<ClusterSession>> find(String clientId) {
        return link.run(Script.LOOKUP, clientId)
                .thenApply(reply -> reply.isEmpty() ? Optional.empty() : Optional.of(parse(clientId, reply.get(0))));
    }

    /** Clients online: every owner record but those of nodes declared dead and not yet reaped. */
    public CompletableFuture<Long> count() {
        return link.run(Script.COUNT).thenApply(reply -> Long.parseLong(reply.get(0)));
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
