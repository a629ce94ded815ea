package io.tether.bench.lab;

import io.tether.cli.CliTypes;
import io.tether.cli.HeartbeatOptions;
import io.tether.cli.Within;
import io.tether.cli.Logging;
import io.tether.bench.lab.Attacks.Kind;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.heartbeat.HeartbeatProfile;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The hostile-load scenario: a real server process on 127.0.0.1 under resets, garbage, mutated frames, slow
 * dribbles and request floods while healthy clients ping it, judged by its own presence events. Prints
 * {@code key=value} lines; exits 1 when an invariant broke: a healthy client dropped or declared offline, an
 * attacker's session left online after its connection closed (a ghost), a session without exactly one
 * ONLINE then one OFFLINE, or the server dying.
 */
@Command(name = "hostile", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Attack a real server process with resets, garbage, mutated frames, slow dribbles and request "
                + "floods while healthy clients ping it; measure their round trips and the server's CPU and memory, and "
                + "check its presence events: one ONLINE then one OFFLINE per session, no ghosts, no healthy client lost. "
                + "Prints key=value lines; exit code 1 when an invariant broke.")
final class HostileBench implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--duration", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
            description = "How long the attacks last. Default: 60s.")
    @Within(min = "1ms", max = "24h")
    Duration duration = Duration.ofSeconds(60);

    @Option(names = "--quiet", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
            description = "Healthy pinging before the attacks, for a baseline. Default: 5s.")
    @Within(min = "0ms", max = "24h")
    Duration quiet = Duration.ofSeconds(5);

    @Option(names = "--healthy", paramLabel = "N", description = "Healthy clients. Default: ${DEFAULT-VALUE}.")
    @Within(min = "1", max = "10000")
    int healthy = 50;

    @Option(names = "--interval", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
            description = "Each healthy client's ping interval. Default: 1s.")
    @Within(min = "10ms", max = "1h")
    Duration interval = Duration.ofSeconds(1);

    /** The server's heartbeat; strict (2s/6s) unless given. */
    @Mixin
    HeartbeatOptions heartbeat = new HeartbeatOptions(HeartbeatProfile.STRICT);

    /** Resolved from {@link #heartbeat} before the run. */
    HeartbeatPolicy policy;

    @Option(names = "--attacks", paramLabel = "KIND", split = ",", converter = Kind.Converter.class,
            description = "Which attacks: hello-reset, handshake-reset, garbage, mutated, dribble-hello, dribble-data, "
                    + "request-flood. Default: all.")
    List<Kind> attacks = Arrays.asList(Kind.values());

    @Option(names = "--attack-rate", paramLabel = "N",
            description = "Fast attacks (all but dribbles and floods) a second, in all. Default: ${DEFAULT-VALUE}.")
    @Within(min = "1", max = "10000")
    int attackRate = 200;

    @Option(names = "--attackers", paramLabel = "N", description = "Threads making fast attacks. Default: ${DEFAULT-VALUE}.")
    @Within(min = "1", max = "256")
    int attackers = 8;

    @Option(names = "--max-attacks", paramLabel = "N", description = "Most attacks in all, floods aside. Default: ${DEFAULT-VALUE}.")
    @Within(min = "1")
    long maxAttacks = 1_000_000;

    @Option(names = "--dribblers", paramLabel = "N", description = "Slow connections dribbling at once. Default: ${DEFAULT-VALUE}.")
    @Within(min = "1", max = "4096")
    int dribblers = 16;

    @Option(names = "--dribble-step", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
            description = "Time between a dribbler's bytes. Default: 500ms.")
    @Within(min = "1ms", max = "1h")
    Duration dribbleStep = Duration.ofMillis(500);

    @Option(names = "--dribble-for", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
            description = "Longest one dribble lasts. Default: 12s.")
    @Within(min = "1ms", max = "24h")
    Duration dribbleFor = Duration.ofSeconds(12);

    @Option(names = "--reply-wait", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
            description = "How long a fast attack waits for the server's answer before its reset. Default: 300ms.")
    @Within(min = "1ms", max = "1h")
    Duration replyWait = Duration.ofMillis(300);

    @Option(names = "--flooders", paramLabel = "N", description = "Connections flooding REQUESTs. Default: ${DEFAULT-VALUE}.")
    @Within(min = "1", max = "64")
    int flooders = 2;

    @Option(names = "--flood-rate", paramLabel = "N",
            description = "REQUESTs a second on each flooding connection; 0 = as fast as the socket takes them. Default: ${DEFAULT-VALUE}.")
    @Within(min = "0")
    int floodRate = 0;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the attacks' randomness. Default: a random one, printed.")
    Long seed;

    @Override
    public Integer call() throws Exception {
        // Single-flag ranges are @Within (checked before this runs); what relates two flags is checked here.
        check(!attacks.isEmpty(), "--attacks needs at least one kind");
        check(dribbleFor.compareTo(dribbleStep) >= 0, "--dribble-for must be at least one --dribble-step");
        policy = heartbeat.resolve(spec.commandLine());
        // Healthy clients must stay healthy: within the server's ping allowance, and well inside its timeout.
        check(interval.multipliedBy(2).compareTo(policy.interval()) >= 0
                        && interval.multipliedBy(2).compareTo(policy.timeout()) <= 0,
                "--interval must be within half the server's heartbeat interval and half its timeout");
        if (seed == null) {
            seed = ThreadLocalRandom.current().nextLong();
        }
        Logging.quietLibrary();
        HostileRun run = new HostileRun(this);
        run.run();
        PrintStream out = System.out;
        out.println("seed=" + seed);
        run.figures().forEach((key, value) -> out.println(key + "=" + value));
        run.failures().forEach(failure -> out.println("failure=" + failure));
        out.println("result=" + (run.failures().isEmpty() ? "pass" : "fail"));
        out.flush();
        return run.failures().isEmpty() ? 0 : 1;
    }

    private void check(boolean condition, String message) {
        if (!condition) {
            throw new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }
}
