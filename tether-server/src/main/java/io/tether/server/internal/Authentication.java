package io.tether.server.internal;

import io.tether.internal.LogLimit;
import io.tether.protocol.CloseReason;
import io.tether.protocol.Hello;
import io.tether.server.AuthAttempt;
import io.tether.server.AuthResult;
import io.tether.server.Authenticator;
import io.tether.util.LogSafe;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the server's {@link Authenticator} who a client is, between its HELLO and its WELCOME, and hands the
 * answer back to the connection's event loop. The connection waits in its handshake state meanwhile, under
 * its handshake deadline, so an authenticator that never answers costs one refused connection, not a loop.
 */
final class Authentication {
    private static final Logger log = LoggerFactory.getLogger(Authentication.class);

    private final Authenticator authenticator;
    private final Clock clock;
    private final LogLimit failureLines;

    Authentication(Authenticator authenticator, Clock clock, long nowNanos) {
        this.authenticator = authenticator;
        this.clock = clock;
        this.failureLines = new LogLimit(10, TimeUnit.SECONDS.toNanos(1), nowNanos);
    }

    /** Starts authenticating {@code connection}'s client; the answer reaches {@link Admission#welcome} on its loop. */
    void start(ServerConnection connection, Hello hello, Admission admission) {
        connection.authenticating();
        AuthAttempt attempt = new AuthAttempt(hello.clientId(), hello.credential(), address(connection.remote()),
                connection.peerCertificate());
        CompletionStage<AuthResult> answer;
        try {
            answer = authenticator.authenticate(attempt);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        if (answer == null) {
            answer = CompletableFuture.completedFuture(null);
        }
        // An answer that is already there is handled right here, on the loop, with no task in between.
        answer.whenComplete((result, failure) -> {
            if (connection.executor().inEventLoop()) {
                decide(connection, hello, result, failure, admission);
            } else {
                connection.executor().execute(() -> decide(connection, hello, result, failure, admission));
            }
        });
    }

    private void decide(ServerConnection connection, Hello hello, AuthResult result, Throwable failure,
                        Admission admission) {
        if (!connection.authenticatingNow()) {
            return; // refused meanwhile: the deadline passed, it sent more than its HELLO, or it went away
        }
        if (failure != null || result == null) {
            if (failureLines.take(System.nanoTime()) >= 0) {
                log.warn("the authenticator failed for client {} from {}", LogSafe.text(hello.clientId()),
                        connection.remote(), failure);
            }
            connection.refuse(CloseReason.UNAUTHENTICATED, "authentication failed");
            return;
        }
        if (!result.admitted()) {
            connection.refuse(result.refusal().orElseThrow(), LogSafe.text(result.reason().orElseThrow()));
            return;
        }
        Instant expiresAt = result.expiresAt().orElse(null);
        long delayNanos = 0;
        if (expiresAt != null) {
            delayNanos = Duration.between(clock.instant(), expiresAt).toNanos();
            if (delayNanos <= 0) {
                connection.refuse(CloseReason.UNAUTHENTICATED, "credential expired at " + expiresAt);
                return;
            }
        }
        admission.welcome(connection, hello, result.principal().orElseThrow(), expiresAt, delayNanos);
    }

    /** The peer's address from its {@code ip:port} form (an address literal: no name is looked up). */
    static InetSocketAddress address(String remote) {
        int colon = remote.lastIndexOf(':');
        try {
            String host = remote.substring(0, colon).replace("[", "").replace("]", "");
            return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(remote.substring(colon + 1)));
        } catch (RuntimeException | UnknownHostException e) {
            return InetSocketAddress.createUnresolved(remote, 0);
        }
    }
}
