package io.tether.keeper.internal;

import static io.tether.keeper.internal.ConfigFiles.quote;

import io.tether.keeper.ConfigException;
import io.tether.keeper.DurationLimit;
import io.tether.keeper.EndpointConfig;
import io.tether.keeper.internal.ConfigFiles.Entry;
import io.tether.util.Durations;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Turns setting values into types, failing with the file, line and key of the offending value. Every typed
 * value is checked against its range here, at load, so that nothing fails later when it is first used.
 */
final class Settings {
    /**
     * Java's own properties reader does not strip a {@code #} after a value either; a value that carries one
     * and is refused most likely had a comment written after it.
     */
    private static final String INLINE_COMMENT_HINT = " (a '#' starts a comment only at the start of a line)";

    private final String source;
    private final Path directory;

    /** {@code directory} is where relative file names in values start from: the configuration file's own. */
    Settings(String source, Path directory) {
        this.source = source;
        this.directory = directory;
    }

    String source() {
        return source;
    }

    ConfigException error(Entry entry, String problem) {
        return new ConfigException(source, entry.line(), entry.key(),
                problem + (entry.value().indexOf('#') >= 0 ? INLINE_COMMENT_HINT : ""));
    }

    ConfigException missing(String key, String problem) {
        return new ConfigException(source, 0, key, problem);
    }

    /** The entry's value, which must not be empty. */
    String value(Entry entry) {
        if (entry.value().isEmpty()) {
            throw error(entry, "has no value");
        }
        return entry.value();
    }

    int integer(Entry entry, int min, int max) {
        String text = value(entry);
        try {
            int value = Integer.parseInt(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException notANumber) {
            // reported below with the accepted range
        }
        throw error(entry, quote(text) + " is not a whole number within " + min + ".." + max);
    }

    int port(Entry entry) {
        return integer(entry, 1, 65535);
    }

    double decimal(Entry entry, double min, double max) {
        String text = value(entry);
        try {
            double value = Double.parseDouble(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        throw error(entry, quote(text) + " is not a number within " + show(min) + ".." + show(max));
    }

    Duration duration(Entry entry, DurationLimit limit) {
        String text = value(entry);
        Duration value;
        try {
            value = Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw error(entry, quote(text) + " is not a duration (use e.g. 500ms, 3s, 1m, 2h)");
        }
        if (!limit.contains(value)) {
            throw error(entry, quote(text) + " is not within " + limit.range());
        }
        return value;
    }

    boolean bool(Entry entry) {
        return switch (value(entry).toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw error(entry, quote(entry.value()) + " is not true or false");
        };
    }

    /** The entry's value as a file, relative to the configuration file's directory unless absolute. */
    Path file(Entry entry) {
        try {
            return directory.resolve(value(entry));
        } catch (InvalidPathException e) {
            throw error(entry, quote(entry.value()) + " is not a file name");
        }
    }

    /** The entry's value as a host name ({@link EndpointConfig#hostProblem}). */
    String host(Entry entry) {
        String problem = EndpointConfig.hostProblem(value(entry));
        if (problem != null) {
            throw error(entry, problem);
        }
        return entry.value();
    }

    /** Runs a builder step, turning its refusal into an error at this entry. */
    void apply(Entry entry, Runnable step) {
        build(entry, () -> {
            step.run();
            return null;
        });
    }

    /** Builds something, turning its refusal into an error at this entry. */
    <T> T build(Entry entry, java.util.function.Supplier<T> step) {
        try {
            return step.get();
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw error(entry, e.getMessage());
        }
    }

    private static String show(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
