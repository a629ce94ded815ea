package io.tether.bench.lab;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.tether.bench.lab.Processes.Child;
import io.tether.cli.CliTypes;
import io.tether.cli.Within;
import io.tether.cluster.internal.Keys;
import io.tether.cluster.internal.Owners;
import io.tether.cluster.internal.RedisLink;
import io.tether.util.Durations;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tether bench cluster}: nodes of one cluster sharing a port (SO_REUSEPORT) over a real redis-server,
 * a crowd of reconnecting clients from several processes and source addresses, and a node lost twice: first
 * hung (SIGSTOP, so its clients keep their connections and only the lease can tell), then killed. Prints what
 * Redis paid per connect, how fast a node's presence query is, when the hung node's sessions were declared
 * NODE_LOST against the bound, how long until every client was back on a survivor, and whether the stream
 * holds exactly one OFFLINE per ONLINE. docs/CLUSTER.md, Scale run.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Cluster presence at scale: nodes sharing a port over one Redis, a node hung then killed.")
final class ClusterBench implements Callable<Integer> {
    @Option(names = "--nodes", paramLabel = "N", description = "Tether nodes (processes) sharing one port. Default: ${DEFAULT-VALUE}.")
    @Within(min = "2", max = "32")
    int nodes = 7;

    @Option(names = "--clients", paramLabel = "N", description = "Clients. Default: ${DEFAULT-VALUE}.")
    @Within(min = "1", max = "1000000")
    int clients = 100_000;

    @Option(names = "--per-process", paramLabel = "N", description = "Most clients one load process holds. Default: ${DEFAULT-VALUE}.")
    @Within(min = "1", max = "19000")
    int perProcess = 17_000;

    @Option(names = "--connect-rate", paramLabel = "N", description = "First connects a second, all processes. Default: ${DEFAULT-VALUE}.")
    @Within(min = "1", max = "1000000")
    int connectRate = 4_000;

    @Option(names = "--heartbeat-interval", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
            description = "Clients' heartbeat interval. Default: 10s.")
    Duration interval = Duration.ofSeconds(10);

    @Option(names = "--heartbeat-timeout", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
            description = "Clients' heartbeat timeout. Default: 30s.")
    Duration timeout = Duration.ofSeconds(30);

    @Option(names = "--queries", paramLabel = "N", description = "Presence queries timed from a node. Default: ${DEFAULT-VALUE}.")
    @Within(min = "1", max = "10000000")
    int queries = 20_000;

    @Option(names = "--limit", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
            description = "Give up waiting for a phase after this long. Default: 180s.")
    Duration limit = Duration.ofSeconds(180);

    /** The nodes' lease: the CLI's default, renewed every second, lapsed after five. */
    private static final long LEASE_INTERVAL_MS = 1_000;
    private static final long LEASE_TIMEOUT_MS = 5_000;

