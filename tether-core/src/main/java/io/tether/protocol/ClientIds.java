package io.tether.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The one rule for what a client id may be, applied by the server to every HELLO and by the client's builder
 * before it ever connects, so a client cannot be built with an id that the server would refuse.
 *
 * <p>An id is 1 to {@value #MAX_BYTES} bytes of well-formed UTF-8, not blank, with no control characters
 * (C0, DEL, C1), no line or paragraph separators (U+2028, U+2029) and no format characters (Unicode
 * category Cf: bidirectional overrides such as U+202E, zero-width joiners, the BOM). Two ids are the same
 * client exactly when their bytes are equal; the rule exists so that what an operator reads in a log or an
 * event is what the client sent, and two clients can never look alike there by accident or by design.
 */
public final class ClientIds {
    public static final int MAX_BYTES = 255;

    private ClientIds() {
    }

    /** Why {@code id} is not a valid client id, or {@code null} if it is. */
    public static String problem(String id) {
        if (id == null || id.isEmpty()) {
            return "client id is empty";
        }
        if (id.isBlank()) {
            return "client id is blank";
        }
        int bytes = 0;
        for (int i = 0; i < id.length(); ) {
            int cp = id.codePointAt(i);
            if (Character.isSurrogate(id.charAt(i)) && !Character.isSupplementaryCodePoint(cp)) {
                return "client id has an unpaired surrogate at index " + i;
            }
            String bad = forbidden(cp);
            if (bad != null) {
                return String.format("client id has %s U+%04X at index %d", bad, cp, i);
            }
            bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            i += Character.charCount(cp);
        }
        if (bytes > MAX_BYTES) {
            return "client id is " + bytes + " UTF-8 bytes, more than " + MAX_BYTES;
        }
        return null;
    }

    /** Returns {@code id} if it is valid; otherwise throws {@link IllegalArgumentException} saying why. */
    public static String require(String id) {
        String problem = problem(id);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return id;
    }

    /**
     * Decodes an id received on the wire: malformed UTF-8 is refused rather than replaced with U+FFFD (which
     * would make {@code dev\xff} and {@code dev\xfe} the same client), and the decoded text must pass
     * {@link #problem}.
     */
    public static String decode(ByteBuffer utf8) {
        String id;
        try {
            id = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(utf8)
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException("bad handshake: client id is not valid UTF-8");
        }
        String problem = problem(id);
        if (problem != null) {
            throw new ProtocolException("bad handshake: " + problem);
        }
        return id;
    }

    private static String forbidden(int cp) {
        if (Character.isISOControl(cp)) {
            return "the control character";
        }
        if (cp == 0x2028 || cp == 0x2029) {
            return "the line or paragraph separator";
        }
        if (Character.getType(cp) == Character.FORMAT) {
            return "the format character";
        }
        return null;
    }
}
