package io.tether.keeper;

/** A configuration file is wrong; the message names the file, the line and the key. */
public final class ConfigException extends IllegalArgumentException {
    private final int line;
    private final String key;

    public ConfigException(String source, int line, String key, String problem) {
        super(source + (line > 0 ? ":" + line : "") + (key != null ? ": " + key : "") + ": " + problem);
        this.line = line;
        this.key = key;
    }

    /** The line of the mistake, or 0 when it is about something missing from the whole file. */
    public int line() {
        return line;
    }

    public String key() {
        return key;
    }
}
