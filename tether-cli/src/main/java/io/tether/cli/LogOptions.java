package io.tether.cli;

import picocli.CommandLine.Option;

/** {@code --log-format}: how a command writes its log lines to stderr. Shared by every command that logs. */
public final class LogOptions {
    enum Format { text, json }

    @Option(names = "--log-format", paramLabel = "FORMAT",
            description = "Log lines on stderr as text, or as json: one JSON object per line (logback's JsonEncoder)."
                    + " Default: ${DEFAULT-VALUE}.")
    Format format = Format.text;

    /** Switches the log to the chosen format; a command calls it first, before it logs anything. */
    public void apply() {
        if (format == Format.json) {
            Logging.json();
        }
    }
}
