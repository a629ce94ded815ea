package io.tether.cli;

import io.tether.cli.bench.BenchCommand;
import io.tether.cli.demo.DemoCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tether} command line. */
@Command(name = "tether",
        mixinStandardHelpOptions = true,
        versionProvider = TetherCommand.Version.class,
        description = "Long-lived TCP connections that stay alive and tell the truth about who is alive.",
        subcommands = {ServerCommand.class, ClientCommand.class, KeepCommand.class, DemoCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class TetherCommand implements Runnable {
    /** Exit code for a bad flag or value. */
    public static final int USAGE_ERROR = 2;

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
        CommandLine cli = new CommandLine(new TetherCommand());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler((ex, arguments) -> {
            // One line, not a page of usage: the user asked for something specific and got it wrong.
            PrintWriter err = ex.getCommandLine().getErr();
            String command = ex.getCommandLine().getCommandSpec().qualifiedName();
            err.println(command + ": " + ex.getMessage() + " (see '" + command + " --help')");
            err.flush();
            return USAGE_ERROR;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            err.println(commandLine.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
            err.flush();
            return 1;
        });
        return cli;
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
