package io.tether.server;

import java.util.concurrent.CompletionStage;

/**
 * Answers REQUEST frames. Called on the connection's event loop; return a stage that completes later for
 * slow work. A failed stage is sent to the client as an ERROR frame with the exception's message.
 */
@FunctionalInterface
public interface RequestHandler {
    CompletionStage<byte[]> onRequest(Session session, byte[] payload);
}
