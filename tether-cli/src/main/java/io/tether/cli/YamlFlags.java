package io.tether.cli;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.tether.util.LogSafe;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a YAML file of flags: one mapping from names to a scalar, or to a list of scalars. Nothing else a
 * YAML file may hold has a meaning here, so everything else is refused rather than half understood: nested
 * mappings, anchors and aliases (which also rules out alias bombs), tags, a second document, a key written
 * twice. Scalars are kept as written ({@code 0700} stays {@code 0700}, {@code yes} stays {@code yes}): the
 * command line's own converters decide what they mean, as they do for a flag.
 *
 * <p>The file is strict UTF-8 and at most {@value #MAX_BYTES} bytes. Every error is a {@link Problem}
 * whose message names the file, the line and the key. Text from the file in it is cut short ({@link #quote})
 * but not escaped: it becomes a usage error, whose handler makes the whole line safe ({@code TetherCommand}),
 * as the converters' messages do.
 */
final class YamlFlags {
    /** Far more than any file of flags; small enough that reading one costs nothing. */
    static final int MAX_BYTES = 1 << 20;
    /** Root mapping, a list in it, the scalars in that list. */
    private static final int MAX_DEPTH = 2;
    /** The most characters of a key or a value an error shows. */
    private static final int SHOWN = 80;
    /** The most characters of a parser's complaint an error shows: its words, and what it found. */
    private static final int COMPLAINT = 160;

    private static final YAMLFactory FACTORY = factory();

    /** One key, its value(s) as written, whether it was written as a list, and its line (1-based). */
    record Entry(String key, List<String> values, boolean list, int line) {
    }

    /** A file that cannot be used; the message is one safe line naming the file (and the line and key). */
    static final class Problem extends Exception {
        Problem(String message) {
            super(message, null, false, false);
        }
    }

    private YamlFlags() {
    }

    private static YAMLFactory factory() {
        LoaderOptions loader = new LoaderOptions();
        loader.setCodePointLimit(MAX_BYTES);
        loader.setNestingDepthLimit(MAX_DEPTH + 1);
        loader.setMaxAliasesForCollections(0);
        return YAMLFactory.builder().loaderOptions(loader)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH + 1)
                        .maxStringLength(MAX_BYTES).maxDocumentLength(MAX_BYTES).build())
                .build();
    }

    /** How errors name {@code file}: as given on the command line, cut short. */
    static String source(Path file) {
        return cut(file.toString(), LogSafe.MAX_CHARS);
    }

    /** Text from the file as an error shows it: at most {@value #SHOWN} characters. */
    static String quote(String text) {
        return cut(String.valueOf(text), SHOWN);
    }

    private static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "…(" + (text.length() - max) + " more chars)";
    }

    /** The entries of {@code file} by key, in the order written. */
    static Map<String, Entry> read(Path file) throws Problem {
        String source = source(file);
        return parse(source, decode(source, bytes(source, file)));
    }

    private static byte[] bytes(String source, Path file) throws Problem {
        if (Files.isDirectory(file)) {
            throw new Problem(source + ": is a directory, not a YAML file");
        }
        // Read to a bound, never by the size the file claims: /dev/zero and pipes claim nothing.
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new Problem(source + ": is larger than " + MAX_BYTES + " bytes, more than any file of flags needs");
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw new Problem(source + ": no such file");
        } catch (AccessDeniedException e) {
            throw new Problem(source + ": permission denied");
        } catch (IOException e) {
            throw new Problem(source + ": cannot be read: " + quote(e.getMessage()));
        }
    }

    /** Strict UTF-8: a byte that is not names its line and column instead of turning into U+FFFD. */
    private static String decode(String source, byte[] bytes) throws Problem {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(in).toString(); // a new decoder reports, never replaces
        } catch (CharacterCodingException e) {
            int at = in.position(); // where the decoder stopped: the first byte it could not decode
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < at; i++) {
                if (bytes[i] == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            throw new Problem(String.format("%s:%d: is not valid UTF-8 (byte 0x%02x at column %d of the line); save the file as UTF-8",
                    source, line, bytes[at] & 0xff, at - lineStart + 1));
        }
        return text.startsWith("\ufeff") ? text.substring(1) : text;
    }

    static Map<String, Entry> parse(String source, String text) throws Problem {
        Map<String, Entry> entries = new LinkedHashMap<>();
        try (YAMLParser yaml = FACTORY.createParser(text)) {
            JsonToken root = next(source, yaml);
            if (root == null || root == JsonToken.VALUE_NULL) {
                return entries; // nothing but comments: every flag keeps its default
            }
            if (root != JsonToken.START_OBJECT) {
                throw new Problem(at(source, yaml) + "expected 'key: value' lines, got " + what(root));
            }
            for (JsonToken token = next(source, yaml); token != null && token != JsonToken.END_OBJECT; token = next(source, yaml)) {
                String key = yaml.currentName();
                int line = line(yaml);
                String where = source + ":" + line + ": " + quote(key) + ": ";
                Entry entry = entry(where, key, line, next(source, yaml), yaml, source);
                Entry earlier = entries.putIfAbsent(key, entry);
                if (earlier != null) {
                    throw new Problem(where + "is set twice, here and on line " + earlier.line());
                }
            }
            JsonToken after = next(source, yaml);
            if (after != null) {
                throw new Problem(at(source, yaml) + "a second YAML document; a file of flags holds one mapping");
            }
            return entries;
        } catch (StreamReadException e) {
            throw notYaml(source, e);
        } catch (IOException e) { // reading a String: only the parser's own complaints come here
            throw new Problem(source + ": is not valid YAML: " + cut(String.valueOf(e.getMessage()), COMPLAINT));
        }
    }

    private static Entry entry(String where, String key, int line, JsonToken value, YAMLParser yaml, String source)
            throws IOException, Problem {
        if (value == JsonToken.START_ARRAY) {
            List<String> values = new ArrayList<>();
            for (JsonToken item = next(source, yaml); item != null && item != JsonToken.END_ARRAY; item = next(source, yaml)) {
                values.add(scalar(where, item, yaml));
            }
            if (values.isEmpty()) {
                throw new Problem(where + "is an empty list; leave the key out to keep the default");
            }
            return new Entry(key, List.copyOf(values), true, line);
        }
        return new Entry(key, List.of(scalar(where, value, yaml)), false, line);
    }

    private static String scalar(String where, JsonToken token, YAMLParser yaml) throws IOException, Problem {
        if (token != null && token != JsonToken.VALUE_NULL && !token.isScalarValue()) {
            throw new Problem(where + "expected a value, got " + what(token));
        }
        String text = token == null || token == JsonToken.VALUE_NULL ? "" : yaml.getText();
        if (text.isEmpty()) { // "port:", "port: ~", "port: ''": no option takes an empty value
            throw new Problem(where + "has no value; leave the key out to keep the default");
        }
        return text;
    }

    /** The next token, refusing what a file of flags has no use for. */
    private static JsonToken next(String source, YAMLParser yaml) throws IOException, Problem {
        JsonToken token = yaml.nextToken();
        if (yaml.isCurrentAlias() || yaml.getObjectId() != null) {
            throw new Problem(at(source, yaml) + "YAML anchors and aliases (& and *) are not used in a file of flags");
        }
        if (yaml.getTypeId() != null) {
            throw new Problem(at(source, yaml) + "YAML tags (!" + quote(yaml.getTypeId()) + ") are not used in a file of flags");
        }
        return token;
    }

    private static String what(JsonToken token) {
        if (token == null) {
            return "the end of the file";
        }
        return switch (token) {
            case START_OBJECT -> "a mapping (key: value lines nested under a key)";
            case START_ARRAY -> "a list";
            default -> "a single value";
        };
    }

    private static int line(YAMLParser yaml) {
        return yaml.currentTokenLocation().getLineNr();
    }

    private static String at(String source, YAMLParser yaml) {
        return source + ":" + line(yaml) + ": ";
    }

    /** The parser's complaint as one line: its own words for the problem, escaped and cut short, and where. */
    private static Problem notYaml(String source, StreamReadException e) {
        if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
            return new Problem(source + ":" + (marked.getProblemMark().getLine() + 1) + ": is not valid YAML: "
                    + cut(String.valueOf(marked.getProblem()), COMPLAINT));
        }
        String line = e.getLocation() != null && e.getLocation().getLineNr() > 0 ? ":" + e.getLocation().getLineNr() : "";
        return new Problem(source + line + ": is not valid YAML: " + cut(String.valueOf(e.getOriginalMessage()), COMPLAINT));
    }
}
