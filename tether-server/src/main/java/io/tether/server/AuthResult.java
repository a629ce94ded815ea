package io.tether.server;

import io.tether.protocol.CloseReason;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An {@link Authenticator}'s answer: the client is admitted as a principal, or refused with a reason the
 * client is told (so the reason must not reveal secrets: say "signature does not verify", not why exactly).
 *
 * <p>A principal is who proved themselves, for example the subject of a certificate. A connection may take
 * over a client id that is online only if it authenticated as the same principal, so an identity cannot be
 * taken over by anyone who merely knows the id. An admitted session ends with GOAWAY UNAUTHENTICATED
 * ("credential expired") when its {@link #expiresAt} passes.
 */
public final class AuthResult {
    private final String principal;
    private final Instant expiresAt;
    private final CloseReason refusal;
    private final String reason;

    private AuthResult(String principal, Instant expiresAt, CloseReason refusal, String reason) {
        this.principal = principal;
        this.expiresAt = expiresAt;
        this.refusal = refusal;
        this.reason = reason;
    }

    /** Admitted as {@code principal}, for as long as the connection lasts. */
    public static AuthResult admit(String principal) {
        return new AuthResult(Objects.requireNonNull(principal, "principal"), null, null, null);
    }

    /** Admitted as {@code principal} until {@code expiresAt} (null = no expiry). */
    public static AuthResult admit(String principal, Instant expiresAt) {
        return new AuthResult(Objects.requireNonNull(principal, "principal"), expiresAt, null, null);
    }

    /** Refused: no credential, or one that is malformed, does not verify or has expired. */
    public static AuthResult unauthenticated(String reason) {
        return new AuthResult(null, null, CloseReason.UNAUTHENTICATED, Objects.requireNonNull(reason, "reason"));
    }

    /** Refused: a valid identity that may not use this client id. */
    public static AuthResult forbidden(String reason) {
        return new AuthResult(null, null, CloseReason.FORBIDDEN, Objects.requireNonNull(reason, "reason"));
    }

    public boolean admitted() {
        return principal != null;
    }

    /** Who was admitted; empty for a refusal. */
    public Optional<String> principal() {
        return Optional.ofNullable(principal);
    }

    /** When the admitted identity stops being valid; empty for no expiry (and for a refusal). */
    public Optional<Instant> expiresAt() {
        return Optional.ofNullable(expiresAt);
    }

    /** UNAUTHENTICATED or FORBIDDEN for a refusal; empty when admitted. */
    public Optional<CloseReason> refusal() {
        return Optional.ofNullable(refusal);
    }

    /** Why the client was refused, as it is told; empty when admitted. */
    public Optional<String> reason() {
        return Optional.ofNullable(reason);
    }

    @Override
    public String toString() {
        return admitted() ? "admitted " + principal + (expiresAt != null ? " until " + expiresAt : "")
                : refusal + ": " + reason;
    }
}
