package io.tether.server.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.tether.server.AuthAttempt;
import io.tether.server.AuthResult;
import io.tether.server.Authenticator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Admits a client that presents a JSON Web Token signed with RS256 or ES256 by one of its keys, whose
 * {@code sub} is the client id and whose {@code exp} has not passed. Parsing and signature checks are
 * nimbus-jose-jwt's. A token with a {@code kid} is checked against the key with that id when the keys have
 * ids. Clocks may disagree by up to {@link #LEEWAY}.
 */
public final class JwtAuthenticator implements Authenticator {
    /** How far the issuer's clock may be from the server's, for {@code exp} and {@code nbf}. */
    public static final Duration LEEWAY = Duration.ofSeconds(30);
    private final List<JWK> keys;
    private final Clock clock;

    public JwtAuthenticator(List<JWK> keys, Clock clock) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no RSA or EC public key to check tokens with");
        }
        this.keys = List.copyOf(keys);
        this.clock = clock;
    }

    /**
     * The public keys in {@code file}: a JWKS document (JSON with a {@code keys} array), a PEM public key
     * ({@code BEGIN PUBLIC KEY}) or a PEM certificate. Only keys that can check an RS256 or ES256 signature
     * are kept (RSA, and EC on P-256); private parts are dropped. A file with none is refused, saying what
     * it had instead.
     */
    public static List<JWK> readKeys(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            throw new IOException("cannot read the token keys in " + file + ": no such file", e);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IOException(file + " is neither a JWKS document, a PEM public key nor a PEM certificate", e);
        }
        List<JWK> found = new ArrayList<>();
        try {
            if (text.startsWith("{")) {
                found.addAll(JWKSet.parse(text).getKeys());
            } else if (text.contains("-----BEGIN CERTIFICATE-----")) {
                found.add(jwk(CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)))
                        .getPublicKey()));
            } else if (text.startsWith("-----BEGIN PUBLIC KEY-----")) {
                byte[] der = Base64.getMimeDecoder().decode(text.replace("-----BEGIN PUBLIC KEY-----", "")
                        .replace("-----END PUBLIC KEY-----", ""));
                found.add(jwk(publicKey(der)));
            } else {
                throw new IOException(file + " is neither a JWKS document, a PEM public key nor a PEM certificate");
            }
        } catch (ParseException | CertificateException | IllegalArgumentException e) {
            throw new IOException("cannot read the token keys in " + file + ": " + e.getMessage(), e);
        }
        List<JWK> keys = new ArrayList<>();
        List<String> unusable = new ArrayList<>();
        for (JWK key : found) {
            if (key instanceof RSAKey || key instanceof ECKey ec && Curve.P_256.equals(ec.getCurve())) {
                keys.add(key.toPublicJWK());
            } else {
                unusable.add(key instanceof ECKey ec ? "an EC key on " + ec.getCurve()
                        : "a " + key.getKeyType() + (key.getKeyType() == KeyType.OCT ? " (symmetric) key" : " key"));
            }
        }
        if (keys.isEmpty()) {
            throw new IOException(file + " holds no RSA or P-256 EC public key to check RS256 or ES256 tokens with"
                    + (unusable.isEmpty() ? "" : "; it has " + String.join(", ", unusable)
                    + " (symmetric keys are not accepted: whoever can check such a token can also make one)"));
        }
        return keys;
    }

    private static PublicKey publicKey(byte[] der) {
        for (String algorithm : List.of("RSA", "EC")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (java.security.GeneralSecurityException notThisOne) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("the PEM public key is neither RSA nor EC");
    }

    private static JWK jwk(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            return new RSAKey.Builder(rsa).build();
        }
        if (key instanceof ECPublicKey ec) {
            return new ECKey.Builder(Curve.forECParameterSpec(ec.getParams()), ec).build();
        }
        throw new IllegalArgumentException("a " + key.getAlgorithm() + " key cannot check RS256 or ES256 tokens");
    }

    /**
     * Whether {@code text} is the token's three parts, each spelled as base64url spells its bytes. The parser
     * trims the text and skips characters that are not base64url and bits no byte uses, so without this one
     * token would have many spellings (junk appended, a control byte in front), each admitted.
     */
    private static boolean canonical(SignedJWT jwt, String text) {
        Base64URL[] parts = jwt.getParsedParts();
        for (Base64URL part : parts) {
            if (!part.toString().equals(Base64URL.encode(part.decode()).toString())) {
                return false;
            }
        }
        return text.equals(parts[0] + "." + parts[1] + "." + parts[2]);
    }

    /** Only standard names are repeated to the client (and so to the log): a header's "alg" is the client's text. */
    private static String named(JWSAlgorithm algorithm) {
        return JWSAlgorithm.Family.HMAC_SHA.contains(algorithm) || JWSAlgorithm.Family.SIGNATURE.contains(algorithm)
                ? algorithm.getName() : "an algorithm this server does not know";
    }

    @Override
    public CompletionStage<AuthResult> authenticate(AuthAttempt attempt) {
        return CompletableFuture.completedFuture(check(attempt, clock.instant()));
    }

    private AuthResult check(AuthAttempt attempt, Instant now) {
        if (!attempt.hasCredential()) {
            return AuthResult.unauthenticated("this server requires a JSON Web Token and none was sent");
        }
        String text = new String(attempt.credential(), StandardCharsets.US_ASCII);
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(text);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            return AuthResult.unauthenticated("the credential is not a signed JSON Web Token");
        }
        if (!canonical(jwt, text)) {
            return AuthResult.unauthenticated("the credential is not a signed JSON Web Token");
        }
        JWSAlgorithm algorithm = jwt.getHeader().getAlgorithm();
        if (!JWSAlgorithm.RS256.equals(algorithm) && !JWSAlgorithm.ES256.equals(algorithm)) {
            return AuthResult.unauthenticated("tokens signed with " + named(algorithm) + " are not accepted; RS256 or ES256 are");
        }
        if (!verified(jwt, algorithm)) {
            return AuthResult.unauthenticated("the token's signature does not verify");
        }
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            return AuthResult.unauthenticated("the token has no expiry (exp)");
        }
        if (!now.isBefore(exp.toInstant().plus(LEEWAY))) {
            return AuthResult.unauthenticated("the token expired at " + exp.toInstant());
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.plus(LEEWAY).isBefore(nbf.toInstant())) {
            return AuthResult.unauthenticated("the token is not valid before " + nbf.toInstant());
        }
        if (claims.getSubject() == null) {
            return AuthResult.unauthenticated("the token has no subject (sub)");
        }
        if (!attempt.clientId().equals(claims.getSubject())) {
            return AuthResult.forbidden("the token's subject (sub) is not this client id");
        }
        return AuthResult.admit(claims.getSubject(), exp.toInstant().plus(LEEWAY));
    }

    private boolean verified(SignedJWT jwt, JWSAlgorithm algorithm) {
        String kid = jwt.getHeader().getKeyID();
        for (JWK key : keys) {
            if (kid != null && key.getKeyID() != null && !Objects.equals(kid, key.getKeyID())) {
                continue;
            }
            try {
                JWSVerifier verifier;
                if (algorithm.equals(JWSAlgorithm.RS256) && key instanceof RSAKey rsa) {
                    verifier = new RSASSAVerifier(rsa);
                } else if (algorithm.equals(JWSAlgorithm.ES256) && key instanceof ECKey ec && Curve.P_256.equals(ec.getCurve())) {
                    verifier = new ECDSAVerifier(ec);
                } else {
                    continue;
                }
                if (jwt.verify(verifier)) {
                    return true;
                }
            } catch (JOSEException e) {
                // this key cannot check this token: try the next
            }
        }
        return false;
    }
}
