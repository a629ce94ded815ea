package io.tether.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.impl.ECDSA;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.tether.protocol.CloseReason;
import io.tether.protocol.Hello;
import io.tether.server.AuthAttempt;
import io.tether.server.AuthResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JSON Web Tokens as an attacker makes them, against keys read from files and a fixed clock: the classic
 * algorithm confusions, keys of the wrong kind or curve, the edges of {@code exp} and {@code nbf} with their
 * 30 s leeway, missing claims, and key files with private or symmetric keys.
 */
class JwtAuthenticatorTest {
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static KeyPair rsa;
    private static KeyPair otherRsa;
    private static KeyPair p256;
    private static KeyPair p384;

    @TempDir
    Path dir;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
        rsaGen.initialize(2048);
        rsa = rsaGen.generateKeyPair();
        otherRsa = rsaGen.generateKeyPair();
        p256 = ec("secp256r1");
        p384 = ec("secp384r1");
    }

    private static KeyPair ec(String curve) throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec(curve));
        return gen.generateKeyPair();
    }

    private static RSAKey rsaKey(KeyPair pair, String kid) {
        return new RSAKey.Builder((RSAPublicKey) pair.getPublic()).keyID(kid).build();
    }

    private static ECKey ecKey(KeyPair pair, Curve curve, String kid) {
        return new ECKey.Builder(curve, (ECPublicKey) pair.getPublic()).keyID(kid).build();
    }

    /** The RSA key "r1" and the P-256 key "e1", from a JWKS file. */
    private JwtAuthenticator jwks() throws IOException {
        return fromFile("keys.jwks", new JWKSet(List.of(rsaKey(rsa, "r1"), ecKey(p256, Curve.P_256, "e1"))).toString());
    }

    private JwtAuthenticator fromFile(String name, String content) throws IOException {
        return new JwtAuthenticator(JwtAuthenticator.readKeys(Files.writeString(dir.resolve(name), content)),
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private static JWTClaimsSet.Builder claims(String subject, Instant expiry) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer("test");
        if (subject != null) {
            claims.subject(subject);
        }
        if (expiry != null) {
            claims.expirationTime(Date.from(expiry));
        }
        return claims;
    }

    private static String sign(JWSAlgorithm algorithm, JWSSigner signer, String kid, JWTClaimsSet claims) throws Exception {
        SignedJWT token = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(kid).build(), claims);
        token.sign(signer);
        return token.serialize();
    }

    private static String rs256(String kid, JWTClaimsSet claims) throws Exception {
        return sign(JWSAlgorithm.RS256, new RSASSASigner(rsa.getPrivate()), kid, claims);
    }

    private static String es256(String kid, JWTClaimsSet claims) throws Exception {
        return sign(JWSAlgorithm.ES256, new ECDSASigner((ECPrivateKey) p256.getPrivate()), kid, claims);
    }

    private static AuthResult check(JwtAuthenticator jwt, String clientId, String token) {
        return jwt.authenticate(new AuthAttempt(clientId, token.getBytes(StandardCharsets.UTF_8), null, Optional.empty()))
                .toCompletableFuture().join();
    }

    private static void refused(AuthResult result, CloseReason reason, String why) {
        assertThat(result.admitted()).as(result.toString()).isFalse();
        assertThat(result.refusal()).hasValue(reason);
        assertThat(result.reason()).hasValue(why);
    }

    @Test
    void rs256AndEs256FromTheKeysAdmitTheSubjectUntilExpiryPlusTheLeeway() throws Exception {
        JwtAuthenticator jwt = jwks();
        Instant exp = NOW.plusSeconds(600);
        for (String token : List.of(rs256("r1", claims("alice", exp).build()), es256("e1", claims("alice", exp).build()),
                rs256(null, claims("alice", exp).build()), es256(null, claims("alice", exp).build()))) {
            AuthResult result = check(jwt, "alice", token);
            assertThat(result.principal()).hasValue("alice");
            assertThat(result.expiresAt()).hasValue(exp.plus(JwtAuthenticator.LEEWAY));
        }
    }

    // ---- Algorithms.

    @Test
    void anUnsecuredTokenIsNotASignedOne() throws Exception {
        JwtAuthenticator jwt = jwks();
        String none = new PlainJWT(new PlainHeader(), claims("alice", NOW.plusSeconds(600)).build()).serialize();
        refused(check(jwt, "alice", none), CloseReason.UNAUTHENTICATED, "the credential is not a signed JSON Web Token");
        // An "alg": "none" header with a signature part after all, and the casings that once slipped through filters.
        String claims = none.split("\\.")[1];
        for (String alg : List.of("none", "None", "NONE", "nOnE")) {
            String header = Base64URL.encode("{\"alg\":\"" + alg + "\"}").toString();
            AuthResult result = check(jwt, "alice", header + "." + claims + "." + Base64URL.encode("sig"));
            assertThat(result.admitted()).as(alg).isFalse();
            assertThat(result.refusal()).as(alg).hasValue(CloseReason.UNAUTHENTICATED);
        }
    }

    /** The classic confusion: the server's RSA public key, which anyone has, used as an HMAC secret. */
    @Test
    void hs256SignedWithThePublicRsaKeyAsTheSecretIsRefused() throws Exception {
        JwtAuthenticator jwt = jwks();
        byte[] der = rsa.getPublic().getEncoded();
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
        byte[] jwksText = new JWKSet(rsaKey(rsa, "r1")).toString().getBytes(StandardCharsets.UTF_8);
        for (byte[] secret : List.of(der, pem.getBytes(StandardCharsets.US_ASCII), jwksText)) {
            for (String kid : new String[] {"r1", null}) {
                String token = sign(JWSAlgorithm.HS256, new MACSigner(secret), kid, claims("alice", NOW.plusSeconds(600)).build());
                refused(check(jwt, "alice", token), CloseReason.UNAUTHENTICATED,
                        "tokens signed with HS256 are not accepted; RS256 or ES256 are");
            }
        }
        // From a PEM key file too.
        JwtAuthenticator fromPem = fromFile("key.pem", pem);
        refused(check(fromPem, "alice", sign(JWSAlgorithm.HS256, new MACSigner(pem.getBytes(StandardCharsets.US_ASCII)),
                null, claims("alice", NOW.plusSeconds(600)).build())), CloseReason.UNAUTHENTICATED,
                "tokens signed with HS256 are not accepted; RS256 or ES256 are");
        assertThat(check(fromPem, "alice", rs256(null, claims("alice", NOW.plusSeconds(600)).build())).admitted()).isTrue();
    }

    @Test
    void otherSignatureAlgorithmsAreNamedAndAnUnknownOneIsNotRepeated() throws Exception {
        JwtAuthenticator jwt = jwks();
        String ps256 = sign(JWSAlgorithm.PS256, new RSASSASigner(rsa.getPrivate()), "r1", claims("alice", NOW.plusSeconds(600)).build());
        refused(check(jwt, "alice", ps256), CloseReason.UNAUTHENTICATED, "tokens signed with PS256 are not accepted; RS256 or ES256 are");

        String claims = ps256.split("\\.")[1];
        String header = Base64URL.encode("{\"alg\":\"sk_live_51Hx\\nforged line\"}").toString();
        refused(check(jwt, "alice", header + "." + claims + "." + Base64URL.encode("sig")), CloseReason.UNAUTHENTICATED,
                "tokens signed with an algorithm this server does not know are not accepted; RS256 or ES256 are");
    }

    // ---- Keys.

    @Test
    void aKidNamingAKeyOfAnotherTypeOrNoKeyDoesNotVerify() throws Exception {
        JwtAuthenticator jwt = jwks();
        JWTClaimsSet claims = claims("alice", NOW.plusSeconds(600)).build();
        String unverified = "the token's signature does not verify";
        refused(check(jwt, "alice", rs256("e1", claims)), CloseReason.UNAUTHENTICATED, unverified); // an RSA signature, the EC key's id
        refused(check(jwt, "alice", es256("r1", claims)), CloseReason.UNAUTHENTICATED, unverified); // and the other way round
        refused(check(jwt, "alice", rs256("r2", claims)), CloseReason.UNAUTHENTICATED, unverified); // no such key
        refused(check(jwt, "alice", sign(JWSAlgorithm.RS256, new RSASSASigner(otherRsa.getPrivate()), null, claims)),
                CloseReason.UNAUTHENTICATED, unverified); // another key altogether
    }

    @Test
    void es256MadeWithAP384KeyDoesNotVerifyAndAFileOfP384KeysIsRefusedAtLoad() throws Exception {
        JWTClaimsSet claims = claims("alice", NOW.plusSeconds(600)).build();
        // An ES256 header over a signature a P-384 key made with SHA-256, as nimbus itself will not make one.
        String signingInput = Base64URL.encode(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("p384").build().toString())
                + "." + Base64URL.encode(claims.toString());
        Signature ecdsa = Signature.getInstance("SHA256withECDSA");
        ecdsa.initSign(p384.getPrivate());
        ecdsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        String token = signingInput + "." + Base64URL.encode(ECDSA.transcodeSignatureToConcat(ecdsa.sign(), 96));

        JwtAuthenticator mixed = fromFile("mixed.jwks", new JWKSet(List.of(ecKey(p384, Curve.P_384, "p384"),
                ecKey(p256, Curve.P_256, "e1"))).toString());
        refused(check(mixed, "alice", token), CloseReason.UNAUTHENTICATED, "the token's signature does not verify");
        assertThat(check(mixed, "alice", es256("e1", claims)).admitted()).isTrue();

        assertThatThrownBy(() -> fromFile("p384.jwks", new JWKSet(ecKey(p384, Curve.P_384, "p384")).toString()))
                .isInstanceOf(IOException.class)
                .hasMessageEndingWith("holds no RSA or P-256 EC public key to check RS256 or ES256 tokens with; it has an"
                        + " EC key on P-384 (symmetric keys are not accepted: whoever can check such a token can also make one)");
    }

    @Test
    void aJwksFileWithPrivateKeysIsUsedForItsPublicParts() throws Exception {
        JWKSet withPrivate = new JWKSet(List.of(
                new RSAKey.Builder((RSAPublicKey) rsa.getPublic()).privateKey((RSAPrivateKey) rsa.getPrivate()).keyID("r1").build(),
                new ECKey.Builder(Curve.P_256, (ECPublicKey) p256.getPublic()).privateKey((ECPrivateKey) p256.getPrivate())
                        .keyID("e1").build()));
        Path file = Files.writeString(dir.resolve("private.jwks"), withPrivate.toString(false));
        assertThat(Files.readString(file)).contains("\"d\"");

        List<JWK> keys = JwtAuthenticator.readKeys(file);
        assertThat(keys).hasSize(2).noneMatch(JWK::isPrivate);
        JwtAuthenticator jwt = new JwtAuthenticator(keys, Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(check(jwt, "alice", rs256("r1", claims("alice", NOW.plusSeconds(600)).build())).admitted()).isTrue();
        assertThat(check(jwt, "alice", es256("e1", claims("alice", NOW.plusSeconds(600)).build())).admitted()).isTrue();
    }

    @Test
    void aJwksFileWithOnlySymmetricKeysIsRefusedAtLoadSayingWhy() throws Exception {
        JWKSet symmetric = new JWKSet(List.of(new OctetSequenceKey.Builder(new byte[32]).keyID("h1").build(),
                new OctetSequenceKey.Builder(new byte[64]).keyID("h2").build()));
        Path file = Files.writeString(dir.resolve("hmac.jwks"), symmetric.toString(false));
        assertThatThrownBy(() -> JwtAuthenticator.readKeys(file)).isInstanceOf(IOException.class)
                .hasMessage(file + " holds no RSA or P-256 EC public key to check RS256 or ES256 tokens with; it has a oct"
                        + " (symmetric) key, a oct (symmetric) key (symmetric keys are not accepted: whoever can check such a"
                        + " token can also make one)");
    }

    @Test
    void keyFilesThatAreNoKeysAreRefusedAtLoadNamingTheFile() throws Exception {
        for (String[] file : new String[][] {
                {"empty.jwks", "{\"keys\":[]}", "holds no RSA or P-256 EC public key"},
                {"broken.jwks", "{\"keys\":[", "cannot read the token keys in"},
                {"private.pem", "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n", "is neither a JWKS document"},
                {"garbage.pem", "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n", "cannot read the token keys in"}}) {
            Path path = Files.writeString(dir.resolve(file[0]), file[1]);
            assertThatThrownBy(() -> JwtAuthenticator.readKeys(path)).as(file[0]).isInstanceOf(IOException.class)
                    .hasMessageContaining(file[2]).hasMessageContaining(file[0]);
        }
    }

    // ---- Claims and time.

    @Test
    void expiryIsEnforcedWithThirtySecondsOfLeeway() throws Exception {
        JwtAuthenticator jwt = jwks();
        AuthResult justIn = check(jwt, "alice", rs256("r1", claims("alice", NOW.minusSeconds(29)).build()));
        assertThat(justIn.expiresAt()).hasValue(NOW.plusSeconds(1));
        refused(check(jwt, "alice", rs256("r1", claims("alice", NOW.minusSeconds(30)).build())), CloseReason.UNAUTHENTICATED,
                "the token expired at " + NOW.minusSeconds(30));
        refused(check(jwt, "alice", rs256("r1", claims("alice", NOW.minusSeconds(31)).build())), CloseReason.UNAUTHENTICATED,
                "the token expired at " + NOW.minusSeconds(31));
        refused(check(jwt, "alice", rs256("r1", claims("alice", null).build())), CloseReason.UNAUTHENTICATED,
                "the token has no expiry (exp)");
    }

    @Test
    void notBeforeIsEnforcedWithThirtySecondsOfLeeway() throws Exception {
        JwtAuthenticator jwt = jwks();
        Instant exp = NOW.plusSeconds(600);
        assertThat(check(jwt, "alice", rs256("r1", claims("alice", exp).notBeforeTime(Date.from(NOW.plusSeconds(30))).build()))
                .admitted()).isTrue();
        refused(check(jwt, "alice", rs256("r1", claims("alice", exp).notBeforeTime(Date.from(NOW.plusSeconds(31))).build())),
                CloseReason.UNAUTHENTICATED, "the token is not valid before " + NOW.plusSeconds(31));
        refused(check(jwt, "alice", rs256("r1", claims("alice", exp).notBeforeTime(Date.from(NOW.plusSeconds(86_400))).build())),
                CloseReason.UNAUTHENTICATED, "the token is not valid before " + NOW.plusSeconds(86_400));
    }

    @Test
    void aTokenWithoutASubjectProvesNoIdentityAndOneForAnotherIdIsForbidden() throws Exception {
        JwtAuthenticator jwt = jwks();
        Instant exp = NOW.plusSeconds(600);
        refused(check(jwt, "alice", rs256("r1", claims(null, exp).build())), CloseReason.UNAUTHENTICATED,
                "the token has no subject (sub)");
        refused(check(jwt, "alice", rs256("r1", claims("mallory", exp).build())), CloseReason.FORBIDDEN,
                "the token's subject (sub) is not this client id");
        refused(check(jwt, "alice", rs256("r1", claims("Alice", exp).build())), CloseReason.FORBIDDEN,
                "the token's subject (sub) is not this client id");
        refused(check(jwt, "alice", rs256("r1", claims(null, exp).claim("sub", 42).build())), CloseReason.FORBIDDEN,
                "the token's subject (sub) is not this client id");
    }

    /** An expiry a long's worth of nanoseconds away is only a date to the authenticator: see {@link Authentication#LONGEST_EXPIRY}. */
    @Test
    void anExpiryCenturiesAwayIsAdmittedAsIs() throws Exception {
        Instant far = Instant.parse("9999-12-31T23:59:59Z");
        assertThat(check(jwks(), "alice", rs256("r1", claims("alice", far).build())).expiresAt())
                .hasValue(far.plus(JwtAuthenticator.LEEWAY));
    }

    // ---- Bytes that are not a token.

    @Test
    void aTamperedOrMangledTokenIsRefusedWithoutAnError() throws Exception {
        JwtAuthenticator jwt = jwks();
        String good = rs256("r1", claims("alice", NOW.plusSeconds(600)).build());
        String[] part = good.split("\\.");
        String otherClaims = Base64URL.encode(claims("alice", NOW.plusSeconds(86_400 * 365)).build().toString()).toString();
        refused(check(jwt, "alice", part[0] + "." + otherClaims + "." + part[2]), CloseReason.UNAUTHENTICATED,
                "the token's signature does not verify");
        // Junk the parser would skip, padding, and the signature's spare bits: one token has one spelling.
        String sig = part[2];
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        // 256 bytes are 342 characters: the last carries 4 spare bits; flip the lowest.
        String respelled = sig.substring(0, sig.length() - 1) + alphabet.charAt(alphabet.indexOf(sig.charAt(sig.length() - 1)) ^ 1);
        for (String mangled : List.of("", ".", "..", "a.b.c", good + ".", part[0] + "." + part[1], good.substring(0, good.length() - 10),
                good.replace('.', '\n'), "\u0000" + good, " " + good, good + "\u00e9", good + "=", good + "!", good + "\n",
                part[0] + ".!!!." + part[2], part[0] + "=." + part[1] + "." + part[2], part[0] + "." + part[1] + "." + respelled)) {
            AuthResult result = check(jwt, "alice", mangled);
            assertThat(result.admitted()).as(mangled).isFalse();
            assertThat(result.refusal()).as(mangled).hasValue(CloseReason.UNAUTHENTICATED);
        }
    }

    /** Deeply nested JSON, in the claims or the header, as large as a credential may be: refused without exhausting the loop's stack. */
    @Test
    void deeplyNestedJsonAsLargeAsACredentialMayBeIsRefusedCleanly() throws Exception {
        JwtAuthenticator jwt = jwks();
        String header = Base64URL.encode("{\"alg\":\"RS256\"}").toString();
        String claims = Base64URL.encode("{\"sub\":\"alice\"}").toString();
        // Base64 makes 4 characters of 3 bytes: what is left of 4,096 for one part, as brackets.
        int depth = (Hello.MAX_CREDENTIAL_BYTES - 100) * 3 / 4 / 2;
        String nested = "[".repeat(depth) + "]".repeat(depth);
        String deepClaims = Base64URL.encode("{\"a\":" + nested + "}").toString();
        String deepHeader = Base64URL.encode("{\"alg\":\"RS256\",\"x\":" + nested + "}").toString();
        for (String token : List.of(header + "." + deepClaims + ".c2ln", deepHeader + "." + claims + ".c2ln")) {
            assertThat(token.length()).isBetween(Hello.MAX_CREDENTIAL_BYTES - 100, Hello.MAX_CREDENTIAL_BYTES);
            AuthResult result = check(jwt, "alice", token);
            assertThat(result.refusal()).hasValue(CloseReason.UNAUTHENTICATED);
        }
    }
}
