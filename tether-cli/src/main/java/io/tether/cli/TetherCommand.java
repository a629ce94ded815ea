package io.tether.cli;

import io.tether.cli.demo.DemoCommand;
import io.tether.util.LogSafe;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tether} command line. */
@Command(name = "tether",
        mixinStandardHelpOptions = true,
        versionProvider = TetherCommand.Version.class,
        description = "Long-lived TCP connections that stay alive and tell the truth about who is alive.",
        subcommands = {ServerCommand.class, ClientCommand.class, StatusCommand.class, ClusterCommand.class, TokenCommand.class, KeepCommand.class,
                DemoCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Benchmarks, which print figures: ./tether bench --help (a jar of their own, tether-bench)."})
public final class TetherCommand implements Runnable {
    /** Exit code for a bad flag or value. */
    public static final int USAGE_ERROR = 2;
    /** Longest error line: room for the longest of our own messages, but a bound on quoted user text. */
    private static final int MAX_LINE = 600;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code; separate from main so tests can call it. */
    public static int execute(String... args) {
        return newCommandLine().execute(args);
    }

    static CommandLine newCommandLine() {
        return newCommandLine(new TetherCommand());
    }

    /**
     * A command line for {@code root} that behaves as {@code tether}'s: a {@link ConfigFile} read under the
     * flags, {@link Within} ranges checked before anything runs, and a usage error or a failure reported as
     * one safe line with its exit code.
     */
    public static CommandLine newCommandLine(Object root) {
        CommandLine cli = new CommandLine(root);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionStrategy(parsed -> {
            CommandLine.ParseResult complete = ConfigFile.apply(parsed); // a --config file's values, under the flags
            Bounds.check(complete); // ranges are part of parsing: nothing runs with a value out of range
            return new CommandLine.RunLast().execute(complete);
        });
        cli.setParameterExceptionHandler((ex, arguments) -> {
            // One line, not a page of usage: the user asked for something specific and got it wrong.
            PrintWriter err = ex.getCommandLine().getErr();
            String command = ex.getCommandLine().getCommandSpec().qualifiedName();
            err.println(LogSafe.text(command + ": " + ex.getMessage() + suggestion(ex)
                    + " (see '" + command + " --help')", MAX_LINE));
            err.flush();
            return USAGE_ERROR;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            err.println(LogSafe.text(commandLine.getCommandSpec().qualifiedName() + ": " + ex.getMessage(), MAX_LINE));
            err.flush();
            return 1;
        });
        return cli;
    }

    /** Picocli's nearest match for a misspelt option or subcommand, as "; did you mean ...?". */
    private static String suggestion(CommandLine.ParameterException ex) {
        if (ex instanceof CommandLine.UnmatchedArgumentException unmatched) {
            List<String> near = unmatched.getSuggestions(); // nearest first
            if (!near.isEmpty()) {
                return "; did you mean " + near.get(0) + "?";
            }
        }
        return "";
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = TetherCommand.class.getPackage().getImplementationVersion();
            return new String[] {"tether " + (version != null ? version : "development build")};
        }
    }
}
