package io.tether.bench.lab;

import com.fasterxml.jackson.databind.JsonNode;
import io.tether.bench.lab.Attacks.Kind;
import io.tether.bench.lab.Attacks.Lane;
import io.tether.bench.lab.Processes.Child;
import io.tether.bench.lab.Processes.EventTail;
import io.tether.util.LogSafe;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * One run of {@code tether bench hostile}: a server process, healthy clients that ping, a quiet window, a
 * window of attacks, then the checks. Collects the figures in print order and every broken invariant.
 */
final class HostileRun {
    static final String HEALTHY = "healthy-";
    private static final long SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final HostileBench options;
    private final Map<String, Object> figures = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();
    private final PresenceAudit audit = new PresenceAudit(HEALTHY);
    private EventTail events;
    private int fed;

    HostileRun(HostileBench options) {
        this.options = options;
    }

    Map<String, Object> figures() {
        return figures;
    }

    List<String> failures() {
        return failures;
    }

    void run() throws Exception {
        Path dir = Files.createTempDirectory("tether-hostile");
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = probe.getLocalPort();
        }
        Path eventsFile = dir.resolve("events.jsonl");
        Files.createFile(eventsFile);
        Child server = Processes.bench(dir, "server-hostile", List.of(), "hostile-server",
                "--port", Integer.toString(port), "--events-file", eventsFile.toString(), "--heartbeat-interval", options.policy.interval().toMillis() + "ms",
                "--heartbeat-timeout", options.policy.timeout().toMillis() + "ms");
        try {
            if (!Processes.waitFor(Duration.ofSeconds(30), () -> said(server, "listening"))) {
                failures.add("the server did not start: " + tail(server.err()));
                return;
            }
            events = new EventTail(eventsFile);
            InetSocketAddress target = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port);
            try (LoadDriver healthy = new LoadDriver(Wire.TETHER, target, options.interval, 1, HEALTHY)) {
                attack(server, target, healthy);
            }
        } finally {
            server.stop();
        }
        // Its log: stderr as ./tether runs it, stdout under the tests' logging configuration.
        figures.put("server.log.lines", Files.readAllLines(server.err(), StandardCharsets.UTF_8).size()
                + Files.readAllLines(server.out(), StandardCharsets.UTF_8).size());
    }

    private void attack(Child server, InetSocketAddress target, LoadDriver healthy) throws Exception {
        ProcessMeter meter = new ProcessMeter(server.pid());
        ProcessMeter bench = new ProcessMeter(ProcessHandle.current().pid());
        healthy.open(options.healthy, 200, Duration.ofSeconds(30));
        figures.put("healthy.clients", healthy.ready());
        if (healthy.ready() < options.healthy
                || !Processes.waitFor(Duration.ofSeconds(30), () -> feed().online() >= options.healthy)) {
            failures.add("only " + healthy.ready() + " of " + options.healthy + " healthy clients came online");
            return;
        }
        long rssBefore = LoadBench.settledRss(meter);

        System.err.printf(Locale.ROOT, "hostile: %d healthy clients online; quiet for %s%n", options.healthy,
                io.tether.util.Durations.format(options.quiet));
        healthy.startWindow();
        TimeUnit.NANOSECONDS.sleep(options.quiet.toNanos()); // the quiet window is a span of time, not a condition
        LoadDriver.Window quiet = healthy.endWindow();

        System.err.printf(Locale.ROOT, "hostile: attacking for %s%n", io.tether.util.Durations.format(options.duration));
        Attacks attacks = new Attacks(target, options.replyWait, options.dribbleStep, options.dribbleFor);
        List<RequestFlood> floods = new ArrayList<>();
        double serverCpu = meter.cpuSeconds();
        double benchCpu = bench.cpuSeconds();
        long start = System.nanoTime();
        healthy.startWindow();
        List<Thread> threads = startLanes(attacks, target, floods);
        long rssPeak = rssBefore;
        long end = start + options.duration.toNanos();
        for (long now = start; now < end && server.process().isAlive(); now = System.nanoTime()) {
            rssPeak = Math.max(rssPeak, meter.rssKib());
            feed();
            LockSupport.parkNanos(Math.min(SAMPLE_NANOS, end - now)); // sampling a figure, not waiting for an event
        }
        attacks.stop();
        floods.forEach(RequestFlood::stop);
        LoadDriver.Window hostile = healthy.endWindow();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!server.process().isAlive()) {
            failures.add("the server process exited during the attacks (exit code " + server.process().exitValue()
                    + "): " + tail(server.err()));
            return;
        }
        serverCpu = meter.cpuSeconds() - serverCpu;
        benchCpu = bench.cpuSeconds() - benchCpu;
        long joinMillis = options.dribbleStep.plus(options.replyWait).plusSeconds(15).toMillis();
        for (Thread thread : threads) {
            thread.join(joinMillis);
            if (thread.isAlive()) {
                failures.add("attacker thread " + thread.getName() + " did not stop within " + joinMillis + " ms");
            }
        }
        for (RequestFlood flood : floods) {
            if (!flood.join(Duration.ofMillis(joinMillis))) {
                failures.add("a request flood did not stop within " + joinMillis + " ms");
            }
        }

        // Every attacker's connection is closed now; each of their sessions must end without waiting for a timeout.
        Duration settle = options.policy.timeout().plusSeconds(5);
        Processes.waitFor(settle, () -> feed().strangersOnline() == 0);
        long rssAfter = meter.rssKib();
        long ghosts = audit.strangersOnline();
        if (ghosts > 0) {
            failures.add(ghosts + " attacker sessions still online " + settle.toSeconds()
                    + " s after every attacker's connection was closed, e.g. " + audit.someStrangers());
        }
        long healthyOffline = audit.watchedOffline();

        System.err.println("hostile: stopping the server gracefully (SIGTERM)");
        server.process().destroy();
        if (!server.process().waitFor(30, TimeUnit.SECONDS)) {
            failures.add("the server did not stop within 30 s of SIGTERM");
        }
        feed();
        int leftOnline = audit.online();
        if (leftOnline > 0) {
            failures.add(leftOnline + " sessions never got their OFFLINE, even after a graceful shutdown");
        }

        putAttacks(attacks, floods);
        putWindow("healthy.quiet.", quiet);
        putWindow("healthy.", hostile);
        figures.put("healthy.offline", healthyOffline);
        figures.put("healthy.dropped", hostile.dropped());
        if (healthyOffline > 0 || hostile.dropped() > 0) {
            failures.add(healthyOffline + " healthy clients were declared offline and " + hostile.dropped()
                    + " healthy connections were closed by the server during the attacks");
        }
        figures.put("attack.seconds", round(seconds, 1));
        figures.put("server.cpu.percent", round(serverCpu / seconds * 100, 1));
        figures.put("bench.cpu.percent", round(benchCpu / seconds * 100, 1));
        figures.put("server.rss.before.mib", round(rssBefore / 1024.0, 1));
        figures.put("server.rss.peak.mib", round(rssPeak / 1024.0, 1));
        figures.put("server.rss.after.mib", round(rssAfter / 1024.0, 1));
        figures.put("sessions", audit.sessions());
        audit.offlineByReason().forEach((reason, count) -> figures.put("offline." + reason, count));
        figures.put("ghosts", ghosts);
        figures.put("left-online", leftOnline);
        figures.put("violations", audit.violations());
        if (audit.violations() > 0) {
            failures.add(audit.violations() + " presence-order violations, first: " + audit.firstViolations());
        }
    }

    /** Fast attackers paced by the attack rate, slow ones back to back, and the floods; all daemon threads. */
    private List<Thread> startLanes(Attacks attacks, InetSocketAddress target, List<RequestFlood> floods) {
        List<Kind> fast = options.attacks.stream().filter(k -> k.lane == Lane.FAST).distinct().toList();
        List<Kind> slow = options.attacks.stream().filter(k -> k.lane == Lane.SLOW).distinct().toList();
        AtomicLong started = new AtomicLong();
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; !fast.isEmpty() && i < options.attackers; i++) {
            Random random = new Random(options.seed * 31 + i);
            threads.add(lane("attacker-" + i, () -> {
                for (long n; !attacks.stopping() && (n = started.getAndIncrement()) < options.maxAttacks; ) {
                    long due = start + n * 1_000_000_000L / options.attackRate;
                    for (long wait; (wait = due - System.nanoTime()) > 0 && !attacks.stopping(); ) {
                        LockSupport.parkNanos(Math.min(wait, SAMPLE_NANOS)); // pacing the attack rate
                    }
                    if (!attacks.stopping()) {
                        attacks.run(fast.get(random.nextInt(fast.size())), random);
                    }
                }
            }));
        }
        for (int i = 0; !slow.isEmpty() && i < options.dribblers; i++) {
            Random random = new Random(options.seed * 37 + i);
            int first = i;
            // Each dribbler takes the slow kinds in turn, starting at its own: every kind is dribbling from the start.
            threads.add(lane("dribbler-" + i, () -> {
                for (int k = first; !attacks.stopping() && started.getAndIncrement() < options.maxAttacks; k++) {
                    attacks.run(slow.get(k % slow.size()), random);
                }
            }));
        }
        if (options.attacks.contains(Kind.REQUEST_FLOOD)) {
            for (int i = 0; i < options.flooders; i++) {
                RequestFlood flood = new RequestFlood(target, "flood-" + i, options.floodRate);
                floods.add(flood);
                flood.start();
            }
        }
        return threads;
    }

    private static Thread lane(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private void putAttacks(Attacks attacks, List<RequestFlood> floods) {
        long total = 0;
        for (Kind kind : Kind.values()) {
            if (kind.lane != Lane.FLOOD && options.attacks.contains(kind)) {
                figures.put("attacks." + kind.label, attacks.done(kind));
                total += attacks.done(kind);
            }
        }
        figures.put("attacks.total", total);
        attacks.answers().forEach((answer, count) -> figures.put("answers." + answer, count));
        Histogram cut = attacks.helloCutMillis();
        if (cut.getTotalCount() > 0) {
            figures.put("dribble-hello.cut.min.ms", cut.getMinValue());
            figures.put("dribble-hello.cut.max.ms", cut.getMaxValue());
            figures.put("handshake-deadline.ms", Math.min(10_000, options.policy.timeout().toMillis()));
        }
        if (!floods.isEmpty()) {
            figures.put("flood.connections", floods.size());
            figures.put("flood.sessions", floods.stream().mapToLong(f -> f.sessions.sum()).sum());
            figures.put("flood.requests", floods.stream().mapToLong(f -> f.requests.sum()).sum());
            figures.put("flood.responses", floods.stream().mapToLong(f -> f.responses.sum()).sum());
            figures.put("flood.rate-limited", floods.stream().mapToLong(f -> f.rateLimited.sum()).sum());
            Map<String, Long> other = new java.util.TreeMap<>();
            floods.forEach(f -> f.otherAnswers.forEach((answer, count) -> other.merge(answer, count.sum(), Long::sum)));
            other.forEach((answer, count) -> figures.put("flood." + answer, count));
        }
    }

    private void putWindow(String prefix, LoadDriver.Window window) {
        Histogram rtt = window.rtt();
        figures.put(prefix + "pings", window.pings());
        figures.put(prefix + "pongs", window.pongs());
        figures.put(prefix + "missing", window.missing());
        figures.put(prefix + "rtt.mean.ms", ms(Math.round(rtt.getMean())));
        figures.put(prefix + "rtt.p50.ms", ms(rtt.getValueAtPercentile(50)));
        figures.put(prefix + "rtt.p99.ms", ms(rtt.getValueAtPercentile(99)));
        figures.put(prefix + "rtt.p999.ms", ms(rtt.getValueAtPercentile(99.9)));
        figures.put(prefix + "rtt.max.ms", ms(rtt.getMaxValue()));
    }

    /** Brings the audit up to date with the server's events file. */
    private PresenceAudit feed() {
        List<JsonNode> all = events.events();
        for (; fed < all.size(); fed++) {
            audit.accept(all.get(fed));
        }
        return audit;
    }

    private static boolean said(Child child, String text) {
        try {
            return child.said(text);
        } catch (IOException e) {
            return false;
        }
    }

    private static String tail(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return LogSafe.text(text.substring(Math.max(0, text.length() - 400)), 400);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static double ms(long nanos) {
        return round(nanos / 1e6, 3);
    }

    private static double round(double value, int places) {
        double scale = Math.pow(10, places);
        return Math.round(value * scale) / scale;
    }
}
