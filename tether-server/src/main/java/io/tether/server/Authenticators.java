package io.tether.server;

import io.tether.server.internal.CertificateAuthenticator;
import io.tether.server.internal.JwtAuthenticator;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/** The built-in {@link Authenticator}s, behind {@code tether server --auth token|jwt|mtls}. docs/SECURITY.md. */
public final class Authenticators {
    private Authenticators() {
    }

    /** Tether's HMAC-SHA256 tokens ({@link Tokens}) signed with the secret in {@code secretFile}. */
    public static Authenticator tokens(Path secretFile) throws IOException {
        return Tokens.authenticator(Tokens.readSecret(secretFile), Clock.systemUTC());
    }

    /**
     * JSON Web Tokens signed with RS256 or ES256 by a key in {@code keyFile} (a JWKS document, a PEM public key
     * or a PEM certificate): {@code sub} must be the client id, {@code exp} is required and enforced.
     */
    public static Authenticator jwt(Path keyFile) throws IOException {
        return jwt(keyFile, Clock.systemUTC());
    }

    /** {@link #jwt(Path)} on a clock of the caller's choosing. */
    public static Authenticator jwt(Path keyFile, Clock clock) throws IOException {
        return new JwtAuthenticator(JwtAuthenticator.readKeys(keyFile), clock);
    }

    /**
     * Mutual TLS: the client id must be a name in the client's certificate (CN or a DNS, e-mail or URI
     * alternative name). Needs TLS with a client CA ({@link TetherServer.Builder#tlsClientCa}).
     */
    public static Authenticator clientCertificates() {
        return new CertificateAuthenticator();
    }
}