    private final List<Child> children = new ArrayList<>();
    private Process redisServer;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("tether-cluster-bench");
        int redisPort = freePort();
        int port = freePort();
        redisServer = new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--maxclients", "10000")
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        String uri = "redis://127.0.0.1:" + redisPort;
        RedisClient client = RedisClient.create(uri);
        try {
            check(Processes.waitFor(Duration.ofSeconds(20), () -> Files.exists(dir.resolve("redis.log")) && said(dir.resolve("redis.log"),
                    "Ready to accept connections")), "redis-server did not start (is it installed? ./test installs it)");
            StatefulRedisConnection<String, String> connection = client.connect();
            RedisCommands<String, String> redis = connection.sync();
            Keys keys = new Keys("tether");

            List<Child> servers = new ArrayList<>();
            for (int n = 1; n <= nodes; n++) {
                Child server = Processes.tether(dir, "server-n" + n, List.of(), "server", "--host", "127.0.0.1",
                        "--port", Integer.toString(port), "--reuse-port", "--cluster", uri, "--node-id", "n" + n,
                        "--max-connections", "19000", "--heartbeat-interval", Durations.format(interval),
                        "--heartbeat-timeout", Durations.format(timeout), "--events", "jsonl", "--summary-every", "0ms");
                children.add(server);
                servers.add(server);
            }
            check(Processes.waitFor(Duration.ofSeconds(60), () -> redis.zcard(keys.nodes()) == nodes),
                    "not every node joined the cluster");
            System.out.printf(Locale.ROOT, "cluster: %d nodes on 127.0.0.1:%d (SO_REUSEPORT) over redis-server %s"
                    + " (persistence off); lease renewed every %d ms, lapsed after %d ms%n", nodes, port,
                    info(redis, "server", "redis_version"), LEASE_INTERVAL_MS, LEASE_TIMEOUT_MS);

            long cpuBefore = cpuMillis(redisServer.pid());
            Map<String, Long> callsBefore = commandCalls(redis);
            long memoryBefore = Long.parseLong(info(redis, "memory", "used_memory"));
            long connectStart = System.nanoTime();
            List<Child> workers = new ArrayList<>();
            int processes = (clients + perProcess - 1) / perProcess;
            for (int w = 0; w < processes; w++) {
                int count = clients / processes + (w < clients % processes ? 1 : 0);
                Child worker = Processes.bench(dir, "clients-" + w, List.of(), "storm-clients",
                        "--server", "127.0.0.1:" + port, "--count", Integer.toString(count), "--prefix", "c" + w + "-",
                        "--interval", Durations.format(interval), "--timeout", Durations.format(timeout),
                        "--connect-rate", Integer.toString(Math.max(1, connectRate / processes)),
                        "--per-address", "500", "--worker", Integer.toString(w));
                children.add(worker);
                workers.add(worker);
            }
            System.out.printf(Locale.ROOT, "%,d clients in %d load processes, 500 per loopback source address,"
                    + " heartbeat %s / %s, connecting at %,d a second%n", clients, processes, Durations.format(interval),
                    Durations.format(timeout), connectRate);
            check(Processes.waitFor(limit, () -> redis.hlen(keys.clients()) == clients && StormBench.online(workers) == clients),
                    "only " + redis.hlen(keys.clients()) + " of " + clients + " online in the cluster");
            double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
            long cpu = cpuMillis(redisServer.pid()) - cpuBefore;
            Map<String, Long> byCommand = commandCalls(redis);
            callsBefore.forEach((name, count) -> byCommand.merge(name, -count, Long::sum));
            long calls = byCommand.values().stream().mapToLong(Long::longValue).sum();
            long memory = Long.parseLong(info(redis, "memory", "used_memory")) - memoryBefore;
            System.out.printf(Locale.ROOT, "all %,d online in %.1f s, as the cluster counts them (HLEN) and as the"
                    + " clients do%n", clients, connectSeconds);
            System.out.println("tether cluster status:");
            status(redis, keys);
            long scripts = byCommand.getOrDefault("evalsha", 0L) + byCommand.getOrDefault("eval", 0L);
            System.out.printf(Locale.ROOT, "redis while they connected: %,d ms of CPU (%.1f µs a connect); %,d scripts"
                    + " called (%.2f a connect: the claim, and the nodes' lease renewals), running %,d commands in all"
                    + " (%.2f a connect); %s more memory (%,d bytes a connection)%n", cpu, cpu * 1000.0 / clients,
                    scripts, (double) scripts / clients, calls, (double) calls / clients, mib(memory), memory / clients);
            System.out.printf(Locale.ROOT, "  of which: clients hash %s, node tables %s, event stream %s (%,d events)%n",
                    mib(usage(redis, keys.clients())), mib(heldUsage(redis, keys)), mib(usage(redis, keys.events())),
                    redis.xlen(keys.events()));
            byCommand.values().removeIf(c -> c < 100);
            System.out.println("  commands by name (those inside scripts included): " + byCommand);
            System.out.println("  " + redisPhase(redis, cpuBefore));

            queryLatency(uri, keys);

            // A hung node: its clients keep their connections, so only its lease can tell.
            String hung = busiest(redis, keys);
            Child hungNode = servers.get(Integer.parseInt(hung.substring(1)) - 1);
            long held = redis.hlen(keys.held(hung, redis.hget(keys.node(hung), "epoch")));
            long lastRenewal = Long.parseLong(redis.hget(keys.node(hung), "renewed"));
            long stopAt = redisNow(redis);
            long phaseCpu = cpuMillis(redisServer.pid());
            hungNode.signal("STOP");
            System.out.printf(Locale.ROOT, "SIGSTOP node %s (holding %,d sessions) %,d ms after its last renewal%n",
                    hung, held, stopAt - lastRenewal);
            check(Processes.waitFor(limit, () -> redis.zscore(keys.nodes(), hung) == null), "node " + hung
                    + " was not declared dead");
            long expiredAt = redisNow(redis);
            check(Processes.waitFor(limit, () -> redis.zcard(keys.dead()) == 0), "node " + hung + " was not reaped");
            List<Map<String, String>> stream = stream(redis, keys);
            List<Long> lost = new ArrayList<>();
            for (Map<String, String> e : stream) {
                if ("NODE_LOST".equals(e.get("reason")) && hung.equals(e.get("node"))) {
                    lost.add(Long.parseLong(e.get("at")));
                    expiredAt = Math.min(expiredAt, declaredAt(e, expiredAt));
                }
            }
            lost.sort(null);
            check(!lost.isEmpty(), "no NODE_LOST events for " + hung);
            System.out.printf(Locale.ROOT, "  declared dead (its sessions offline to every query) %,d ms after its last"
                    + " renewal (bound: lease %,d ms + one renewal %,d ms = %,d ms); %,d NODE_LOST events in the stream,"
                    + " from %,d ms to %,d ms after its last renewal%n", expiredAt - lastRenewal, LEASE_TIMEOUT_MS,
                    LEASE_INTERVAL_MS, LEASE_TIMEOUT_MS + LEASE_INTERVAL_MS, lost.size(), lost.get(0) - lastRenewal,
                    lost.get(lost.size() - 1) - lastRenewal);
            System.out.printf(Locale.ROOT, "  cluster total online now %,d; %s%n", redis.hlen(keys.clients()),
                    redisPhase(redis, phaseCpu));
            phaseCpu = cpuMillis(redisServer.pid());

            long killAt = System.currentTimeMillis();
            hungNode.process().destroyForcibly();
            check(hungNode.process().waitFor(30, TimeUnit.SECONDS), "node " + hung + " did not die");
            boolean back = Processes.waitFor(limit, () -> redis.hlen(keys.clients()) == clients
                    && StormBench.online(workers) == clients);
            long backAt = workers.stream().mapToLong(StormBench::lastStateAt).max().orElse(0);
            System.out.printf(Locale.ROOT, "SIGKILL node %s: %s %,d ms later; clients that gave up: %d%n", hung,
                    back ? "all " + String.format(Locale.ROOT, "%,d", clients) + " back online on the survivors"
                            : "only " + redis.hlen(keys.clients()) + " back", backAt - killAt,
                    workers.stream().mapToInt(StormBench::closed).sum());
            status(redis, keys);
            System.out.println("  " + redisPhase(redis, phaseCpu));

            boolean again = true;
            if (back && clients / (nodes - 2) <= 18_500) {
                again = plainKill(redis, keys, servers, workers);
            } else if (back) {
                System.out.printf(Locale.ROOT, "(no second kill: %,d clients on %d survivors would pass the open-files"
                        + " limit; run more nodes)%n", clients, nodes - 2);
            }

            stream = stream(redis, keys);
            String verdict = audit(stream, clients);
            System.out.println("stream: " + verdict);
            System.out.println("files: " + dir);
            connection.close();
            return back && again && verdict.startsWith("ok") ? 0 : 1;
        } finally {
            client.shutdown();
            for (Child child : children) {
                child.signal("CONT");
                child.stop();
            }
            redisServer.destroyForcibly();
        }
    }

    /**
     * A node killed outright: its clients see the reset at once and reconnect, mostly before its lease lapses,
     * so most of its sessions end REPLACED by their clients' new connections and the rest NODE_LOST.
     */
    private boolean plainKill(RedisCommands<String, String> redis, Keys keys, List<Child> servers, List<Child> workers)
            throws Exception {
        String victim = busiest(redis, keys);
        String epoch = redis.hget(keys.node(victim), "epoch");
        long held = redis.hlen(keys.held(victim, epoch));
        long before = redis.xlen(keys.events());
        long killAt = System.currentTimeMillis();
        long killRedisTime = redisNow(redis);
        long phaseCpu = cpuMillis(redisServer.pid());
        Child node = servers.get(Integer.parseInt(victim.substring(1)) - 1);
        node.process().destroyForcibly();
        check(node.process().waitFor(30, TimeUnit.SECONDS), "node " + victim + " did not die");
        long[] expiredAt = {0};
        boolean back = Processes.waitFor(limit, () -> {
            if (expiredAt[0] == 0 && redis.zscore(keys.nodes(), victim) == null) {
                expiredAt[0] = redisNow(redis);
            }
            return expiredAt[0] != 0 && redis.hlen(keys.clients()) == clients && StormBench.online(workers) == clients
                    && redis.zcard(keys.dead()) == 0;
        });
        long backAt = workers.stream().mapToLong(StormBench::lastStateAt).max().orElse(0);
        Map<String, Integer> reasons = new TreeMap<>();
        long lastLost = 0;
        long firstLost = Long.MAX_VALUE;
        long declared = expiredAt[0];
        List<Map<String, String>> stream = stream(redis, keys);
        for (Map<String, String> e : stream.subList((int) Math.min(before, stream.size()), stream.size())) {
            if ("OFFLINE".equals(e.get("type")) && victim.equals(e.get("node")) && epoch.equals(e.get("epoch"))) {
                reasons.merge(e.get("reason"), 1, Integer::sum);
                if ("NODE_LOST".equals(e.get("reason"))) {
                    lastLost = Math.max(lastLost, Long.parseLong(e.get("at")));
                    firstLost = Math.min(firstLost, Long.parseLong(e.get("at")));
                    declared = Math.min(declared, declaredAt(e, declared));
                }
            }
        }
        System.out.printf(Locale.ROOT, "SIGKILL node %s (holding %,d sessions), its clients reconnecting at once:"
                + " %s; %s %,d ms later; declared dead %,d ms after the kill; its sessions' OFFLINEs %s%s%n", victim,
                held, back ? "all back online on the survivors" : "NOT all back", back ? "last" : "gave up",
                backAt - killAt, declared - killRedisTime, reasons, lastLost == 0 ? "" : String.format(Locale.ROOT,
                        ", NODE_LOST from %,d ms to %,d ms after the kill", firstLost - killRedisTime,
                        lastLost - killRedisTime));
        status(redis, keys);
        System.out.println("  " + redisPhase(redis, phaseCpu));
        return back;
    }

    /**
     * When Redis declared the node of a NODE_LOST event dead: the reaper writes it into the detail ("declared
     * dead at MS"), exact where this bench's polling for it is not.
     */
    private static long declaredAt(Map<String, String> event, long otherwise) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("declared dead at (\\d+)").matcher(event.get("detail"));
        return m.find() ? Long.parseLong(m.group(1)) : otherwise;
    }

    /** Each session's events in the stream: exactly one ONLINE, then at most one OFFLINE; the open ones are the online. */
    static String audit(List<Map<String, String>> stream, int online) {
        Map<String, int[]> sessions = new HashMap<>();
        int bad = 0;
        Map<String, Integer> reasons = new TreeMap<>();
        for (Map<String, String> e : stream) {
            int[] seen = sessions.computeIfAbsent(e.get("node") + "/" + e.get("epoch") + "/" + e.get("session"),
                    k -> new int[2]);
            if ("ONLINE".equals(e.get("type"))) {
                bad += seen[0]++ > 0 || seen[1] > 0 ? 1 : 0;
            } else {
                bad += seen[0] == 0 || seen[1]++ > 0 ? 1 : 0;
                reasons.merge(e.get("reason"), 1, Integer::sum);
            }
        }
        long open = sessions.values().stream().filter(s -> s[1] == 0).count();
        return String.format(Locale.ROOT, "%s: %,d events, %,d sessions, %,d out of order or doubled, %,d still"
                + " open (online: %,d); OFFLINE by reason %s", bad == 0 && open == online ? "ok" : "WRONG",
                stream.size(), sessions.size(), bad, open, online, reasons);
    }

    private void queryLatency(String uri, Keys keys) throws Exception {
        try (RedisLink link = RedisLink.connect(uri, keys, Duration.ofSeconds(2), 1_000_000)) {
            Owners owners = new Owners(link);
            Histogram micros = new Histogram(3_600_000_000L, 3);
            int processes = (clients + perProcess - 1) / perProcess;
            for (int i = 0; i < queries; i++) {
                String id = "c" + (i % processes) + "-" + ((i / processes) % Math.max(1, clients / processes));
                long start = System.nanoTime();
                owners.find(id).get(5, TimeUnit.SECONDS);
                micros.recordValue((System.nanoTime() - start) / 1_000);
            }
            System.out.printf(Locale.ROOT, "presence query from a node (the lookup script: the owner record and its node's membership; and parsing),"
                    + " %,d one after another: p50 %d µs, p99 %d µs, max %d µs%n", queries,
                    micros.getValueAtPercentile(50), micros.getValueAtPercentile(99), micros.getMaxValue());
        }
    }

    private static void status(RedisCommands<String, String> redis, Keys keys) {
        long now = redisNow(redis);
        for (var lease : redis.zrangeWithScores(keys.nodes(), 0, -1)) {
            Map<String, String> node = redis.hgetall(keys.node(lease.getValue()));
            System.out.printf(Locale.ROOT, "  %s %s lease age %d ms, %,d sessions%n", lease.getValue(),
                    node.get("address"), now - Long.parseLong(node.get("renewed")),
                    redis.hlen(keys.held(lease.getValue(), node.get("epoch"))));
        }
        System.out.printf(Locale.ROOT, "  total online %,d%n", redis.hlen(keys.clients()));
    }

    private static String busiest(RedisCommands<String, String> redis, Keys keys) {
        String best = null;
        long most = -1;
        for (String node : redis.zrange(keys.nodes(), 0, -1)) {
            long held = redis.hlen(keys.held(node, redis.hget(keys.node(node), "epoch")));
            if (held > most) {
                most = held;
                best = node;
            }
        }
        return best;
    }

    private static List<Map<String, String>> stream(RedisCommands<String, String> redis, Keys keys) {
        List<Map<String, String>> out = new ArrayList<>();
        String from = "-";
        while (true) {
            List<StreamMessage<String, String>> page = redis.xrange(keys.events(), Range.create(from, "+"),
                    io.lettuce.core.Limit.from(10_000));
            for (StreamMessage<String, String> m : page) {
                if (!m.getId().equals(from)) {
                    out.add(m.getBody());
                }
            }
            if (page.size() < 10_000) {
                return out;
            }
            from = page.get(page.size() - 1).getId();
        }
    }

    private static long heldUsage(RedisCommands<String, String> redis, Keys keys) {
        long sum = 0;
        for (String node : redis.zrange(keys.nodes(), 0, -1)) {
            sum += usage(redis, keys.held(node, redis.hget(keys.node(node), "epoch")));
        }
        return sum;
    }

    private static long usage(RedisCommands<String, String> redis, String key) {
        Long bytes = redis.memoryUsage(key);
        return bytes == null ? 0 : bytes;
    }

    private static long redisNow(RedisCommands<String, String> redis) {
        List<String> time = redis.time();
        return Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
    }

    private static String info(RedisCommands<String, String> redis, String section, String field) {
        for (String line : redis.info(section).split("\r?\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).trim();
            }
        }
        return "?";
    }

    private static Map<String, Long> commandCalls(RedisCommands<String, String> redis) {
        Map<String, Long> calls = new TreeMap<>();
        for (String line : redis.info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_")) {
                String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                String count = line.substring(line.indexOf("calls=") + 6, line.indexOf(',', line.indexOf("calls=")));
                calls.put(name, Long.parseLong(count));
            }
        }
        return calls;
    }

    private static long cpuMillis(long pid) throws IOException {
        String[] stat = Files.readString(Path.of("/proc/" + pid + "/stat")).split("\\) ")[1].split(" ");
        long ticks = Long.parseLong(stat[11]) + Long.parseLong(stat[12]); // utime + stime
        return ticks * 10; // USER_HZ is 100 on Linux
    }

    /** What Redis spent since {@code cpuBefore}, and its slow log (commands over 10 ms) since the last report. */
    private String redisPhase(RedisCommands<String, String> redis, long cpuBefore) throws IOException {
        long cpu = cpuMillis(redisServer.pid()) - cpuBefore;
        long slow = redis.slowlogLen();
        String slowest = "";
        for (Object entry : redis.slowlogGet(128)) {
            if (entry instanceof List<?> fields && fields.size() > 3) {
                long micros = ((Number) fields.get(2)).longValue();
                Object args = fields.get(3);
                String command = args instanceof List<?> a && !a.isEmpty() ? String.valueOf(a.get(0)) : "?";
                if (slowest.isEmpty() || micros > Long.parseLong(slowest.split(" ")[0])) {
                    slowest = micros + " " + command;
                }
            }
        }
        redis.slowlogReset();
        return String.format(Locale.ROOT, "redis: %,d ms of CPU; %d commands over 10 ms%s", cpu, slow,
                slowest.isEmpty() ? "" : " (slowest " + slowest.split(" ")[0] + " µs, " + slowest.split(" ")[1] + ")");
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    private static boolean said(Path file, String text) {
        try {
            return Files.readString(file).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return probe.getLocalPort();
        }
    }

    private static void check(boolean ok, String failure) {
        if (!ok) {
            throw new IllegalStateException(failure);
        }
    }
}
