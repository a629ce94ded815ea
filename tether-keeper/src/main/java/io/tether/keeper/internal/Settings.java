package io.tether.keeper.internal;

import io.tether.keeper.ConfigException;
import io.tether.keeper.internal.ConfigFiles.Entry;
import io.tether.util.Durations;
import java.time.Duration;

/** Turns setting values into types, failing with the file, line and key of the offending value. */
final class Settings {
    private final String source;

    Settings(String source) {
        this.source = source;
    }

    String source() {
        return source;
    }

    ConfigException error(Entry entry, String problem) {
        return new ConfigException(source, entry.line(), entry.key(), problem);
    }

    ConfigException missing(String key, String problem) {
        return new ConfigException(source, 0, key, problem);
    }

    int integer(Entry entry, int min, int max) {
        try {
            int value = Integer.parseInt(entry.value());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException notANumber) {
            // reported below with the accepted range
        }
        throw error(entry, "'" + entry.value() + "' is not a whole number within " + min + ".." + max);
    }

    int port(Entry entry) {
        return integer(entry, 1, 65535);
    }

    double decimal(Entry entry, double min) {
        try {
            double value = Double.parseDouble(entry.value());
            if (value >= min && Double.isFinite(value)) {
                return value;
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        throw error(entry, "'" + entry.value() + "' is not a number of at least " + min);
    }

    Duration duration(Entry entry) {
        try {
            return Durations.parse(entry.value());
        } catch (IllegalArgumentException e) {
            throw error(entry, e.getMessage());
        }
    }

    /** Runs a builder step, turning its refusal into an error at this entry. */
    void apply(Entry entry, Runnable step) {
        try {
            step.run();
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw error(entry, e.getMessage());
        }
    }
}
