package io.tether.cluster;

import java.time.Duration;

/**
 * One node of the cluster, as {@code tether cluster status} prints it.
 *
 * @param id         the node's id
 * @param address    the address its Tether listener gave when it joined
 * @param epoch      its current incarnation
 * @param leaseAge   how long ago it last renewed its lease
 * @param leaseLeft  how long until its lease lapses unless renewed (negative: lapsed, not yet expired)
 * @param sessions   sessions it holds
 */
public record ClusterNode(String id, String address, long epoch, Duration leaseAge, Duration leaseLeft, long sessions) {
}
