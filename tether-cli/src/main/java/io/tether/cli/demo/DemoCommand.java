package io.tether.cli.demo;

import io.tether.cli.HeartbeatOptions;
import io.tether.cli.LogOptions;
import io.tether.cli.Logging;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.heartbeat.HeartbeatProfile;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run a server and simulated clients in this process and watch failures being detected:",
                "a hung client, one that leaves and comes back, a crashed one, a quiet classic device and a kick.",
                "Ends by itself after 30 heartbeat intervals (a minute with the default strict profile) or on Ctrl-C."})
public final class DemoCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    HeartbeatOptions heartbeat = new HeartbeatOptions(HeartbeatProfile.STRICT);

    @Option(names = "--verbose", description = "Also show the server's and clients' own log lines.")
    boolean verbose;

    @Mixin
    LogOptions logging = new LogOptions();

    @Override
    public Integer call() throws Exception {
        logging.apply();
        HeartbeatPolicy policy = heartbeat.resolve(spec.commandLine());
        if (!verbose) {
            Logging.quietLibrary(); // the demo narrates; the library's own lines would drown it
        }
        Duration duration = policy.interval().multipliedBy(30);
        CountDownLatch interrupted = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            interrupted.countDown();
            try {
                finished.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "demo-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return new DemoScenario(policy, duration, System.out).run(interrupted);
        } finally {
            finished.countDown();
        }
    }
}
