package io.tether.cli;

import io.tether.util.Durations;
import java.lang.reflect.Field;
import java.math.BigDecimal;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Checks every {@link Within} option of the commands on the command line, so a value out of range is a
 * usage error (exit 2, one line naming the flag, or the config file's line and key, and the range) before
 * any command starts work.
 */
final class Bounds {
    private Bounds() {
    }

    static void check(ParseResult parsed) {
        for (CommandLine command : parsed.asCommandLineList()) {
            for (OptionSpec option : command.getCommandSpec().options()) {
                if (option.userObject() instanceof Field field && field.isAnnotationPresent(Within.class)) {
                    Object value = option.getValue();
                    if (value != null) {
                        check(command, ConfigFile.nameOf(command, option), value, field.getAnnotation(Within.class));
                    }
                }
            }
        }
    }

    private static void check(CommandLine command, String name, Object value, Within within) {
        boolean notANumber = value instanceof Double d && !Double.isFinite(d); // NaN and Infinity parse as doubles
        if (notANumber || compare(value, within.min()) < 0
                || !within.max().isEmpty() && compare(value, within.max()) > 0) {
            String range = within.max().isEmpty() ? " must be at least " + within.min()
                    : " must be within " + within.min() + ".." + within.max();
            throw new CommandLine.ParameterException(command, name + range + ", got " + show(value)
                    + (within.why().isEmpty() ? "" : " (" + within.why() + ")"));
        }
    }

    private static int compare(Object value, String bound) {
        if (value instanceof Duration duration) {
            return duration.compareTo(Durations.parse(bound));
        }
        if (value instanceof Number number) {
            return new BigDecimal(number.toString()).compareTo(new BigDecimal(bound));
        }
        throw new IllegalStateException("@Within on a " + value.getClass().getSimpleName() + " option");
    }

    private static String show(Object value) {
        return value instanceof Duration duration ? Durations.format(duration) : value.toString();
    }
}
