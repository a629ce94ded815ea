package io.tether.bench.lab;

import com.fasterxml.jackson.databind.JsonNode;
import io.tether.bench.lab.FaultsCommand.Result;
import io.tether.bench.lab.FaultsCommand.Scenario;
import io.tether.bench.lab.Processes.Child;
import io.tether.bench.lab.Processes.EventTail;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.util.Durations;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** One scenario against one freshly started server process. */
final class FaultRun {
    private final Path dir;
    private final HeartbeatPolicy policy;
    private final String profile;
    private final boolean phi;
    private final int silent;
    private final int live;
    private final Consumer<String> step;
    private final List<Child> children = new ArrayList<>();
    private Child server;
    private EventTail events;
    private int port;

    /** {@code step} hears what the run is doing now, e.g. "starting 1000 live peers" ({@link Progress}). */
    FaultRun(Path dir, HeartbeatPolicy policy, String profile, boolean phi, int silent, int live, Consumer<String> step) {
        this.dir = dir;
        this.policy = policy;
        this.profile = profile;
        this.phi = phi;
        this.silent = silent;
        this.live = live;
        this.step = step;
    }

    /**
     * About how long a run of {@code scenario} takes: what it waits for, and an allowance for starting the
     * server and its peers. {@link Progress} corrects the allowance by the pace of the runs already done.
     */
    static Duration expected(Scenario scenario, HeartbeatPolicy policy, int silent, int live) {
        int some = Math.min(live, 1000);
        return switch (scenario) {
            case silent -> starting(silent + live).plus(policy.timeout());
            case frozen, cut -> starting(some + 100).plus(policy.timeout());
            case jitter -> starting(some).plus(policy.interval().multipliedBy(10));
            case pause -> starting(some).plus(policy.timeout().multipliedBy(3)).plus(policy.interval()).plusSeconds(2);
            case load -> starting(some + 20).plus(policy.interval().multipliedBy(10));
        };
    }

    /** A first guess at the time to start a server and {@code peers} peers, before any run has been timed. */
    private static Duration starting(int peers) {
        return Duration.ofSeconds(5).plusMillis(peers);
    }

    Result run(Scenario scenario) throws Exception {
        try {
            if (scenario == Scenario.cut) {
                String missing = CutLink.missing();
                if (missing != null) {
                    return new Result("cut link", detector(), 0, null, null, 0, 0, "skipped: " + missing);
                }
                return cutLink();
            }
            if (scenario == Scenario.load) {
                // The scenario is a server under load, not a client over its limits: the flood's 64 KiB frames
                // flat out would be RATE_LIMITED at the default 16 MiB a second per client (docs/SECURITY.md).
                startServer("127.0.0.1", "--max-bytes-per-second", "1099511627776",
                        "--max-frames-per-second", "100000000");
            } else {
                startServer("127.0.0.1");
            }
            return switch (scenario) {
                case silent -> silentPeers();
                case frozen -> frozenProcess();
                case jitter -> jitter();
                case pause -> serverPause();
                case load -> loadedServer();
                case cut -> throw new IllegalStateException();
            };
        } finally {
            for (Child child : children) {
                child.signal("CONT");
                child.stop();
            }
        }
    }

    private String detector() {
        return phi ? "phi" : "fixed";
    }

