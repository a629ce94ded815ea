package io.tether.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tether.protocol.CloseReason;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tether tokens against a fixed clock, forged and mangled every way a client could send them: only a token
 * signed with the secret, for the id claimed and not yet expired, admits; everything else is refused with a
 * reason that says which kind of wrong it is and nothing of the secret.
 */
class TokensTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final Instant EXPIRY = NOW.plusSeconds(3600);
    private static final Authenticator TOKENS = Tokens.authenticator(SECRET, Clock.fixed(NOW, ZoneOffset.UTC));
    private static final String ALICE = Tokens.issue(SECRET, "alice", EXPIRY);

    @TempDir
    Path dir;

    private static AuthResult check(String clientId, byte[] credential) {
        return TOKENS.authenticate(new AuthAttempt(clientId, credential, new InetSocketAddress("127.0.0.1", 1), Optional.empty()))
                .toCompletableFuture().join();
    }

    private static AuthResult check(String clientId, String token) {
        return check(clientId, token.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aTokenSignedForTheIdAndNotExpiredAdmitsItsIdUntilItsExpiry() {
        AuthResult result = check("alice", ALICE);
        assertThat(result.admitted()).isTrue();
        assertThat(result.principal()).hasValue("alice");
        assertThat(result.expiresAt()).hasValue(EXPIRY);
        assertThat(ALICE).startsWith("t1." + b64("alice") + "." + EXPIRY.getEpochSecond() + ".");
    }

    @Test
    void aTokenForAnotherIdIsForbiddenAndASplicedIdBreaksTheSignature() {
        assertThat(check("bob", ALICE).refusal()).hasValue(CloseReason.FORBIDDEN);
        assertThat(check("bob", ALICE).reason()).hasValue("the token was issued for another client id");
        // Alice's signature under an id part that decodes to bob: the signature covers the id's spelling.
        String spliced = ALICE.replace("." + b64("alice") + ".", "." + b64("bob") + ".");
        assertThat(check("bob", spliced).reason()).hasValue("the token's signature does not verify");
        // Unicode look-alikes and ids that differ only in case are other ids.
        assertThat(check("Alice", ALICE).refusal()).hasValue(CloseReason.FORBIDDEN);
        assertThat(check("\u0430lice", ALICE).refusal()).hasValue(CloseReason.FORBIDDEN); // Cyrillic a
    }

    @Test
    void aTokenSignedWithASecretThatDiffersByOneByteDoesNotVerify() {
        for (int i = 0; i < SECRET.length; i += 7) {
            byte[] near = SECRET.clone();
            near[i] ^= 1;
            assertThat(check("alice", Tokens.issue(near, "alice", EXPIRY)).reason()).as("secret byte %d flipped", i)
                    .hasValue("the token's signature does not verify");
        }
        byte[] longer = java.util.Arrays.copyOf(SECRET, SECRET.length + 1);
        longer[SECRET.length] = 'x'; // (not a zero byte: HMAC pads a short key with zeros, so that one would be the same key)
        assertThat(check("alice", Tokens.issue(longer, "alice", EXPIRY)).reason()).hasValue("the token's signature does not verify");
    }

    @Test
    void anExpiredTokenIsRefusedFromTheSecondOfItsExpiryAndALaterExpiryCannotBeWrittenIn() {
        assertThat(check("alice", Tokens.issue(SECRET, "alice", NOW)).reason()).hasValue("the token expired at " + NOW);
        assertThat(check("alice", Tokens.issue(SECRET, "alice", NOW.plusSeconds(1))).admitted()).isTrue();
        String stale = Tokens.issue(SECRET, "alice", NOW.minusSeconds(60));
        String extended = stale.replace("." + NOW.minusSeconds(60).getEpochSecond() + ".", "." + EXPIRY.getEpochSecond() + ".");
        assertThat(check("alice", extended).reason()).hasValue("the token's signature does not verify");
    }

    @Test
    void expiriesOfTwelveDigitsAreTheMostATokenCarries() {
        Instant latest = Instant.ofEpochSecond(999_999_999_999L);
        AuthResult farAway = check("alice", Tokens.issue(SECRET, "alice", latest));
        assertThat(farAway.expiresAt()).hasValue(latest);

        assertThatThrownBy(() -> Tokens.issue(SECRET, "alice", latest.plusSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a token's expiry must be between");
        assertThatThrownBy(() -> Tokens.issue(SECRET, "alice", Instant.EPOCH.minusSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        // Thirteen digits, a sign, leading zeros beyond twelve digits or a fraction: not a token, whatever it is signed with.
        for (String expiry : new String[] {"1000000000000", "+1893456000", "-1", "0001893456000", "1893456000.5", ""}) {
            assertThat(check("alice", signed(b64("alice") + "." + expiry)).reason()).as(expiry)
                    .hasValue("the credential is not a Tether token");
        }
    }

    /** A token for {@code body} (id part, a dot, expiry part) with a signature made as the issuer makes it. */
    private static String signed(String body) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(SECRET, "HmacSHA256"));
            String text = "t1." + body;
            return text + "." + Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(text.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static Stream<Arguments> notTokens() {
        String[] part = ALICE.split("\\.");
        return Stream.of(
                Arguments.of("a JSON Web Token", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln", "the credential is not a Tether token"),
                Arguments.of("another version", ALICE.replaceFirst("t1", "t2"), "the credential is not a Tether token"),
                Arguments.of("upper-case prefix", ALICE.replaceFirst("t1", "T1"), "the credential is not a Tether token"),
                Arguments.of("an extra dot", ALICE + ".", "the credential is not a Tether token"),
                Arguments.of("an extra part", part[0] + "." + part[1] + ".x." + part[2] + "." + part[3], "the credential is not a Tether token"),
                Arguments.of("a part missing", part[0] + "." + part[1] + "." + part[3], "the credential is not a Tether token"),
                Arguments.of("only dots", "...", "the credential is not a Tether token"),
                Arguments.of("an empty id part", part[0] + ".." + part[2] + "." + part[3], "the token's signature does not verify"),
                Arguments.of("a NUL in the id part", part[0] + "." + part[1] + "\0." + part[2] + "." + part[3], "the credential is not a Tether token"),
                Arguments.of("a newline in the expiry", part[0] + "." + part[1] + "." + part[2] + "\n." + part[3], "the credential is not a Tether token"),
                Arguments.of("non-ASCII in the id part", part[0] + "." + part[1] + "\u00e9." + part[2] + "." + part[3], "the credential is not a Tether token"),
                Arguments.of("non-ASCII digits in the expiry", part[0] + "." + part[1] + ".\u0661\u0662." + part[3], "the credential is not a Tether token"),
                Arguments.of("non-ASCII in the signature", ALICE + "\u00ff", "the token's signature does not verify"),
                Arguments.of("the signature cut by one character", ALICE.substring(0, ALICE.length() - 1), "the token's signature does not verify"),
                Arguments.of("the signature cut to half", ALICE.substring(0, ALICE.length() - 21), "the token's signature does not verify"),
                Arguments.of("no signature", part[0] + "." + part[1] + "." + part[2] + ".", "the token's signature does not verify"),
                Arguments.of("the signature padded", ALICE + "=", "the token's signature does not verify"),
                Arguments.of("the signature in standard base64", inStandardBase64(), "the token's signature does not verify"),
                Arguments.of("the id part padded", part[0] + "." + b64("alice") + "=." + part[2] + "." + part[3], "the token's signature does not verify"),
                Arguments.of("the signature respelled in its spare bits", respelled(ALICE), "the token's signature does not verify"));
    }

    /** Alice's token for an expiry whose signature has a character that standard base64 spells otherwise, so spelled. */
    private static String inStandardBase64() {
        for (int i = 0; i < 1000; i++) { // three tokens in four have one
            String token = Tokens.issue(SECRET, "alice", EXPIRY.plusSeconds(i));
            String signature = token.substring(token.lastIndexOf('.') + 1);
            if (signature.contains("-") || signature.contains("_")) {
                return token.substring(0, token.lastIndexOf('.') + 1) + signature.replace('-', '+').replace('_', '/');
            }
        }
        throw new AssertionError("no signature with - or _ in 1000 tokens");
    }

    /** The token with the last character of its signature changed only in the bits that decoding ignores. */
    private static String respelled(String token) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char last = token.charAt(token.length() - 1);
        // 32 bytes are 43 characters: the last carries 4 bits of the MAC and 2 spare ones.
        char other = alphabet.charAt(alphabet.indexOf(last) ^ 1);
        return token.substring(0, token.length() - 1) + other;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notTokens")
    void aMangledTokenIsRefusedUnauthenticatedWithoutEchoingIt(String name, String credential, String reason) {
        AuthResult result = check("alice", credential);
        assertThat(result.admitted()).isFalse();
        assertThat(result.reason()).hasValue(reason);
        assertThat(result.toString()).doesNotContain(ALICE.substring(ALICE.lastIndexOf('.') + 1));
    }

    @Test
    void controlAndHighBytesAnywhereAreRefused() {
        byte[] token = ALICE.getBytes(StandardCharsets.US_ASCII);
        for (int at = 0; at < token.length; at += 5) {
            for (byte bad : new byte[] {0, '\r', 0x1b, (byte) 0x80, (byte) 0xff}) {
                byte[] mangled = token.clone();
                mangled[at] = bad;
                assertThat(check("alice", mangled).admitted()).as("byte %d at %d", bad, at).isFalse();
            }
        }
        assertThat(check("alice", new byte[0]).reason()).hasValue("this server requires a token and none was sent");
    }

    @Test
    void anAuthenticatorNeedsASecretAsLongAsTheMac() {
        assertThatThrownBy(() -> Tokens.authenticator(new byte[31], Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("a secret of 31 bytes; at least 32 are needed");
        assertThatThrownBy(() -> Tokens.authenticator(new byte[0], Clock.systemUTC())).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- The secret file.

    @Test
    void aSecretFileLosesItsTrailingNewlineOrCrlfAndNothingElse() throws IOException {
        byte[] hex = "6f3a0c1d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29".getBytes(StandardCharsets.US_ASCII);
        assertThat(Tokens.readSecret(write("lf", concat(hex, "\n")))).isEqualTo(hex);
        assertThat(Tokens.readSecret(write("crlf", concat(hex, "\r\n")))).isEqualTo(hex);
        assertThat(Tokens.readSecret(write("spaces", concat(hex, " \t\r\n\n")))).isEqualTo(hex);
        assertThat(Tokens.readSecret(write("bare", hex))).isEqualTo(hex);
        // Leading whitespace is part of the secret: only a file's end is trimmed.
        assertThat(Tokens.readSecret(write("leading", concat(" ".getBytes(StandardCharsets.US_ASCII), new String(hex,
                StandardCharsets.US_ASCII))))).hasSize(hex.length + 1);
        // A token made with the file's secret verifies whichever line ending the file had.
        Authenticator fromCrlf = Tokens.authenticator(Tokens.readSecret(write("crlf2", concat(hex, "\r\n"))),
                Clock.fixed(NOW, ZoneOffset.UTC));
        String token = Tokens.issue(Tokens.readSecret(write("lf2", concat(hex, "\n"))), "alice", EXPIRY);
        assertThat(fromCrlf.authenticate(new AuthAttempt("alice", token.getBytes(StandardCharsets.US_ASCII), null, null))
                .toCompletableFuture().join().admitted()).isTrue();
    }

    @Test
    void aShortSecretFileIsRefusedWithItsLengthAndHowToMakeAGoodOne() throws IOException {
        Path shortFile = write("short", "0123456789abcdef0123456789abcde\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> Tokens.readSecret(shortFile)).isInstanceOf(IOException.class)
                .hasMessage("the secret in " + shortFile + " has 31 bytes; at least 32 are needed (for example:"
                        + " openssl rand -hex 32 > short)");
        Path blank = write("blank", " \n\n".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> Tokens.readSecret(blank)).hasMessageContaining("has 0 bytes");
        Path empty = write("empty", new byte[0]);
        assertThatThrownBy(() -> Tokens.readSecret(empty)).hasMessageContaining("has 0 bytes");
        assertThatThrownBy(() -> Tokens.readSecret(dir.resolve("missing"))).isInstanceOf(IOException.class);
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static byte[] concat(byte[] head, String tail) {
        byte[] end = tail.getBytes(StandardCharsets.US_ASCII);
        byte[] all = java.util.Arrays.copyOf(head, head.length + end.length);
        System.arraycopy(end, 0, all, head.length, end.length);
        return all;
    }
}
