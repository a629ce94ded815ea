package io.tether.bench.lab;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tether.cli.CliTypes;
import io.tether.cli.Logging;
import io.tether.cli.Within;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Holds many connections to a server, pings on each at a fixed interval, and reports what the clients saw
 * (round trips, missing answers) and, for a server process id, what it cost the server (CPU per ping, RSS
 * per connection). The same load can be aimed at Tether, an MQTT broker, Redis or a bare frame server.
 */
@Command(name = "load", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Hold connections that ping at a fixed interval and measure round trips and server cost.",
                "Beyond --per-process connections the load is split over worker processes (20,000 open files each)."})
final class LoadBench implements Callable<Integer> {
    @Option(names = "--protocol", paramLabel = "NAME",
            description = "tether, frames (Tether frames, no handshake), mqtt or redis. Default: tether.")
    Wire wire = Wire.TETHER;

    @Option(names = "--target", paramLabel = "HOST:PORT", converter = CliTypes.HostPortConverter.class,
            description = "The server. Default: 127.0.0.1:7000.")
    InetSocketAddress target = InetSocketAddress.createUnresolved("127.0.0.1", 7000);

    @Option(names = "--connections", paramLabel = "N", description = "Connections to hold. Default: ${DEFAULT-VALUE}.")
    @Within(min = "1", max = "10000000")
    int connections = 1000;

    @Option(names = "--interval", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
            description = "Ping interval on each connection. Default: 1s.")
    @Within(min = "10ms", max = "1h")
    Duration interval = Duration.ofSeconds(1);

    @Option(names = "--connect-rate", paramLabel = "N", description = "New connections a second. Default: ${DEFAULT-VALUE}.")
    @Within(min = "1", max = "1000000")
    int connectRate = 4000;

    @Option(names = "--warmup", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
            description = "Pinging before the measured window. Default: 15s.")
    @Within(min = "0ms", max = "24h")
    Duration warmup = Duration.ofSeconds(15);

    @Option(names = "--duration", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
            description = "The measured window. Default: 30s.")
    @Within(min = "1s", max = "24h")
    Duration duration = Duration.ofSeconds(30);

    @Option(names = "--server-pid", paramLabel = "PID",
            description = "The server's process id: adds its CPU per ping and RSS per connection.")
    @Within(min = "1")
    Long serverPid;

    @Option(names = "--threads", paramLabel = "N", description = "Event loop threads per process. Default: ${DEFAULT-VALUE}.")
    @Within(min = "1", max = "64")
    int threads = 1;

    @Option(names = "--per-process", paramLabel = "N",
            description = "Most connections one process holds. Default: ${DEFAULT-VALUE}.")
    @Within(min = "1", max = "19500", why = "20,000 open files a process")
    int perProcess = 19_000;

    @Option(names = "--tls", description = "Connect over TLS (any certificate is trusted: the load measures TLS's cost).")
    boolean tls;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
    Path json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Logging.quietLibrary();
        PrintStream out = System.out;
        ProcessMeter server = serverPid == null ? null : new ProcessMeter(serverPid);
        if (server != null && !server.alive()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--server-pid " + serverPid + " is not running");
        }
        long rssBefore = server == null ? 0 : settledRss(server);
        long pssBefore = server == null ? 0 : server.pssKib();
        InetSocketAddress address = CliTypes.HostPortConverter.resolved(target);
        out.printf(Locale.ROOT, "load: %s on %s, %,d connections pinging every %s%n", name(), target.getHostString() + ":" + target.getPort(),
                connections, io.tether.util.Durations.format(interval));

        List<LoadShare> shares = shares(address);
        try {
            long openStart = System.nanoTime();
            for (LoadShare share : shares) {
                if (share instanceof LoadShare.Remote) {
                    share.open(); // workers open in parallel; this only waits for each one's report
                }
            }
            for (LoadShare share : shares) {
                if (share instanceof LoadShare.Local) {
                    share.open();
                }
            }
            long ready = shares.stream().mapToLong(LoadShare::ready).sum();
            out.printf(Locale.ROOT, "opened %,d of %,d in %.1f s; warming up for %s%n", ready, connections,
                    (System.nanoTime() - openStart) / 1e9, io.tether.util.Durations.format(warmup));
            TimeUnit.NANOSECONDS.sleep(warmup.toNanos()); // the warm-up is a span of time, not a condition

            double cpuStart = server == null ? 0 : server.cpuSeconds();
            long windowStart = System.nanoTime();
            for (LoadShare share : shares) {
                share.startWindow();
            }
            TimeUnit.NANOSECONDS.sleep(duration.toNanos());
            for (LoadShare share : shares) {
                share.requestReport();
            }
            double cpuEnd = server == null ? 0 : server.cpuSeconds();
            double seconds = (System.nanoTime() - windowStart) / 1e9;
            long rssAfter = server == null ? 0 : server.rssKib();
            long pssAfter = server == null ? 0 : server.pssKib();
            List<LoadDriver.Window> windows = new ArrayList<>();
            for (LoadShare share : shares) {
                windows.add(share.awaitReport());
            }
            ObjectNode result = report(out, windows.stream().reduce(LoadDriver.Window::plus).orElseThrow(), seconds, server, cpuEnd - cpuStart,
                    new long[] {rssBefore, rssAfter, pssBefore, pssAfter});
            if (json != null) {
                Files.writeString(json, LoadShare.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
            }
            return 0;
        } finally {
            for (LoadShare share : shares) {
                share.close();
            }
        }
    }

