package io.tether.cli.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measurements that print figures (not tests).",
        subcommands = {DetectionBench.class, FaultsCommand.class, LoadBench.class, LoadWorker.class, CompareCommand.class, StormBench.class, StormClients.class, PeersCommand.class,
                HostileBench.class, HostileServer.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
