package io.tether.cluster;

import java.time.Duration;

/**
 * This node's view of its part in the cluster.
 *
 * @param node            this node's id
 * @param epoch           its current incarnation
 * @param redisReachable  whether its last lease renewal and its last presence write reached Redis
 * @param leaseAge        how long ago it last renewed its lease
 * @param queued          presence writes waiting for Redis
 * @param putOff          sessions whose ONLINE waits for room in the queue (it was full)
 * @param droppedOnlines  ONLINE writes put off so far because the queue was full
 * @param written         presence writes Redis acknowledged
 * @param fencings        times this node was declared dead while cut off, and dropped its sessions
 * @param restores        times it wrote its sessions back because Redis had lost its data
 * @param reaped          sessions of dead nodes this node declared NODE_LOST
 */
public record ClusterStats(String node, long epoch, boolean redisReachable, Duration leaseAge, long queued, long putOff,
                           long droppedOnlines, long written, long fencings, long restores, long reaped) {
}
