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
        if (LoggerFactory.getLogger("io.tether") instanceof Logger library) {
            library.setLevel(Level.WARN);
        }
    }
}
