package io.tether.keeper.internal;

import io.tether.keeper.ConfigException;
import io.tether.keeper.EndpointConfig;
import io.tether.util.LogSafe;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads keeper configuration files. {@code java.util.Properties} forgets line numbers, and an operator
 * told "bad port" without a line has to hunt, so files are read here line by line: {@code key = value} or
 * {@code key: value}, {@code #} and {@code !} comments on their own lines, escapes {@code \r \n \t \\ \xHH}
 * in values. Files are UTF-8 (a leading byte-order mark is skipped). Everything quoted back from the file in
 * an error is escaped and cut short ({@link #quote}).
 */
public final class ConfigFiles {
    /** Far more than any keeper configuration, small enough that reading one can never exhaust the heap. */
    static final int MAX_BYTES = 16 * 1024 * 1024;

    /** One setting and where it was written. */
    record Entry(String key, String value, int line) {
    }

    private ConfigFiles() {
    }

    public static List<EndpointConfig> read(Path file) throws IOException {
        Path name = file.getFileName();
        String source = name != null ? name.toString() : file.toString();
        Path directory = file.toAbsolutePath().getParent();
        return parse(source, directory, decode(source, bytes(source, file)).lines().toList());
    }

    /** Text from the file, as error messages show it: quoted, escaped, at most {@link LogSafe#MAX_CHARS} characters. */
    static String quote(String text) {
        return "'" + LogSafe.text(text) + "'";
    }

    private static byte[] bytes(String source, Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new ConfigException(source, 0, null, "is a directory, not a configuration file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new ConfigException(source, 0, null, "is larger than " + MAX_BYTES
                        + " bytes, more than any keeper configuration needs");
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw new ConfigException(source, 0, null, "no such file");
        } catch (AccessDeniedException e) {
            throw new ConfigException(source, 0, null, "permission denied");
        }
    }

    /** Strict UTF-8: a byte that is not names its line (and the key, when it is in a value) instead of turning into U+FFFD. */
    private static String decode(String source, byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length); // UTF-8 never decodes to more chars than bytes
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw notUtf8(source, bytes, in.position());
        }
        String text = out.flip().toString();
        return text.startsWith("\ufeff") ? text.substring(1) : text;
    }

    private static ConfigException notUtf8(String source, byte[] bytes, int at) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < at; i++) {
            if (bytes[i] == '\n' || bytes[i] == '\r' && (i + 1 >= bytes.length || bytes[i + 1] != '\n')) {
                line++;
                lineStart = i + 1;
            }
        }
        // Everything before the bad byte decoded, so the line up to it is text: name its key if the byte is in a value.
        String before = new String(bytes, lineStart, at - lineStart, StandardCharsets.UTF_8).strip();
        int sep = separator(before);
        String key = sep > 0 && !before.startsWith("#") && !before.startsWith("!") ? before.substring(0, sep).strip() : null;
        return new ConfigException(source, line, key, String.format("is not valid UTF-8 (byte 0x%02x at column %d of the line);"
                + " save the file as UTF-8", bytes[at] & 0xff, at - lineStart + 1));
    }

    private static int separator(String line) {
        int eq = line.indexOf('=');
        int colon = line.indexOf(':');
        return eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
    }

    /** {@code directory} is the file's own: file names in it (TLS's) are relative to it. */
    static List<EndpointConfig> parse(String source, Path directory, List<String> lines) {
        Map<String, Entry> entries = entries(source, lines);
        Settings settings = new Settings(source, directory);
        if (entries.containsKey("socketConnCount")) {
            return new ClassicFormat(settings, entries).endpoints();
        }
        return new RichFormat(settings, entries).endpoints();
    }

    private static Map<String, Entry> entries(String source, List<String> lines) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            int lineNumber = i + 1;
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("!")) {
                continue;
            }
            int sep = separator(line);
            if (sep <= 0) {
                throw new ConfigException(source, lineNumber, null, "expected 'key = value', got " + quote(line));
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
                default -> throw new ConfigException(source, line, key, "unknown escape \\" + LogSafe.text(String.valueOf(e)));
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
                        "endpoint name " + quote(endpoint.name()) + " is used twice");
            }
        }
        return new ArrayList<>(seen.values());
    }
}