    private void startServer(String host, String... limits) throws Exception {
        step.accept("starting the server");
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = probe.getLocalPort();
        }
        List<String> args = new ArrayList<>(List.of("server", "--host", host, "--port", String.valueOf(port),
                "--profile", profile, "--events", "jsonl", "--summary-every", "0ms"));
        if (phi) {
            args.addAll(List.of("--detector", "phi"));
        }
        args.addAll(List.of(limits));
        server = Processes.tether(dir, "server-" + System.nanoTime(), List.of(), args.toArray(String[]::new));
        children.add(server);
        events = new EventTail(server.out());
        check(Processes.waitFor(Duration.ofSeconds(30), () -> said(server, "listening")), "server did not start");
    }

    private Child peers(String mode, String prefix, int count) throws Exception {
        return peers(List.of(), "127.0.0.1", mode, prefix, count);
    }

    /**
     * Starts {@code count} peers, in as many processes as the 20,000-open-files limit needs (at most
     * {@value #PER_PROCESS} each), and waits until every one is online. Returns the last process.
     */
    private Child peers(List<String> launcher, String host, String mode, String prefix, int count) throws Exception {
        step.accept("starting " + count + " " + prefix.replace("-", "") + " peers");
        Child last = null;
        for (int chunk = 0, started = 0; started < count; chunk++) {
            int size = Math.min(PER_PROCESS, count - started);
            String chunkPrefix = count > PER_PROCESS ? prefix + chunk + "-" : prefix;
            Child peers = Processes.bench(dir, chunkPrefix + System.nanoTime(), launcher, "peers",
                    "--server", host + ":" + port, "--count", String.valueOf(size), "--mode", mode,
                    "--prefix", chunkPrefix, "--interval", Durations.format(policy.interval()),
                    "--timeout", Durations.format(policy.timeout()));
            children.add(peers);
            check(Processes.waitFor(Duration.ofMinutes(5), () -> said(peers, "ready") || !peers.process().isAlive()),
                    prefix + " peers never got ready");
            check(peers.process().isAlive(), prefix + " peers failed: " + tail(peers));
            started += size;
            last = peers;
        }
        check(Processes.waitFor(Duration.ofMinutes(2), () -> events.count("ONLINE", prefix) >= count),
                prefix + " peers never all came online");
        return last;
    }

    static final int PER_PROCESS = 9_000;

    private static String tail(Child child) {
        try {
            String err = java.nio.file.Files.readString(child.err());
            return err.length() > 500 ? err.substring(err.length() - 500) : err;
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Silent peers at once, beside live ones on the same server. */
    private Result silentPeers() throws Exception {
        if (live > 0) {
            peers("live", "live-", live);
        }
        peers("silent", "silent-", silent);
        step.accept("waiting for " + silent + " silent peers to be declared offline");
        check(Processes.waitFor(policy.timeout().plusMinutes(2), () -> events.count("OFFLINE", "silent-") >= silent),
                "not every silent peer was declared offline");
        List<Long> excess = new ArrayList<>();
        List<Long> detection = new ArrayList<>();
        for (JsonNode e : offline("silent-")) {
            detection.add(e.get("silentMs").asLong());
            excess.add(e.get("silentMs").asLong() - policy.timeout().toMillis());
        }
        return new Result("silent peers", detector(), silent, longs(detection), longs(excess),
                events.count("OFFLINE", "live-"), live, "");
    }

    /** A client process stopped with SIGSTOP: its sockets stay open, its heartbeats stop. */
    private Result frozenProcess() throws Exception {
        int frozen = 100;
        int alive = Math.min(live, 1000);
        peers("live", "live-", alive);
        Child victim = peers("live", "frozen-", frozen);
        long stoppedAt = System.currentTimeMillis();
        victim.signal("STOP");
        step.accept("waiting for " + frozen + " frozen peers to be declared offline");
        check(Processes.waitFor(policy.timeout().plusSeconds(60), () -> events.count("OFFLINE", "frozen-") >= frozen),
                "not every frozen peer was declared offline");
        return faultResult("frozen process (SIGSTOP)", "frozen-", frozen, stoppedAt, events.count("OFFLINE", "live-"),
                alive);
    }

    /**
     * A silently cut link: peers in a network namespace of our own, reached over a veth pair, whose every
     * packet is then dropped (no FIN, no RST) by an nftables rule inside the namespace.
     */
    private Result cutLink() throws Exception {
        try (CutLink link = CutLink.create()) {
            startServer(CutLink.HOST_ADDRESS);
            int alive = Math.min(live, 1000);
            peers(List.of(), CutLink.HOST_ADDRESS, "live", "live-", alive);
            peers(link.inside(), CutLink.HOST_ADDRESS, "live", "cut-", 100);
            long cutAt = System.currentTimeMillis();
            link.cut();
            step.accept("waiting for 100 peers behind the cut link to be declared offline");
            check(Processes.waitFor(policy.timeout().plusSeconds(60), () -> events.count("OFFLINE", "cut-") >= 100),
                    "not every peer behind the cut link was declared offline");
            Result result = faultResult("cut link (nftables drop)", "cut-", 100, cutAt,
                    events.count("OFFLINE", "live-"), alive);
            for (Child child : children) {
                child.signal("CONT");
                child.stop();
            }
            children.clear();
            return result;
        }
    }

    /** Healthy peers whose heartbeat gaps vary by ±50 %, watched for ten intervals. */
    private Result jitter() throws Exception {
        int peers = Math.min(live, 1000);
        peers("jitter", "jitter-", peers);
        step.accept("watching " + peers + " jittery peers for 10 intervals");
        Processes.waitFor(policy.interval().multipliedBy(10), () -> false);
        return new Result("jitter ±50 %", detector(), 0, null, null, events.count("OFFLINE", "jitter-"), peers,
                "watched for 10 intervals");
    }

    /**
     * The server process stopped for 2 s (SIGSTOP), then resumed; watched for two timeouts after. The stop
     * comes a timeout and an interval after the peers connected, so liveness timers are spread out and some
     * fall due inside the stop.
     */
    private Result serverPause() throws Exception {
        int alive = Math.min(live, 1000);
        peers("live", "live-", alive);
        step.accept("letting the peers' timers spread for a timeout and an interval");
        Processes.waitFor(policy.timeout().plus(policy.interval()), () -> false);
        step.accept("server stopped (SIGSTOP) for 2 s");
        server.signal("STOP");
        Processes.waitFor(Duration.ofSeconds(2), () -> false);
        server.signal("CONT");
        step.accept("watching for two timeouts after the pause");
        Processes.waitFor(policy.timeout().multipliedBy(2), () -> false);
        return new Result("server paused 2 s", detector(), 0, null, null, events.count("OFFLINE", "live-"), alive,
                "stall logged: " + said(server, "ms late"));
    }

    /** Heartbeating peers while 20 others stream 64 KiB DATA frames flat out, for ten intervals. */
    private Result loadedServer() throws Exception {
        int alive = Math.min(live, 1000);
        peers("live", "live-", alive);
        peers("flood", "flood-", 20);
        step.accept("watching " + alive + " peers beside 20 flooding ones for 10 intervals");
        Processes.waitFor(policy.interval().multipliedBy(10), () -> false);
        return new Result("loaded server", detector(), 0, null, null,
                events.count("OFFLINE", "live-") + events.count("OFFLINE", "flood-"), alive + 20,
                "20 peers streaming 64 KiB frames");
    }

    /**
     * The result of a fault injected at {@code faultAt} (epoch ms) into the peers named {@code prefix}: each
     * one's detection runs from the fault to its OFFLINE event.
     */
    private Result faultResult(String scenario, String prefix, int count, long faultAt, long falseOffline, int alive) {
        List<JsonNode> gone = offline(prefix);
        long[] detection = gone.stream().mapToLong(e -> e.get("at").asLong() - faultAt).toArray();
        long[] excess = gone.stream().mapToLong(e -> e.get("silentMs").asLong() - policy.timeout().toMillis()).toArray();
        return new Result(scenario, detector(), count, detection, excess, falseOffline, alive, "");
    }

    private List<JsonNode> offline(String prefix) {
        return events.events().stream().filter(e -> e.get("event").asText().equals("OFFLINE")
                && e.get("clientId").asText().startsWith(prefix)).toList();
    }

    private static boolean said(Child child, String text) {
        try {
            return child.said(text);
        } catch (IOException e) {
            return false;
        }
    }

    private static long[] longs(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what);
        }
    }
}
