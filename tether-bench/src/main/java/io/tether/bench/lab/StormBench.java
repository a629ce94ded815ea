package io.tether.bench.lab;

import io.tether.cli.CliTypes;
import io.tether.cli.Within;
import io.tether.bench.lab.Processes.Child;
import io.tether.util.Durations;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Reconnect storm: real clients (default backoff) held by worker processes, a real server process that
 * is stopped with SIGTERM and started again on the same port, and the time until every client is back
 * online. The kernel's listen-queue overflow counter is read before and after.
 */
@Command(name = "storm", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Restart a server under N connected clients and time how long until all are back online.")
final class StormBench implements Callable<Integer> {
    @Option(names = "--clients", paramLabel = "N", description = "Clients. Default: ${DEFAULT-VALUE}.")
    @Within(min = "1", max = "10000000")
    int clients = 19_000;

    @Option(names = "--per-process", paramLabel = "N", description = "Most clients one process holds. Default: ${DEFAULT-VALUE}.")
    @Within(min = "1", max = "19500", why = "20,000 open files a process")
    int perProcess = 19_000;

    @Option(names = "--heartbeat-interval", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
            description = "Default: 1s.")
    @Within(min = "10ms", max = "1h")
    Duration interval = Duration.ofSeconds(1);

    @Option(names = "--heartbeat-timeout", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
            description = "Default: 3s.")
    @Within(min = "10ms", max = "24h")
    Duration timeout = Duration.ofSeconds(3);

    @Option(names = "--connect-rate", paramLabel = "N", description = "First connects a second, per run. Default: ${DEFAULT-VALUE}.")
    @Within(min = "1", max = "1000000")
    int connectRate = 4000;

    @Option(names = "--clients-per-address", paramLabel = "N", description = "Clients that connect from one loopback"
            + " source address (127.x.y.z), as a herd of many hosts would; 0 = all from the kernel's default source,"
            + " one address for the whole herd. Default: ${DEFAULT-VALUE}.")
    @Within(min = "0", max = "19500")
    int perAddress = 500;

    @Option(names = "--max-handshake-rate", paramLabel = "N", description = "The servers' --max-handshake-rate."
            + " Default: the server's own default.")
    @Within(min = "0", max = "10000000")
    Integer handshakeRate;

    @Option(names = "--limit", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
            description = "Give up waiting for the clients to return after this long. Default: 60s.")
    @Within(min = "1s", max = "24h")
    Duration limit = Duration.ofSeconds(60);

    private final List<Child> children = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("tether-storm");
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = probe.getLocalPort();
        }
        try {
            Child server = startServer(dir, "server-1", port);
            List<Child> workers = new ArrayList<>();
            int processes = (clients + perProcess - 1) / perProcess;
            for (int w = 0; w < processes; w++) {
                int count = clients / processes + (w < clients % processes ? 1 : 0);
                Child worker = Processes.bench(dir, "clients-" + w, List.of(), "storm-clients",
                        "--server", "127.0.0.1:" + port, "--count", Integer.toString(count), "--prefix", "s" + w + "-",
                        "--interval", Durations.format(interval), "--timeout", Durations.format(timeout),
                        "--connect-rate", Integer.toString(Math.max(1, connectRate / processes)),
                        "--per-address", Integer.toString(perAddress), "--worker", Integer.toString(w));
                children.add(worker);
                workers.add(worker);
            }
            System.out.printf(Locale.ROOT, "storm: %,d clients in %d process(es), heartbeat %s / %s, %s%n", clients, processes,
                    Durations.format(interval), Durations.format(timeout), perAddress == 0
                            ? "all from one source address" : String.format(Locale.ROOT, "%,d per source address", perAddress));
            check(Processes.waitFor(Duration.ofSeconds(30).plusSeconds(clients / connectRate * 2L),
                    () -> online(workers) == clients), "only " + online(workers) + " of " + clients + " came online");
            System.out.printf(Locale.ROOT, "all %,d online; restarting the server (SIGTERM, then a new process)%n", clients);

            long[] countersBefore = counters();
            Map<String, Long> leftBefore = departures(workers);
            long stopAt = System.currentTimeMillis();
            server.signal("TERM");
            check(server.process().waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the server did not stop");
            long stoppedAt = System.currentTimeMillis();
            Child second = startServer(dir, "server-2", port);
            long listeningAt = System.currentTimeMillis();
            List<Integer> timeline = new ArrayList<>();
            long[] nextSample = {listeningAt + 500};
            boolean back = Processes.waitFor(limit, () -> {
                int now = online(workers);
                if (System.currentTimeMillis() >= nextSample[0]) {
                    timeline.add(now);
                    nextSample[0] += 500;
                }
                return now == clients;
            });
            long lastBack = workers.stream().mapToLong(StormBench::lastStateAt).max().orElse(0);
            long[] countersAfter = counters();
            long overflows = countersAfter[0] - countersBefore[0];
            int closed = workers.stream().mapToInt(StormBench::closed).sum();

            System.out.printf(Locale.ROOT, "old server stopped in %,d ms; new server listening %,d ms later%n",
                    stoppedAt - stopAt, listeningAt - stoppedAt);
            if (back) {
                System.out.printf(Locale.ROOT, "all %,d back online %,d ms after the new server listened"
                        + " (%,d ms after SIGTERM)%n", clients, lastBack - listeningAt, lastBack - stopAt);
            } else {
                System.out.printf(Locale.ROOT, "only %,d of %,d back online after %s%n", online(workers), clients,
                        Durations.format(limit));
            }
            System.out.println("online every 500 ms after the new server listened: " + timeline);
            // Who ended each session from SIGTERM on: the clients' view (the old server's SERVER_SHUTDOWN
            // among them), and the new server's own verdicts until the last client was back.
            Map<String, Long> left = departures(workers);
            leftBefore.forEach((why, count) -> left.merge(why, -count, Long::sum));
            left.values().removeIf(count -> count == 0);
            System.out.println("sessions that left ONLINE from SIGTERM on, as the clients saw it: " + left);
            System.out.println("OFFLINE events of the new server until all were back, by reason: "
                    + offlineByReason(second, back ? lastBack : System.currentTimeMillis()));
            long until = back ? lastBack : System.currentTimeMillis();
            System.out.println("client event loops' worst lateness every 500 ms, in ms: "
                    + StormEvidence.loopLag(workers, listeningAt, until));
            System.out.println("clients convicted of silence by the new server had been ONLINE for (their clock): "
                    + StormEvidence.convictedAfter(workers, listeningAt, until));
            System.out.println("collector pauses from SIGTERM on: new server " + StormEvidence.gcPauses(second, stopAt, until)
                    + "; " + workers.stream().map(w -> w.out().getFileName().toString().replace(".out", "") + " "
                    + StormEvidence.gcPauses(w, stopAt, until)).collect(java.util.stream.Collectors.joining("; ")));
            System.out.printf(Locale.ROOT, "clients that gave up: %d; listen queue overflows (TcpExt ListenOverflows): %d%n",
                    closed, overflows);
            StringBuilder kernel = new StringBuilder("kernel TcpExt during the restart:");
            for (int i = 0; i < COUNTERS.length; i++) {
                kernel.append(' ').append(COUNTERS[i]).append('=').append(countersAfter[i] - countersBefore[i]);
            }
            System.out.println(kernel);
            return back && closed == 0 && overflows == 0 ? 0 : 1;
        } finally {
            for (Child child : children) {
                child.stop();
            }
        }
    }

    private static final String[] COUNTERS = {"ListenOverflows", "ListenDrops", "TCPReqQFullDrop", "SyncookiesSent",
            "TCPSynRetrans", "TCPTimeouts"};

    private static long[] counters() throws IOException {
        long[] values = new long[COUNTERS.length];
        for (int i = 0; i < COUNTERS.length; i++) {
            values[i] = ProcessMeter.tcpExt(COUNTERS[i]);
        }
        return values;
    }

    private Child startServer(Path dir, String name, int port) throws Exception {
        List<String> args = new ArrayList<>(List.of("server", "--host", "127.0.0.1", "--port",
                Integer.toString(port), "--heartbeat-interval", Durations.format(interval), "--heartbeat-timeout",
                Durations.format(timeout), "--events", "jsonl", "--summary-every", "0ms"));
        if (handshakeRate != null) {
            args.addAll(List.of("--max-handshake-rate", handshakeRate.toString()));
        }
        Child server = Processes.tether(dir, name, List.of(), args.toArray(new String[0]));
        children.add(server);
        check(Processes.waitFor(Duration.ofSeconds(30), () -> said(server, "listening")), "server did not start");
        return server;
    }

    private static boolean said(Child child, String text) {
        try {
            return child.said(text);
        } catch (IOException e) {
            return false;
        }
    }

    /** Why the workers' clients left ONLINE so far, summed: {@code server:TIMEOUT}, {@code client:TIMEOUT}... */
    private static Map<String, Long> departures(List<Child> workers) {
        Map<String, Long> sum = new TreeMap<>();
        for (Child worker : workers) {
            lastState(worker).filter(s -> s.length > 4 && !s[4].equals("-")).ifPresent(s -> {
                for (String entry : s[4].split(",")) {
                    int eq = entry.lastIndexOf('=');
                    sum.merge(entry.substring(0, eq), Long.parseLong(entry.substring(eq + 1)), Long::sum);
                }
            });
        }
        return sum;
    }

    /** The server's OFFLINE events up to {@code untilMillis}, counted by reason, from its JSON-lines output. */
    private static Map<String, Long> offlineByReason(Child server, long untilMillis) {
        Map<String, Long> byReason = new TreeMap<>();
        try (Stream<String> lines = Files.lines(server.out())) {
            lines.filter(line -> line.contains("\"event\":\"OFFLINE\"")).forEach(line -> {
                Matcher m = OFFLINE.matcher(line);
                if (m.find() && Long.parseLong(m.group(2)) <= untilMillis) {
                    byReason.merge(m.group(1), 1L, Long::sum);
                }
            });
        } catch (IOException e) {
            byReason.put("unreadable: " + e.getMessage(), 0L);
        }
        return byReason;
    }

    private static final Pattern OFFLINE = Pattern.compile("\"reason\":\"([A-Z_]+)\".*\"at\":(\\d+)");

    static int online(List<Child> workers) {
        return workers.stream().mapToInt(w -> field(w, 1)).sum();
    }

    static int closed(Child worker) {
        return field(worker, 2);
    }

    static long lastStateAt(Child worker) {
        return lastState(worker).map(s -> Long.parseLong(s[3])).orElse(0L);
    }

    private static int field(Child worker, int index) {
        return lastState(worker).map(s -> Integer.parseInt(s[index])).orElse(0);
    }

    /** The worker's newest complete state line. */
    private static java.util.Optional<String[]> lastState(Child worker) {
        try {
            String text = Files.readString(worker.out());
            for (int end = text.lastIndexOf('\n'); end > 0; end = text.lastIndexOf('\n', end - 1)) {
                int start = text.lastIndexOf('\n', end - 1) + 1;
                if (text.startsWith("state ", start)) {
                    String[] fields = text.substring(start, end).split(" ");
                    return fields.length >= 4 ? java.util.Optional.of(fields) : java.util.Optional.empty();
                }
            }
            return java.util.Optional.empty();
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }
}
