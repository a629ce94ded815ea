package io.tether.server;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * What a client presented when it connected. The credential is a secret: {@link #toString} never shows it,
 * and the server never logs it.
 *
 * @param clientId          the id the HELLO claims, already checked to be well formed
 * @param remote            the peer's address
 * @param peerCertificate   the client's TLS certificate, when the server asks for one and it sent one
 */
public record AuthAttempt(String clientId, byte[] credential, InetSocketAddress remote,
                          Optional<X509Certificate> peerCertificate) {
    public AuthAttempt {
        credential = credential == null ? new byte[0] : credential.clone();
        peerCertificate = peerCertificate == null ? Optional.empty() : peerCertificate;
    }

    /** A copy of the credential's bytes; empty when the client sent none (a version 1 HELLO). */
    @Override
    public byte[] credential() {
        return credential.clone();
    }

    public boolean hasCredential() {
        return credential.length > 0;
    }

    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    @Override
    public String toString() {
        return "AuthAttempt[clientId=" + clientId + ", credential=" + credential.length + " bytes, remote=" + remote
                + ", peerCertificate=" + peerCertificate.map(c -> c.getSubjectX500Principal().getName()).orElse("none")
                + "]";
    }
}
