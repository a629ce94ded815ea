package io.tether.cluster.internal;

/**
 * One life of a node in the cluster: its id, the epoch Redis gave it when it joined, and the generation of
 * the cluster's data it joined (a Redis that lost its data starts a new generation).
 */
public record Incarnation(String node, String epoch, String generation) {
}
