package io.tether.bench.lab;

import io.tether.cli.CliTypes;
import io.tether.cli.Within;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.heartbeat.HeartbeatProfile;
import io.tether.util.Durations;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The fault-injection harness: a real server process and real client processes on 127.0.0.1, faults made
 * with real signals, and every verdict read from the server's own JSON-lines events.
 */
@Command(name = "faults", mixinStandardHelpOptions = true,
        description = {"Inject faults into a real server and client processes and report how fast and how truthfully",
                "the server detects them: detection time, excess over the timeout, and false offlines among live peers."})
final class FaultsCommand implements Callable<Integer> {
    enum Scenario { silent, frozen, cut, jitter, pause, load }

    enum Detector { fixed, phi }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--profile", converter = CliTypes.ProfileConverter.class, description = "Heartbeat profile. Default: ${DEFAULT-VALUE}.")
    String profile = "standard";

    @Option(names = "--scenarios", split = ",", description = "Which scenarios. Default: all.")
    List<Scenario> scenarios = Arrays.asList(Scenario.values());

    @Option(names = "--detectors", split = ",", description = "Which detectors. Default: fixed,phi.")
    List<Detector> detectors = Arrays.asList(Detector.values());

    // Peers are spread over as many processes as they need; the bound is the server's, which holds them all.
    @Option(names = "--silent", description = "Silent peers in the silent scenario. Default: ${DEFAULT-VALUE}.")
    @Within(min = "1", max = "19500", why = "the server's process, 20,000 open files")
    int silent = 10_000;

    @Option(names = "--live", description = "Live peers beside the faulty ones. Default: ${DEFAULT-VALUE}.")
    @Within(min = "1", max = "19500", why = "the server's process, 20,000 open files")
    int live = 9_000;

    @Option(names = "--write", paramLabel = "FILE", description = "Also write the table, with the command, to this Markdown file.")
    Path write;

    @Override
    public Integer call() throws Exception {
        HeartbeatPolicy policy = HeartbeatProfile.named(profile).policy();
        Path dir = Files.createTempDirectory("tether-faults");
        List<Result> results = new ArrayList<>();
        List<Duration> expected = new ArrayList<>();
        for (Scenario scenario : scenarios) {
            for (Detector detector : detectors) {
                expected.add(FaultRun.expected(scenario, policy, silent, live));
            }
        }
        try (Progress progress = new Progress(System.err, "faults", expected, System::nanoTime).start()) {
            for (Scenario scenario : scenarios) {
                for (Detector detector : detectors) {
                    progress.begin(results.size(), scenario + " (" + detector + ")");
                    Result result;
                    try {
                        result = new FaultRun(dir, policy, profile, detector == Detector.phi, silent, live, progress::step)
                                .run(scenario);
                    } catch (Exception e) {
                        // One broken scenario must not lose the others' measurements.
                        result = new Result(scenario.name(), detector.name(), 0, null, null, 0, 0, "FAILED: " + e.getMessage());
                    }
                    progress.end(!result.note().startsWith("skipped"));
                    results.add(result);
                }
            }
        }
        String table = table(results, policy);
        System.out.print(table);
        if (write != null) {
            Files.writeString(write, document(table, policy), StandardCharsets.UTF_8);
        }
        return 0;
    }

    /** One row of the report. Detection and excess are in milliseconds; null where they do not apply. */
    record Result(String scenario, String detector, int peers, long[] detectionMs, long[] excessMs, long falseOffline,
                  int alive, String note) {
    }

    private static String table(List<Result> results, HeartbeatPolicy policy) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "| scenario | detector | faulty peers | timeout | detection p50 / p99 / max | excess over timeout p50 / p99 / max | false offlines / live peers | note |%n"
                        + "|---|---|---:|---:|---|---|---|---|%n"));
        for (Result r : results) {
            out.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %d / %d | %s |%n", r.scenario(),
                    r.detector(), r.peers(), Durations.format(policy.timeout()), spread(r.detectionMs()),
                    spread(r.excessMs()), r.falseOffline(), r.alive(), r.note()));
        }
        return out.toString();
    }

    private static String spread(long[] ms) {
        if (ms == null || ms.length == 0) {
            return "—";
        }
        long[] sorted = ms.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "%s / %s / %s", human(pct(sorted, 50)), human(pct(sorted, 99)),
                human(sorted[sorted.length - 1]));
    }

    private static long pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static String human(long ms) {
        return Math.abs(ms) >= 1000 ? String.format(Locale.ROOT, "%.2f s", ms / 1000.0) : ms + " ms";
    }

    private String document(String table, HeartbeatPolicy policy) {
        return "# Detection under injected faults\n\n"
                + "Written by `./tether " + String.join(" ", spec.commandLine().getParseResult().originalArgs())
                + "` (or `bench/faults.sh` with the same arguments) on " + Runtime.getRuntime().availableProcessors() + " cores, "
                + System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + ", "
                + System.getProperty("os.name") + " " + System.getProperty("os.version") + ".\n\n"
                + "Profile `" + profile + "`: heartbeat every " + Durations.format(policy.interval()) + ", timeout "
                + Durations.format(policy.timeout()) + ". Detection runs from the moment the fault was injected "
                + "(for silent peers, from their last byte) to the server's OFFLINE event; the excess is the server's "
                + "own measure of silence at the verdict minus the timeout (ms resolution).\n\n" + table;
    }
}
