package io.tether.keeper;

import io.tether.util.LogSafe;

/**
 * A configuration file is wrong; the message names the file, the line and the key. The file name and the key
 * come from the user's file, so the message shows them escaped and bounded ({@link LogSafe}); whoever builds
 * the problem text does the same for any value it quotes.
 */
public final class ConfigException extends IllegalArgumentException {
    private final int line;
    private final String key;

    public ConfigException(String source, int line, String key, String problem) {
        super(LogSafe.text(source) + (line > 0 ? ":" + line : "") + (key != null ? ": " + LogSafe.text(key) : "")
                + ": " + problem);
        this.line = line;
        this.key = key;
    }

    /** The line of the mistake, or 0 when it is about something missing from the whole file. */
    public int line() {
        return line;
    }

    /** The key as written in the file (not escaped), or {@code null} when the mistake is not about one key. */
    public String key() {
        return key;
    }
}
