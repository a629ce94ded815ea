package io.tether.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tether's own signed tokens: a client id and an expiry, signed with HMAC-SHA256 under a secret the server
 * and the token issuer share. A token is ASCII:
 *
 * <pre>
 *   t1.&lt;client id, base64url&gt;.&lt;expiry, Unix seconds&gt;.&lt;HMAC-SHA256 of everything before this dot, base64url&gt;
 * </pre>
 *
 * For example {@code t1.YWxpY2U.1893456000.…} is alice's until 2030-01-01. The issuer is {@code tether token}
 * or {@link #issue}; the server checks them with {@link #authenticator}.
 */
public final class Tokens {
    /** The fewest bytes a secret may have: as many as the HMAC's output. */
    public static final int MIN_SECRET_BYTES = 32;
    private static final String PREFIX = "t1";
    /** The latest expiry a token can carry: twelve digits of Unix seconds. */
    private static final long MAX_EXPIRY_SECONDS = 999_999_999_999L;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder UNB64 = Base64.getUrlDecoder();

    private Tokens() {
    }

    /**
     * The secret in {@code file}: its bytes, without trailing whitespace (so {@code openssl rand -hex 32 > F}
     * makes a good one). Refused when shorter than {@value #MIN_SECRET_BYTES} bytes.
     */
    public static byte[] readSecret(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException("cannot read the secret in " + file + ": no such file", e);
        }
        int end = bytes.length;
        while (end > 0 && Character.isWhitespace(bytes[end - 1])) {
            end--;
        }
        if (end < MIN_SECRET_BYTES) {
            throw new IOException("the secret in " + file + " has " + end + " bytes; at least " + MIN_SECRET_BYTES
                    + " are needed (for example: openssl rand -hex 32 > " + file.getFileName() + ")");
        }
        return Arrays.copyOf(bytes, end);
    }

    /**
     * A token for {@code clientId} that expires at {@code expiresAt} (whole seconds, from 1970 to the year
     * 33658: a token carries at most twelve digits of them, so an expiry outside is refused here rather than
     * issued as a token that never verifies).
     */
    public static String issue(byte[] secret, String clientId, Instant expiresAt) {
        if (expiresAt.getEpochSecond() < 0 || expiresAt.getEpochSecond() > MAX_EXPIRY_SECONDS) {
            throw new IllegalArgumentException("a token's expiry must be between " + Instant.EPOCH + " and "
                    + Instant.ofEpochSecond(MAX_EXPIRY_SECONDS) + ", not " + expiresAt);
        }
        String signed = PREFIX + "." + B64.encodeToString(clientId.getBytes(StandardCharsets.UTF_8)) + "."
                + expiresAt.getEpochSecond();
        return signed + "." + B64.encodeToString(mac(secret, signed));
    }

    /**
     * An authenticator that admits a client whose token names its id, is signed with {@code secret} (at least
     * {@value #MIN_SECRET_BYTES} bytes) and has not expired.
     */
    public static Authenticator authenticator(byte[] secret, Clock clock) {
        if (secret.length < MIN_SECRET_BYTES) { // else every client would be refused, "authentication failed"
            throw new IllegalArgumentException("a secret of " + secret.length + " bytes; at least " + MIN_SECRET_BYTES
                    + " are needed");
        }
        byte[] key = secret.clone();
        return attempt -> CompletableFuture.completedFuture(check(key, attempt, clock.instant()));
    }

    private static AuthResult check(byte[] secret, AuthAttempt attempt, Instant now) {
        if (!attempt.hasCredential()) {
            return AuthResult.unauthenticated("this server requires a token and none was sent");
        }
        String token = new String(attempt.credential(), StandardCharsets.ISO_8859_1);
        String[] parts = token.split("\\.", -1);
        if (parts.length != 4 || !parts[0].equals(PREFIX) || !parts[2].matches("[0-9]{1,12}")) {
            return AuthResult.unauthenticated("the credential is not a Tether token");
        }
        String id;
        try {
            id = new String(UNB64.decode(parts[1]), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            return AuthResult.unauthenticated("the credential is not a Tether token");
        }
        // The signature as it is written, compared whole: one token has one spelling (no padding, no other
        // spare bits than the issuer's), so that what is remembered of a token cannot be dodged by respelling it.
        byte[] expected = B64.encode(mac(secret, token.substring(0, token.lastIndexOf('.'))));
        if (!MessageDigest.isEqual(expected, parts[3].getBytes(StandardCharsets.ISO_8859_1))) {
            return AuthResult.unauthenticated("the token's signature does not verify");
        }
        Instant expiry = Instant.ofEpochSecond(Long.parseLong(parts[2]));
        if (!now.isBefore(expiry)) {
            return AuthResult.unauthenticated("the token expired at " + expiry);
        }
        if (!id.equals(attempt.clientId())) {
            return AuthResult.forbidden("the token was issued for another client id");
        }
        return AuthResult.admit(id, expiry);
    }

    private static byte[] mac(byte[] secret, String signed) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }
}
