package io.tether.server;

import java.util.concurrent.CompletionStage;

/**
 * Decides who a connecting client is. The server calls it once per connection, after a valid HELLO and
 * before WELCOME, on the connection's event loop: it must not block. Work that takes time (a database, a
 * remote identity provider) returns an incomplete stage and completes it on another thread; the connection
 * waits within the server's handshake timeout and is refused with UNAUTHENTICATED if the stage has not
 * completed by then.
 *
 * <p>A stage that completes exceptionally, or with {@code null}, refuses the client with UNAUTHENTICATED and
 * logs the failure on the server without telling the client more than "authentication failed".
 *
 * <p>The built-in authenticators are in {@link Authenticators}.
 */
@FunctionalInterface
public interface Authenticator {
    CompletionStage<AuthResult> authenticate(AuthAttempt attempt);
}
