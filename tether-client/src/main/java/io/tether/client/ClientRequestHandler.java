package io.tether.client;

import java.util.concurrent.CompletionStage;

/** Answers requests the server sends to this client. Called on the client's event loop. */
@FunctionalInterface
public interface ClientRequestHandler {
    CompletionStage<byte[]> onRequest(byte[] payload);
}
