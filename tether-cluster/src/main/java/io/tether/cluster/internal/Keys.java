package io.tether.cluster.internal;

import java.util.regex.Pattern;

/**
 * The names of one cluster's keys and channels. All carry the hash tag {@code {name}}, so that in a Redis
 * Cluster they live in one slot and every script may touch them together (docs/CLUSTER.md, Keys).
 */
public record Keys(String cluster) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public Keys {
        checkName(cluster, "cluster name");
    }

    /** Checks a cluster or node name: 1 to 64 letters, digits, '.', '_' or '-'. */
    public static String checkName(String name, String what) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " must be 1 to 64 letters, digits, '.', '_' or '-'");
        }
        return name;
    }

    public String prefix() {
        return "tether:{" + cluster + "}:";
    }

    /** The key a script is routed by (any of the cluster's keys would do: they share a slot). */
    String anchor() {
        return prefix() + "clients";
    }

    public String clients() {
        return prefix() + "clients";
    }

    public String nodes() {
        return prefix() + "nodes";
    }

    public String node(String id) {
        return prefix() + "node:" + id;
    }

    public String held(String id, String epoch) {
        return prefix() + "held:" + id + ":" + epoch;
    }

    public String dead() {
        return prefix() + "dead";
    }

    public String events() {
        return prefix() + "events";
    }

    public String inbox(String id) {
        return prefix() + "inbox:" + id;
    }
}
