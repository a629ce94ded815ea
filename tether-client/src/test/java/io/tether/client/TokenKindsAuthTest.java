package io.tether.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.server.Authenticators;
import io.tether.server.SessionInfo;
import io.tether.server.TetherServer;
import io.tether.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JSON Web Tokens (RS256 and ES256, keys from a JWKS file or a PEM public key) and mutual TLS as identities. */
class TokenKindsAuthTest extends ClientHarness {
    private static final HeartbeatPolicy ROOMY = HeartbeatPolicy.of(Duration.ofMillis(100), Duration.ofSeconds(3));
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static KeyPair rsa;
    private static KeyPair ec;
    private static KeyPair otherRsa;

    @TempDir
    Path dir;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
        rsaGen.initialize(2048);
        rsa = rsaGen.generateKeyPair();
        otherRsa = rsaGen.generateKeyPair();
        KeyPairGenerator ecGen = KeyPairGenerator.getInstance("EC");
        ecGen.initialize(new ECGenParameterSpec("secp256r1"));
        ec = ecGen.generateKeyPair();
    }

    private TetherServer jwtServer(Path keys) throws Exception {
        return startServer(server(0).heartbeat(ROOMY).authenticator(Authenticators.jwt(keys)));
    }

    private Path jwks() throws Exception {
        JWKSet set = new JWKSet(List.of(new RSAKey.Builder((RSAPublicKey) rsa.getPublic()).keyID("r1").build(),
                new ECKey.Builder(Curve.P_256, (ECPublicKey) ec.getPublic()).keyID("e1").build()));
        return Files.writeString(dir.resolve("keys.jwks"), set.toString());
    }

    private static String jwt(JWSAlgorithm algorithm, JWSSigner signer, String kid, String subject, Instant expiry)
            throws Exception {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(subject).issuer("test");
        if (expiry != null) {
            claims.expirationTime(Date.from(expiry));
        }
        SignedJWT token = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(kid).build(), claims.build());
        token.sign(signer);
        return token.serialize();
    }

    private StateLog connect(TetherServer server, String id, String token) {
        StateLog log = new StateLog();
        startClient(client(id, server.address().getPort()).heartbeat(ROOMY).token(token).listener(log));
        return log;
    }

    private static String secondReason(StateLog log) {
        await().atMost(WAIT).until(() -> log.reasons.size() >= 2);
        return log.reasons.get(1);
    }

    @Test
    void rs256AndEs256TokensFromAJwksFileAdmitTheirSubject() throws Exception {
        TetherServer server = jwtServer(jwks());
        Instant hour = Instant.now().plusSeconds(3600);
        StateLog alice = connect(server, "alice", jwt(JWSAlgorithm.RS256, new RSASSASigner(rsa.getPrivate()), "r1", "alice", hour));
        StateLog bob = connect(server, "bob", jwt(JWSAlgorithm.ES256, new ECDSASigner((ECPrivateKey) ec.getPrivate()), "e1", "bob", hour));

        await().atMost(WAIT).until(() -> alice.states.contains(ClientState.ONLINE) && bob.states.contains(ClientState.ONLINE));
        await().atMost(WAIT).untilAsserted(() -> assertThat(server.sessions()).extracting(SessionInfo::principal)
                .containsExactlyInAnyOrder("alice", "bob"));
    }

    @Test
    void aPemPublicKeyChecksTokensWithoutAKeyId() throws Exception {
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(rsa.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        TetherServer server = jwtServer(Files.writeString(dir.resolve("key.pem"), pem));
        StateLog alice = connect(server, "alice", jwt(JWSAlgorithm.RS256, new RSASSASigner(rsa.getPrivate()), null, "alice",
                Instant.now().plusSeconds(3600)));
        await().atMost(WAIT).until(() -> alice.states.contains(ClientState.ONLINE));
    }

    @Test
    void wrongKeyExpiredMissingExpiryHmacAndGarbageAreRefusedUnauthenticated() throws Exception {
        TetherServer server = jwtServer(jwks());
        Instant hour = Instant.now().plusSeconds(3600);
        assertThat(secondReason(connect(server, "a", jwt(JWSAlgorithm.RS256, new RSASSASigner(otherRsa.getPrivate()), "r1", "a", hour))))
                .endsWith("UNAUTHENTICATED - the token's signature does not verify");
        assertThat(secondReason(connect(server, "b", jwt(JWSAlgorithm.RS256, new RSASSASigner(rsa.getPrivate()), "r1", "b",
                Instant.now().minusSeconds(3600))))).contains("UNAUTHENTICATED - the token expired at ");
        assertThat(secondReason(connect(server, "c", jwt(JWSAlgorithm.RS256, new RSASSASigner(rsa.getPrivate()), "r1", "c", null))))
                .endsWith("UNAUTHENTICATED - the token has no expiry (exp)");
        assertThat(secondReason(connect(server, "d", jwt(JWSAlgorithm.HS256, new MACSigner(new byte[32]), null, "d", hour))))
                .endsWith("UNAUTHENTICATED - tokens signed with HS256 are not accepted; RS256 or ES256 are");
        assertThat(secondReason(connect(server, "e", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJlIn0.")))
                .endsWith("UNAUTHENTICATED - the credential is not a signed JSON Web Token");
        StateLog none = new StateLog();
        startClient(client("f", server.address().getPort()).heartbeat(ROOMY).listener(none));
        assertThat(secondReason(none)).endsWith("UNAUTHENTICATED - this server requires a JSON Web Token and none was sent");
        assertThat(presence).isEmpty();
    }

    @Test
    void aTokenForAnotherSubjectIsForbidden() throws Exception {
        TetherServer server = jwtServer(jwks());
        StateLog log = connect(server, "alice", jwt(JWSAlgorithm.RS256, new RSASSASigner(rsa.getPrivate()), "r1", "mallory",
                Instant.now().plusSeconds(3600)));
        await().atMost(WAIT).until(() -> log.states.contains(ClientState.CLOSED));
        assertThat(log.reasons).last().asString().endsWith("FORBIDDEN - the token's subject (sub) is not this client id");
    }

    @Test
    void mutualTlsAdmitsTheIdItsCertificateNamesAndNoOther() throws Exception {
        TestPki pki = TestPki.ca(dir, "test-ca");
        pki.issue("server", "IP:127.0.0.1");
        pki.issue("alice");
        TetherServer server = startServer(server(0).heartbeat(ROOMY).tls(pki.cert("server"), pki.key("server"))
                .tlsClientCa(pki.caCert()).authenticator(Authenticators.clientCertificates()));
        TetherClient alice = startClient(client("alice", server.address().getPort()).heartbeat(ROOMY)
                .tls(pki.caCert()).tlsClientCertificate(pki.cert("alice"), pki.key("alice")));
        assertThat(alice.awaitOnline(WAIT)).isTrue();
        await().atMost(WAIT).untilAsserted(() -> assertThat(server.sessions()).extracting(SessionInfo::principal)
                .containsExactly("CN=alice"));

        StateLog bob = new StateLog();
        startClient(client("bob", server.address().getPort()).heartbeat(ROOMY)
                .tls(pki.caCert()).tlsClientCertificate(pki.cert("alice"), pki.key("alice")).listener(bob));
        await().atMost(WAIT).until(() -> bob.states.contains(ClientState.CLOSED));
        assertThat(bob.reasons).last().asString().endsWith("FORBIDDEN - the client certificate names alice, not this client id");
        assertThat(server.isOnline("alice")).isTrue();
    }
}
