package io.tether.server;

/**
 * Receives ONLINE and OFFLINE events. Events are delivered one at a time, in order, on a dedicated thread:
 * a slow listener delays later events but never the network. Use the OFFLINE event for per-client
 * clean-up; it is delivered exactly once per session.
 */
@FunctionalInterface
public interface PresenceListener {
    void onPresence(PresenceEvent event);
}
