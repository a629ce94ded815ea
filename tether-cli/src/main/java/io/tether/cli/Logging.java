package io.tether.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** The command line's only contact with the logging backend. */
public final class Logging {
    private Logging() {
    }

    /** Keeps the library's own lines to warnings and errors, for commands that narrate what happens. */
    public static void quietLibrary() {
        setLevel("io.tether", Level.WARN);
    }

    /** Silences one logger whose lines the command prints in its own form. */
    public static void silence(String logger) {
        setLevel(logger, Level.OFF);
    }

    private static void setLevel(String name, Level level) {
        if (LoggerFactory.getLogger(name) instanceof Logger logger) {
            logger.setLevel(level);
        }
    }
}
