package io.tether.cli;

import io.tether.keeper.ConfigException;
import io.tether.keeper.EndpointConfig;
import io.tether.keeper.EndpointEvent;
import io.tether.keeper.EndpointMode;
import io.tether.keeper.EndpointState;
import io.tether.keeper.EndpointStatus;
import io.tether.keeper.Keeper;
import io.tether.keeper.KeeperConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "keep", mixinStandardHelpOptions = true,
        description = {"Hold the upstream endpoints of a keeper configuration and report on them.",
                "Prints every UP/DOWN transition as it happens and a status table every check interval.",
                "With --once, prints the status and exits: 0 when every endpoint is UP, 1 otherwise",
                "(a short endpoint is UP unless its host name does not resolve)."})
final class KeepCommand implements Callable<Integer> {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    enum EventFormat { text, jsonl }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE",
            description = "Keeper configuration: the classic socket<i> layout or endpoint.<name>.<setting>.")
    Path config;

    @Option(names = "--events", paramLabel = "FORMAT",
            description = "text, or jsonl: one JSON object per UP/DOWN on stdout (the status table goes to stderr). Default: ${DEFAULT-VALUE}.")
    EventFormat events = EventFormat.text;

    @CommandLine.Mixin
    LogOptions logging = new LogOptions();

    @Option(names = "--once", description = "Print the status once and exit: 0 if every endpoint is UP, 1 otherwise.")
    boolean once;

    @Override
    public Integer call() throws Exception {
        logging.apply();
        if (!Files.isReadable(config)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "cannot read --config " + config);
        }
        KeeperConfig keeperConfig;
        try {
            keeperConfig = KeeperConfig.read(config);
        } catch (ConfigException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Logging.quietLibrary();
        Logging.silence("io.tether.keeper.internal.Health"); // this command reports every transition itself
        PrintStream out = System.out;
        PrintStream table = events == EventFormat.jsonl ? System.err : System.out;
        Keeper keeper = Keeper.start(keeperConfig, event -> print(out, events == EventFormat.jsonl ? EventJson.line(event) : text(event)));
        if (once) {
            List<EndpointStatus> status = keeper.status();
            keeper.close(); // delivers the start-up events first, so the table comes last
            printTable(table, status);
            // A short endpoint holds nothing, but it is DOWN when its host does not resolve: that is not healthy either.
            return status.stream().allMatch(s -> s.state() == EndpointState.UP) ? 0 : 1;
        }
        long every = keeperConfig.endpoints().values().stream().map(EndpointConfig::checkInterval)
                .min(Duration::compareTo).orElse(Duration.ofSeconds(10)).toMillis();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "tether-keep-status");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleAtFixedRate(() -> printTable(table, keeper.status()), every, every, TimeUnit.MILLISECONDS);
        UntilSignalled.run(() -> {
            timer.shutdownNow();
            keeper.close();
        });
        return 0;
    }

    static String text(EndpointEvent event) {
        return LocalTime.ofInstant(java.time.Instant.ofEpochMilli(event.at()), ZoneId.systemDefault()).format(CLOCK)
                + " " + event.state() + " " + event.endpoint() + ": " + event.cause();
    }

    static void printTable(PrintStream out, List<EndpointStatus> status) {
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%-14s %-21s %-5s %-5s %4s %4s %4s %10s %8s  %s%n",
                "endpoint", "address", "mode", "state", "idle", "lent", "pool", "probe rtt", "failures", "last failure / next retry"));
        for (EndpointStatus s : status) {
            boolean keep = s.mode() == EndpointMode.KEEP;
            String rtt = s.lastProbeRtt() == null ? "-" : String.format(Locale.ROOT, "%.2f ms", s.lastProbeRtt().toNanos() / 1e6);
            String failure = s.lastFailure() == null ? "-" : s.lastFailure();
            if (s.nextRetry() != null) {
                failure += " (retry in " + Math.max(0, s.nextRetry().toEpochMilli() - System.currentTimeMillis()) + " ms)";
            }
            text.append(String.format(Locale.ROOT, "%-14s %-21s %-5s %-5s %4s %4d %4s %10s %8d  %s%n", s.name(), s.address(),
                    keep ? "keep" : "short", s.state(), keep ? String.valueOf(s.idle()) : "-", s.borrowed(),
                    keep ? String.valueOf(s.poolSize()) : "-", rtt, s.failures(), failure));
        }
        synchronized (out) {
            out.print(text);
            out.flush();
        }
    }

    private static void print(PrintStream out, String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
