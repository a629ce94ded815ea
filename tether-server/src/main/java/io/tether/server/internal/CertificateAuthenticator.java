package io.tether.server.internal;

import io.tether.server.AuthAttempt;
import io.tether.server.AuthResult;
import io.tether.server.Authenticator;
import io.tether.util.LogSafe;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Mutual TLS: the client is who its certificate (already verified by TLS against the client CA) says. The
 * HELLO's client id must be the certificate's common name (CN) or one of its subject alternative names (DNS,
 * e-mail or URI); the principal is the certificate's subject, and the identity expires with the certificate.
 */
public final class CertificateAuthenticator implements Authenticator {
    private static final List<Integer> NAME_TYPES = List.of(1, 2, 6); // rfc822Name, dNSName, uniformResourceIdentifier

    @Override
    public CompletionStage<AuthResult> authenticate(AuthAttempt attempt) {
        return CompletableFuture.completedFuture(attempt.peerCertificate()
                .map(certificate -> check(certificate, attempt.clientId()))
                .orElse(AuthResult.unauthenticated("this server requires a TLS client certificate and none was sent")));
    }

    private static AuthResult check(X509Certificate certificate, String clientId) {
        List<String> names = names(certificate);
        if (!names.contains(clientId)) {
            return AuthResult.forbidden("the client certificate names " + LogSafe.text(String.join(", ", names), 200)
                    + ", not this client id");
        }
        return AuthResult.admit(certificate.getSubjectX500Principal().getName(), certificate.getNotAfter().toInstant());
    }

    /** The certificate's common names, then its DNS, e-mail and URI alternative names. */
    static List<String> names(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    names.add(String.valueOf(rdn.getValue()));
                }
            }
        } catch (InvalidNameException e) {
            // a subject the JDK printed but cannot parse back: only the alternative names count
        }
        try {
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> entry : alternatives) {
                    if (NAME_TYPES.contains((Integer) entry.get(0))) {
                        names.add(String.valueOf(entry.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // no readable alternative names
        }
        return names;
    }
}
