package io.tether.server;

/** Receives DATA frames. Called on the connection's event loop: hand long work to another thread. */
@FunctionalInterface
public interface MessageHandler {
    void onMessage(Session session, byte[] payload);
}
