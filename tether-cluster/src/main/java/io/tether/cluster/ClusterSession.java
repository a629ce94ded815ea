package io.tether.cluster;

import java.time.Instant;

/**
 * Where a client is online in the cluster, as Redis holds it.
 *
 * @param clientId  the client's id
 * @param node      the id of the node that holds its connection
 * @param epoch     the incarnation of that node (a node that rejoins gets a new epoch)
 * @param sessionId the session's id on that node
 * @param since     when it came online, by its node's clock
 * @param remote    the client's address as {@code host:port}
 * @param principal who it authenticated as, or {@code null} where its node admits anonymous clients
 */
public record ClusterSession(String clientId, String node, long epoch, long sessionId, Instant since, String remote,
                             String principal) {
}