    private List<LoadShare> shares(InetSocketAddress address) throws Exception {
        List<LoadShare> shares = new ArrayList<>();
        if (connections <= perProcess) {
            LoadDriver driver = new LoadDriver(wire, address, interval, threads, "l-", tls);
            shares.add(new LoadShare.Local(driver, connections, connectRate));
            return shares;
        }
        int workers = (connections + perProcess - 1) / perProcess;
        Path dir = Files.createTempDirectory("tether-load");
        for (int w = 0; w < workers; w++) {
            int count = connections / workers + (w < connections % workers ? 1 : 0);
            List<String> args = new ArrayList<>(List.of("load-worker", "--protocol", wire.name(),
                    "--target", target.getHostString() + ":" + target.getPort(),
                    "--connections", Integer.toString(count), "--interval", interval.toMillis() + "ms",
                    "--connect-rate", Integer.toString(Math.max(1, connectRate / workers)),
                    "--threads", Integer.toString(threads), "--id-prefix", "w" + w + "-"));
            if (tls) {
                args.add("--tls");
            }
            shares.add(new LoadShare.Remote(Processes.bench(dir, "load-worker-" + w, List.of(), args.toArray(new String[0]))));
        }
        return shares;
    }

    /**
     * The server's resident set once it has settled after starting: a JVM gives back part of its start-up
     * garbage in the first seconds, and a baseline taken before that would understate what the connections
     * cost. Waits until RSS moved by at most 256 KiB over one second, or 10 s.
     */
    static long settledRss(ProcessMeter server) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long[] recent = new long[5];
        for (int sample = 0; ; sample++) {
            recent[sample % recent.length] = server.rssKib();
            if (sample >= recent.length - 1) {
                long min = Long.MAX_VALUE;
                long max = Long.MIN_VALUE;
                for (long rss : recent) {
                    min = Math.min(min, rss);
                    max = Math.max(max, rss);
                }
                if (max - min <= 256 || System.nanoTime() > deadline) {
                    return recent[sample % recent.length];
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250)); // sampling a figure, not waiting for an event
        }
    }

    private ObjectNode report(PrintStream out, LoadDriver.Window w, double seconds, ProcessMeter server,
                              double cpuSeconds, long[] memory) {
        long rssBefore = memory[0];
        long rssAfter = memory[1];
        Histogram rtt = w.rtt();
        ObjectNode json = LoadShare.JSON.createObjectNode().put("protocol", name())
                .put("connections", connections).put("intervalMs", interval.toMillis()).put("windowSeconds", seconds)
                .put("held", w.held()).put("failed", w.failed()).put("dropped", w.dropped())
                .put("pings", w.pings()).put("pongs", w.pongs()).put("missing", w.missing())
                .put("rttP50Ms", ms(rtt.getValueAtPercentile(50))).put("rttP99Ms", ms(rtt.getValueAtPercentile(99)))
                .put("rttP999Ms", ms(rtt.getValueAtPercentile(99.9))).put("rttMaxMs", ms(rtt.getMaxValue()));
        out.printf(Locale.ROOT, "window        %.1f s%n", seconds);
        out.printf(Locale.ROOT, "connections   %,d held of %,d (%,d failed to open, %,d dropped by the server)%n",
                w.held(), connections, w.failed(), w.dropped());
        out.printf(Locale.ROOT, "pings         %,d sent, %,d pongs, %,d missing (a pong over an interval late)%n",
                w.pings(), w.pongs(), w.missing());
        out.printf(Locale.ROOT, "round trip    p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms%n",
                ms(rtt.getValueAtPercentile(50)), ms(rtt.getValueAtPercentile(99)),
                ms(rtt.getValueAtPercentile(99.9)), ms(rtt.getMaxValue()));
        if (server != null) {
            double cpuPerPing = w.pongs() == 0 ? Double.NaN : cpuSeconds * 1e6 / w.pongs();
            double perConnection = w.held() == 0 ? Double.NaN : (rssAfter - rssBefore) / (double) w.held();
            json.put("serverPid", server.pid()).put("serverCpuSeconds", cpuSeconds).put("cpuMicrosPerPing", cpuPerPing)
                    .put("rssBeforeKib", rssBefore).put("rssAfterKib", rssAfter).put("rssKibPerConnection", perConnection);
            out.printf(Locale.ROOT, "server        pid %d: %.2f s CPU in the window = %.2f µs per ping%n",
                    server.pid(), cpuSeconds, cpuPerPing);
            double pssPerConnection = w.held() == 0 ? Double.NaN : (memory[3] - memory[2]) / (double) w.held();
            json.put("pssBeforeKib", memory[2]).put("pssAfterKib", memory[3]).put("pssKibPerConnection", pssPerConnection);
            out.printf(Locale.ROOT, "server RSS    %,.1f MiB before, %,.1f MiB held = %.2f KiB per connection%n",
                    rssBefore / 1024.0, rssAfter / 1024.0, perConnection);
            out.printf(Locale.ROOT, "server PSS    %,.1f MiB before, %,.1f MiB held = %.2f KiB per connection%n",
                    memory[2] / 1024.0, memory[3] / 1024.0, pssPerConnection);
        }
        if (w.firstProblem() != null) {
            json.put("firstProblem", w.firstProblem());
            out.println("first problem " + w.firstProblem());
        }
        return json;
    }

    private String name() {
        return wire.name().toLowerCase(Locale.ROOT) + (tls ? "+tls" : "");
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
