/**
 * Cluster presence over Redis: one view of who is online across many Tether servers, routing of sends,
 * requests and kicks to the node that holds a client, and node leases that bound how long a dead node's
 * sessions can look online. {@code io.tether.cluster.internal} is not part of the API.
 */
package io.tether.cluster;
