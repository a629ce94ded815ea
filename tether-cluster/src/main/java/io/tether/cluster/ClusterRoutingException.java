package io.tether.cluster;

/**
 * A send, request or kick could not reach its client: it is not online anywhere in the cluster
 * ({@link #clientNotOnline()}), or the node holding it does not listen (it died or is cut off from Redis), or
 * that node's answer did not come in time, or the client's own answer failed.
 */
public final class ClusterRoutingException extends RuntimeException {
    private final boolean clientNotOnline;

    public ClusterRoutingException(String message, boolean clientNotOnline) {
        super(message);
        this.clientNotOnline = clientNotOnline;
    }

    /** Whether the failure is that the client is not online (rather than that its node could not be reached). */
    public boolean clientNotOnline() {
        return clientNotOnline;
    }
}
