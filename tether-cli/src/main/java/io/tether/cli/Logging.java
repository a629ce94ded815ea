package io.tether.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.Iterator;
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

    /**
     * From now on, writes each log line as one JSON object on a line of its own, with logback's own encoder:
     * {@code timestamp}, {@code level}, {@code threadName}, {@code loggerName}, {@code mdc}, {@code message}
     * (the template), {@code formattedMessage} (the line as text shows it) and {@code throwable}. The encoder
     * escapes every string, so no text inside a message can end the line or the object early.
     */
    static void json() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // another backend: its own configuration decides
        }
        Iterator<Appender<ILoggingEvent>> appenders = context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders();
        while (appenders.hasNext()) {
            if (appenders.next() instanceof OutputStreamAppender<ILoggingEvent> appender) {
                JsonEncoder encoder = new JsonEncoder();
                encoder.setContext(context);
                encoder.setWithSequenceNumber(false);
                encoder.setWithNanoseconds(false);
                encoder.setWithContext(false);
                encoder.setWithArguments(false); // formattedMessage has them, as text shows them
                encoder.setWithFormattedMessage(true);
                encoder.start();
                appender.stop(); // restarted with the new encoder, so no line is half one format, half the other
                appender.setEncoder(encoder);
                appender.start();
            }
        }
    }

    private static void setLevel(String name, Level level) {
        if (LoggerFactory.getLogger(name) instanceof Logger logger) {
            logger.setLevel(level);
        }
    }
}
