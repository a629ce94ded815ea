package io.tether.keeper.internal;

import io.tether.keeper.ConfigException;
import io.tether.keeper.EndpointConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads keeper configuration files. {@code java.util.Properties} forgets line numbers, and an operator
 * told "bad port" without a line has to hunt, so files are read here line by line: {@code key = value} or
 * {@code key: value}, {@code #} and {@code !} comments, escapes {@code \r \n \t \\ \xHH} in values.
 */
public final class ConfigFiles {
    /** One setting and where it was written. */
    record Entry(String key, String value, int line) {
    }

    private ConfigFiles() {
    }

    public static List<EndpointConfig> read(Path file) throws IOException {
        String source = file.getFileName().toString();
        return parse(source, Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    static List<EndpointConfig> parse(String source, List<String> lines) {
        Map<String, Entry> entries = entries(source, lines);
        if (entries.containsKey("socketConnCount")) {
            return new ClassicFormat(source, entries).endpoints();
        }
        return new RichFormat(source, entries).endpoints();
    }

    private static Map<String, Entry> entries(String source, List<String> lines) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            int lineNumber = i + 1;
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("!")) {
                continue;
            }
            int eq = line.indexOf('=');
            int colon = line.indexOf(':');
            int sep = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
            if (sep <= 0) {
                throw new ConfigException(source, lineNumber, null, "expected 'key = value', got '" + line + "'");
            }
            String key = line.substring(0, sep).strip();
            String value = unescape(source, lineNumber, key, line.substring(sep + 1).strip());
            Entry previous = entries.put(key, new Entry(key, value, lineNumber));
            if (previous != null) {
                throw new ConfigException(source, lineNumber, key, "set twice (first on line " + previous.line() + ")");
            }
        }
        return entries;
    }

    private static String unescape(String source, int line, String key, String raw) {
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (++i == raw.length()) {
                throw new ConfigException(source, line, key, "a value may not end in a backslash (line continuations are not supported)");
            }
            char e = raw.charAt(i);
            switch (e) {
                case 'r' -> out.append('\r');
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case '\\' -> out.append('\\');
                case 'x' -> {
                    try {
                        if (i + 2 >= raw.length()) {
                            throw new NumberFormatException();
                        }
                        out.append((char) Integer.parseInt(raw.substring(i + 1, i + 3), 16));
                    } catch (NumberFormatException bad) {
                        throw new ConfigException(source, line, key, "\\x needs two hex digits");
                    }
                    i += 2;
                }
                default -> throw new ConfigException(source, line, key, "unknown escape \\" + e);
            }
        }
        return out.toString();
    }

    /** Collects endpoints while remembering, for error messages, where each came from. */
    static List<EndpointConfig> checkedNames(String source, List<EndpointConfig> endpoints, Map<String, Entry> nameEntries) {
        Map<String, EndpointConfig> seen = new LinkedHashMap<>();
        for (EndpointConfig endpoint : endpoints) {
            if (seen.put(endpoint.name(), endpoint) != null) {
                Entry entry = nameEntries.get(endpoint.name());
                throw new ConfigException(source, entry != null ? entry.line() : 0, entry != null ? entry.key() : null,
                        "endpoint name '" + endpoint.name() + "' is used twice");
            }
        }
        return new ArrayList<>(seen.values());
    }
}
