package io.tether.bench.lab;

import io.tether.cli.TetherCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tether bench}: measurements that print figures, kept out of the product's jar. The {@code ./tether}
 * launcher runs this jar for {@code ./tether bench ...}, so the root is named "tether bench": usage and
 * errors name each command as the user typed it.
 */
@Command(name = "tether bench", mixinStandardHelpOptions = true,
        description = "Measurements that print figures (not tests).",
        subcommands = {DetectionBench.class, FaultsCommand.class, LoadBench.class, LoadWorker.class, CompareCommand.class, StormBench.class, StormClients.class, ClusterBench.class, PeersCommand.class,
                HostileBench.class, HostileServer.class})
public final class BenchMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a bench command ({@code load ...}, without "bench") and returns its exit code; for tests too. */
    public static int execute(String... args) {
        return newCommandLine().execute(args);
    }

    static CommandLine newCommandLine() {
        return TetherCommand.newCommandLine(new BenchMain());
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
