package io.tether.cluster.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * One of the cluster's Lua scripts (resources io/tether/cluster/lua), with the shared prelude in front. Each
 * script changes the cluster's state atomically; {@link RedisLink#run} sends it by digest and loads it again
 * when Redis has lost it (a restart).
 */
enum Script {
    JOIN("join"), RENEW("renew"), CLAIM("claim"), RELEASE("release"), REAP("reap"), LEAVE("leave"),
    LOOKUP("lookup"), COUNT("count");

    private final String body;

    Script(String name) {
        this.body = read("common") + "\n" + read(name);
    }

    /**
     * Which of a node's connections runs it: its presence writes, its lease (which must never wait behind
     * the writes), or the application's presence queries (which should not either).
     */
    RedisLink.Lane lane() {
        return switch (this) {
            case CLAIM, RELEASE -> RedisLink.Lane.WRITES;
            case LOOKUP, COUNT -> RedisLink.Lane.QUERIES;
            default -> RedisLink.Lane.LEASE;
        };
    }

    String body() {
        return body;
    }

    private static String read(String name) {
        String path = "/io/tether/cluster/lua/" + name + ".lua";
        try (InputStream in = Script.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
