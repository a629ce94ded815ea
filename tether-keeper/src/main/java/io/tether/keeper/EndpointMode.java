package io.tether.keeper;

/** How an endpoint's connections live. */
public enum EndpointMode {
    /** Held open, probed while idle, healed in the background; borrowing lends a pooled connection. */
    KEEP,
    /** A fresh connection per borrow, really closed when the lease is closed. */
    SHORT
}
