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
import java.util.concurrent.CompletionException;
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
    /**
     * The longest wait for an identity's expiry. A delay in nanoseconds overflows past 292 years, and some
     * identities are meant never to expire (a certificate valid until 9999-12-31, as RFC 5280 suggests): no
     * server runs for a century, so one stands for them all.
     */
    static final Duration LONGEST_EXPIRY = Duration.ofDays(36_525);

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
                decideOrRefuse(connection, hello, result, failure, admission);
            } else {
                connection.executor().execute(() -> decideOrRefuse(connection, hello, result, failure, admission));
            }
        });
    }

    /**
     * {@link #decide}, where a failure of its own refuses the client at once: thrown into the stage's callback
     * it would vanish (or end the loop's task), and the client would wait, refused only at its deadline.
     */
    private void decideOrRefuse(ServerConnection connection, Hello hello, AuthResult result, Throwable failure,
                                Admission admission) {
        try {
            decide(connection, hello, result, failure, admission);
        } catch (RuntimeException e) {
            log.error("admitting client {} from {} failed", LogSafe.text(hello.clientId()), connection.remote(), e);
            connection.refuse(CloseReason.UNAUTHENTICATED, "authentication failed");
        }
    }

    private void decide(ServerConnection connection, Hello hello, AuthResult result, Throwable failure,
                        Admission admission) {
        if (!connection.authenticatingNow()) {
            return; // refused meanwhile: the deadline passed, it sent more than its HELLO, or it went away
        }
        if (failure != null || result == null) {
            if (failureLines.take(System.nanoTime()) >= 0) {
                // Its kind only: an authenticator's exception may quote the credential it choked on (a JSON
                // parser's does), so its message and stack go to the debug level, where an operator asks for them.
                log.warn("the authenticator failed for client {} from {}: {} (its message and stack are logged at"
                        + " debug level)", LogSafe.text(hello.clientId()), connection.remote(), kind(failure));
                log.debug("the authenticator's failure for client {}", LogSafe.text(hello.clientId()), failure);
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
            Duration left = Duration.between(clock.instant(), expiresAt);
            if (left.isNegative() || left.isZero()) {
                connection.refuse(CloseReason.UNAUTHENTICATED, "credential expired at " + expiresAt);
                return;
            }
            delayNanos = (left.compareTo(LONGEST_EXPIRY) < 0 ? left : LONGEST_EXPIRY).toNanos();
        }
        admission.welcome(connection, hello, result.principal().orElseThrow(), expiresAt, delayNanos);
    }

    /** What kind of failure it was, with the wrapper a dependent stage puts around it taken off. */
    private static String kind(Throwable failure) {
        if (failure == null) {
            return "no answer (null)";
        }
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return cause.getClass().getName();
    }

    /** The peer's address from its {@code ip:port} form (an address literal: no name is looked up). */
    static InetSocketAddress address(String remote) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ConnectionCounts.hostOf(remote)),
                    Integer.parseInt(remote.substring(remote.lastIndexOf(':') + 1)));
        } catch (RuntimeException | UnknownHostException e) {
            return InetSocketAddress.createUnresolved(remote, 0);
        }
    }
}
