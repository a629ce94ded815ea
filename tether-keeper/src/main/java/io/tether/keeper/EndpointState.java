package io.tether.keeper;

/** Whether an endpoint can be borrowed from. */
public enum EndpointState {
    /**
     * At least one verified connection is open (keep); or the last connection attempt succeeded, or before the
     * first its host name resolved (short).
     */
    UP,
    /** No connection could be opened; retrying in the background. */
    DOWN
}
