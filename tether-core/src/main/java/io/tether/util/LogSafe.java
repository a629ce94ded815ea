package io.tether.util;

/**
 * Text that came from a peer or a file, made safe to put in a log line: every control, separator and format
 * character (so a {@code \n} cannot forge a line, and U+202E cannot reverse one) is written as a visible
 * escape, and the text is cut to a bound so that no peer can make one line long.
 */
public final class LogSafe {
    /** The most characters of peer text one log line shows. */
    public static final int MAX_CHARS = 200;

    private LogSafe() {
    }

    /** {@code text} with unsafe characters escaped, cut to {@value #MAX_CHARS} characters. */
    public static String text(CharSequence text) {
        return text(text, MAX_CHARS);
    }

    /** {@code text} with unsafe characters escaped, cut to {@code max} characters (and saying how much more). */
    public static String text(CharSequence text, int max) {
        if (text == null) {
            return "null";
        }
        int length = text.length();
        int shown = Math.min(length, max);
        StringBuilder out = null;
        for (int i = 0; i < shown; i++) {
            char c = text.charAt(i);
            if (safe(c)) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(shown + 16).append(text, 0, i);
            }
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                default -> out.append(String.format("\\u%04x", (int) c));
            }
        }
        if (out == null && shown == length) {
            return text.toString();
        }
        if (out == null) {
            out = new StringBuilder(shown + 32).append(text, 0, shown);
        }
        if (shown < length) {
            out.append("…(").append(length - shown).append(" more chars)");
        }
        return out.toString();
    }

    private static boolean safe(char c) {
        if (c >= 0x20 && c < 0x7f) {
            return c != '\\';
        }
        if (c < 0x20 || c == 0x7f || Character.isISOControl(c) || Character.isSurrogate(c)) {
            return false;
        }
        int type = Character.getType(c);
        return type != Character.FORMAT && type != Character.LINE_SEPARATOR && type != Character.PARAGRAPH_SEPARATOR
                && type != Character.UNASSIGNED && type != Character.PRIVATE_USE;
    }
}
