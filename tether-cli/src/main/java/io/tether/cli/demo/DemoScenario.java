package io.tether.cli.demo;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.tether.client.TetherClient;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.protocol.CloseReason;
import io.tether.server.PresenceEvent;
import io.tether.server.SessionInfo;
import io.tether.server.TetherServer;
import io.tether.util.Durations;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * An in-process server with a handful of simulated clients that fail in the ways real ones do. The
 * timeline is counted in heartbeat intervals, so the story is the same at any speed.
 *
 * <pre>
 * interval  5  dave hangs: his event loop stops, his socket stays open
 *           9  erin closes her connection           12  erin comes back
 *          11  dave wakes up and reconnects by himself
 *          15  frank's process crashes (TCP reset)
 *          18  sensor-7, a classic 8-byte client, goes quiet
 *          23  the operator kicks bob; bob reconnects by himself
 * </pre>
 *
 * <p>The intervals are the earliest each step happens. Every step also waits for what the one before it
 * must have caused (everyone ONLINE before the first failure, each failure's OFFLINE, each return's ONLINE),
 * so a slow machine stretches the story instead of changing it: a client that is not online yet cannot hang,
 * leave or be kicked. A step whose outcome does not come within {@link #stepBound} is a problem, and ends it.
 */
final class DemoScenario {
    /** A failure the demo caused, and what the server must conclude from it. */
    private record Incident(String clientId, String what, CloseReason expected, long atNanos) {
    }

    private final HeartbeatPolicy policy;
    private final Duration duration;
    private final PrintStream out;
    private final long startNanos = System.nanoTime();
    private final ScheduledExecutorService timeline = Executors.newScheduledThreadPool(2, r -> {
        Thread thread = new Thread(r, "demo-timeline");
        thread.setDaemon(true);
        return thread;
    });
    private final EventLoopGroup clientLoops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoopGroup davesLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final CountDownLatch daveWakes = new CountDownLatch(1);
    private final Map<String, Incident> incidents = new ConcurrentHashMap<>();
    private final List<String> verdicts = new CopyOnWriteArrayList<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final List<PresenceEvent> events = new CopyOnWriteArrayList<>();
    private final Map<String, TetherClient> clients = new ConcurrentHashMap<>();
    /** ONLINE events seen per client id; guarded by {@code this}, which is notified on every event. */
    private final Map<String, Integer> onlineEvents = new ConcurrentHashMap<>();
    private final Duration stepBound;
    private TetherServer server;
    private RawDemoPeers.CrashingPeer frank;
    private RawDemoPeers.ClassicSensor sensor;

    DemoScenario(HeartbeatPolicy policy, Duration duration, PrintStream out) {
        this.policy = policy;
        this.duration = duration;
        this.out = out;
        this.stepBound = policy.interval().multipliedBy(20).compareTo(Duration.ofSeconds(10)) > 0
                ? policy.interval().multipliedBy(20) : Duration.ofSeconds(10);
    }

    /** Runs until the duration is over or {@code interrupted} opens; returns the exit code. */
    int run(CountDownLatch interrupted) throws Exception {
        server = TetherServer.builder().host("127.0.0.1").port(0).legacyPort(0).heartbeat(policy)
                .allowedIntervals(policy.interval(), policy.interval())
                .listener(this::onPresence)
                .messageHandler((session, payload) -> say(shortId(session.clientId()) + " says: " + new String(payload,
                        java.nio.charset.StandardCharsets.UTF_8)))
                .build().start();
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.address().getPort());
        InetSocketAddress classic = new InetSocketAddress("127.0.0.1", server.legacyAddress().orElseThrow().getPort());
        out.printf(Locale.ROOT, "Tether demo: server on 127.0.0.1:%d (%s), classic clients on port %d%n", address.getPort(),
                server.transport(), classic.getPort());
        out.printf(Locale.ROOT, "Heartbeat every %s, a client silent for %s is declared offline. Runs %s; Ctrl-C ends it early.%n",
                Durations.format(policy.interval()), Durations.format(policy.timeout()), Durations.format(duration));
        out.println("Clients: alice, bob, carol (healthy), dave (will hang), erin (will leave and come back),");
        out.println("         frank (will crash), sensor-7 (classic 8-byte client, will go quiet)");
        out.println();

        for (String id : List.of("alice", "bob", "carol", "erin")) {
            startClient(id, address, clientLoops);
        }
        startClient("dave", address, davesLoop);
        frank = new RawDemoPeers.CrashingPeer(address, "frank", policy.interval(), timeline);
        sensor = new RawDemoPeers.ClassicSensor(classic, policy.interval(), timeline);

        timeline.scheduleAtFixedRate(this::heartbeatLine, policy.interval().toMillis(), policy.interval().toMillis(),
                TimeUnit.MILLISECONDS);
        String sensorId = "127.0.0.1:" + sensor.socket.getLocalPort();
        try {
            tell(address, sensorId, interrupted);
            paceTo(duration.toMillis() / policy.interval().toMillis(), interrupted);
        } catch (StoryStopped stopped) {
            // Ctrl-C, or a step's outcome never came (already a problem): the summary says what happened
        } catch (IOException | RuntimeException e) {
            problems.add("the story failed: " + e);
        }
        return finish();
    }

    private void startClient(String id, InetSocketAddress address, EventLoopGroup loop) {
        TetherClient client = TetherClient.builder().server(address).clientId(id).heartbeat(policy)
                .eventLoopGroup(loop).build().start();
        clients.put(id, client);
    }

    private void hangUntilWoken() {
        say("dave hangs: his process stops, his socket stays open");
        try {
            daveWakes.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The story, step by step; each waits for its earliest interval and for the outcome of the one before. */
    private void tell(InetSocketAddress address, String sensorId, CountDownLatch interrupted)
            throws IOException, InterruptedException {
        List<String> everyone = List.of("alice", "bob", "carol", "dave", "erin", "frank", sensorId);
        awaitOutcome("everyone online", interrupted, () -> everyone.stream().allMatch(id -> onlineEvents(id) > 0)
                && server.sessions().size() == everyone.size());
        heartbeatLine(); // with all seven, whatever the clock says

        paceTo(5, interrupted);
        incident("dave", "process hung (socket open)", CloseReason.TIMEOUT);
        int daveOnline = onlineEvents("dave");
        davesLoop.execute(this::hangUntilWoken);
        awaitOffline("dave", interrupted);

        paceTo(9, interrupted);
        incident("erin", "closed its connection", CloseReason.CLIENT_CLOSED);
        int erinOnline = onlineEvents("erin");
        clients.remove("erin").close();
        awaitOffline("erin", interrupted);

        paceTo(11, interrupted);
        say("dave wakes up");
        daveWakes.countDown();
        awaitOutcome("dave back online", interrupted, () -> onlineEvents("dave") > daveOnline);

        paceTo(12, interrupted);
        say("erin comes back");
        startClient("erin", address, clientLoops);
        awaitOutcome("erin back online", interrupted, () -> onlineEvents("erin") > erinOnline);

        paceTo(15, interrupted);
        incident("frank", "process crashed (TCP reset)", CloseReason.CONNECTION_RESET);
        frank.crash();
        awaitOffline("frank", interrupted);

        paceTo(18, interrupted);
        incident(sensorId, "classic client went quiet", CloseReason.TIMEOUT);
        sensor.stopBeating();
        awaitOffline(sensorId, interrupted);

        paceTo(23, interrupted);
        incident("bob", "kicked by the operator", CloseReason.KICKED);
        int bobOnline = onlineEvents("bob");
        server.kick("bob", "kicked by the operator (demo)");
        awaitOffline("bob", interrupted);
        awaitOutcome("bob back online", interrupted, () -> onlineEvents("bob") > bobOnline);
    }

    /** Waits until {@code intervals} heartbeat intervals have passed since the start: the story's pace. */
    private void paceTo(long intervals, CountDownLatch interrupted) throws InterruptedException {
        long left = startNanos + policy.interval().toNanos() * intervals - System.nanoTime();
        if (left > 0 && interrupted.await(left, TimeUnit.NANOSECONDS)) {
            throw new StoryStopped();
        }
    }

    private void awaitOffline(String clientId, CountDownLatch interrupted) throws InterruptedException {
        awaitOutcome(shortId(clientId) + " declared offline", interrupted, () -> !incidents.containsKey(clientId));
    }

    /**
     * Waits for {@code outcome}, re-checked on every presence event and every 20 ms (the server's session map
     * is updated a moment after its event is queued), for at most {@link #stepBound}.
     */
    private synchronized void awaitOutcome(String what, CountDownLatch interrupted, BooleanSupplier outcome)
            throws InterruptedException {
        long deadline = System.nanoTime() + stepBound.toNanos();
        while (!outcome.getAsBoolean()) {
            if (interrupted.getCount() == 0) {
                throw new StoryStopped();
            }
            if (System.nanoTime() - deadline >= 0) {
                problems.add("no " + what + " within " + Durations.format(stepBound) + "; the story stopped there");
                throw new StoryStopped();
            }
            wait(20);
        }
    }

    private int onlineEvents(String clientId) {
        return onlineEvents.getOrDefault(clientId, 0);
    }

    /** Ends the story early; what it had shown so far still gets its summary. */
    private static final class StoryStopped extends RuntimeException {
        StoryStopped() {
            super(null, null, false, false);
        }
    }

    private void incident(String clientId, String what, CloseReason expected) {
        incidents.put(clientId, new Incident(clientId, what, expected, System.nanoTime()));
        if (!what.startsWith("process hung")) {
            say(shortId(clientId) + ": " + what);
        }
    }

    private void onPresence(PresenceEvent event) {
        try {
            describe(event);
        } finally {
            if (event.type() == PresenceEvent.Type.ONLINE) {
                onlineEvents.merge(event.clientId(), 1, Integer::sum);
            }
            synchronized (this) {
                notifyAll(); // a step of the story may be waiting for this event
            }
        }
    }

    private void describe(PresenceEvent event) {
        long now = System.nanoTime();
        events.add(event);
        if (event.type() == PresenceEvent.Type.ONLINE) {
            say("ONLINE   " + shortId(event.clientId()) + (event.legacy() ? " (classic)" : "") + " from " + event.remote());
            return;
        }
        Incident incident = incidents.remove(event.clientId());
        if (incident == null) {
            if (event.reason() != CloseReason.SERVER_SHUTDOWN) {
                problems.add("unexpected OFFLINE for " + event.clientId() + ": " + event.reason() + " - " + event.detail());
            }
            say("OFFLINE  " + shortId(event.clientId()) + " " + event.reason());
            return;
        }
        double afterFailure = (now - incident.atNanos()) / 1e9;
        String verdict = String.format(Locale.ROOT, "%-10s %-28s %-17s %9s", shortId(event.clientId()), incident.what(),
                event.reason(), seconds(afterFailure));
        if (event.reason() == CloseReason.TIMEOUT) {
            long over = event.silentMillis() - policy.timeout().toMillis();
            verdict += String.format(Locale.ROOT, "   silent %s, %+d ms over the timeout",
                    seconds(event.silentMillis() / 1000.0), over);
        }
        verdicts.add(verdict);
        say(String.format(Locale.ROOT, "OFFLINE  %s %s, %s after the failure%s", shortId(event.clientId()), event.reason(),
                seconds(afterFailure), event.reason() == CloseReason.TIMEOUT
                        ? " (silent " + event.silentMillis() + " ms, timeout " + policy.timeout().toMillis() + " ms)" : ""));
        if (event.reason() != incident.expected()) {
            problems.add(event.clientId() + " went offline as " + event.reason() + ", expected " + incident.expected());
        }
    }

    private void heartbeatLine() {
        List<SessionInfo> sessions = new ArrayList<>(server.sessions());
        sessions.sort(Comparator.comparing(SessionInfo::clientId));
        StringBuilder line = new StringBuilder("heartbeats: online ").append(sessions.size()).append(" |");
        for (SessionInfo s : sessions) {
            line.append(' ').append(shortId(s.clientId()));
            if (s.legacy()) {
                line.append(" (classic)");
            } else if (s.lastRtt() != null) {
                line.append(String.format(Locale.ROOT, " %.2fms", s.lastRtt().toNanos() / 1e6));
            }
        }
        say(line.toString());
    }

    private int finish() {
        timeline.shutdownNow();
        daveWakes.countDown();
        for (String id : List.of("alice", "bob", "carol", "dave", "erin")) {
            if (!server.isOnline(id)) {
                problems.add(id + " is not online at the end; it should have come back by itself");
            }
        }
        server.close();
        clients.values().forEach(TetherClient::close);
        clientLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        davesLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        closeQuietly(frank);
        closeQuietly(sensor);
        for (Incident missed : incidents.values()) {
            problems.add(missed.clientId() + " (" + missed.what() + ") was never declared offline");
        }
        long online = events.stream().filter(e -> e.type() == PresenceEvent.Type.ONLINE).count();
        long offline = events.size() - online;
        if (online != offline) {
            problems.add(online + " ONLINE events but " + offline + " OFFLINE");
        }

        out.println();
        out.println("Failures and how the server saw them:");
        out.printf(Locale.ROOT, "  %-10s %-28s %-17s %9s%n", "client", "what happened", "server verdict", "detected");
        verdicts.forEach(v -> out.println("  " + v));
        out.printf(Locale.ROOT, "Events: %d ONLINE, %d OFFLINE, one OFFLINE for every ONLINE: %s%n", online, offline,
                online == offline ? "yes" : "NO");
        problems.forEach(p -> out.println("PROBLEM: " + p));
        out.flush();
        return problems.isEmpty() ? 0 : 1;
    }

    private void say(String text) {
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        synchronized (out) {
            out.printf(Locale.ROOT, "[%6.1fs] %s%n", elapsed, text);
            out.flush();
        }
    }

    private static String shortId(String clientId) {
        return clientId.startsWith("127.0.0.1:") ? "sensor-7" : clientId;
    }

    private static String seconds(double seconds) {
        return seconds < 1 ? String.format(Locale.ROOT, "%.1f ms", seconds * 1000)
                : String.format(Locale.ROOT, "%.3f s", seconds);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            if (closeable != null) {
                closeable.close();
            }
        } catch (Exception ignored) {
            // the demo is over
        }
    }
}
