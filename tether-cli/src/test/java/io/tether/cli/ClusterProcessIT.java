package io.tether.cli;

import static io.tether.cli.TetherProcesses.freePort;
import static io.tether.cli.TetherProcesses.helloAs;
import static io.tether.cli.TetherProcesses.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.sync.RedisCommands;
import io.netty.channel.epoll.Epoll;
import io.tether.cli.TetherProcesses.Running;
import io.tether.testing.RedisProcess;
import io.tether.testing.Subprocess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tether server --cluster} nodes as separate processes sharing one port (--reuse-port), a real
 * redis-server, and {@code tether cluster status}: a node killed with SIGKILL or paused with SIGSTOP past
 * its lease, and the cluster's event stream checked against what each node printed (--events jsonl).
 *
 * <p>The clients are raw: a HELLO and then silence (the servers' mobile profile allows minutes of it), and
 * they never reconnect by themselves. The test reconnects them only after the cluster declared their node
 * dead, so every session of a dead node is declared NODE_LOST by the cluster rather than REPLACED.
 */
class ClusterProcessIT {
    private static final Duration INTERVAL = Duration.ofMillis(200);
    private static final Duration LEASE = Duration.ofSeconds(1);
    /**
     * Beyond the bound of lease plus one renewal: the survivor's renewal thread may run late on a machine
     * whose two cores also run the other node, Redis and this test.
     */
    private static final Duration SLACK = Duration.ofSeconds(1);
    private static final int CLIENTS = 12;
    private static final String PREFIX = "tether:{tether}:";
    private static final Pattern NODE_LINE = Pattern.compile(
            "node (\\S+) address=127\\.0\\.0\\.1:(\\d+) epoch=(\\d+) lease-age=\\d+ms lease-left=-?\\d+ms sessions=(\\d+)");

    @TempDir
    Path logs;

    private TetherProcesses processes;
    private RedisProcess redis;
    private RedisClient lettuce;
    private RedisCommands<String, String> commands;
    private int port;
    private final Map<String, Socket> clients = new TreeMap<>();

    @BeforeEach
    void start() throws IOException {
        assumeTrue(Epoll.isAvailable(), "nodes share their port with SO_REUSEPORT: Linux and Netty's native epoll");
        processes = new TetherProcesses(logs);
        redis = RedisProcess.start();
        lettuce = RedisClient.create(redis.uri());
        commands = lettuce.connect().sync();
        port = freePort();
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket client : clients.values()) {
            client.close();
        }
        if (processes != null) {
            processes.close();
        }
        if (lettuce != null) {
            lettuce.shutdown();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void aKilledNodesSessionsAreDeclaredLostOnceWithinTheLeaseAndComeBackOnTheSurvivor() throws Exception {
        Running a = node("a");
        Running b = node("b");
        connectUntilBothNodesHoldClients();
        List<String> before = status();
        assertThat(before).hasSize(3).last().isEqualTo("total online " + clients.size());
        assertThat(nodeLines(before)).containsOnlyKeys("a", "b");
        assertThat(nodeLines(before).values().stream().mapToLong(Long::longValue).sum()).isEqualTo(clients.size());
        Map<String, String> onB = sessionsOn("b");
        String epoch = commands.hget(PREFIX + "node:b", "epoch");

        b.process().destroyForcibly();
        assertThat(b.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
        declaredLostWithinTheBound("SIGKILL", onB, epoch);

        for (String id : onB.keySet()) {
            clients.remove(id).close();
            clients.put(id, helloAs(port, id)); // only a listens now
        }
        await("every client back, on a").atMost(Duration.ofSeconds(15)).until(() -> owners().size() == clients.size()
                && owners().values().stream().allMatch(o -> o.get("n").asText().equals("a")));
        List<String> after = status();
        assertThat(nodeLines(after)).containsExactly(Map.entry("a", (long) clients.size()));
        assertThat(after).last().isEqualTo("total online " + clients.size());

        stopGracefully(a);
        assertEachSessionOnlineThenOfflineOnce();
        assertStreamIsWhatTheNodesPrinted(Map.of("a", a, "b", b), Set.of("b"));
    }

    @Test
    void aNodePausedPastItsLeaseIsDeclaredLostOnceAndOnResumingIsFencedWithoutDuplicates() throws Exception {
        Running a = node("a");
        Running b = node("b");
        connectUntilBothNodesHoldClients();
        Map<String, String> onB = sessionsOn("b");
        String epoch = commands.hget(PREFIX + "node:b", "epoch");

        Subprocess.signal(b.process().pid(), "STOP", true, Duration.ofSeconds(5));
        declaredLostWithinTheBound("SIGSTOP", onB, epoch);
        Subprocess.signal(b.process().pid(), "CONT", false, Duration.ofSeconds(5));

        await("b fenced").atMost(Duration.ofSeconds(15)).until(() -> b.sawOnErr("was declared dead by the cluster"));
        await("b closed the sessions it could no longer vouch for").atMost(Duration.ofSeconds(15)).until(() ->
                json(b).stream().filter(e -> e.get("event").asText().equals("OFFLINE"))
                        .map(e -> e.get("clientId").asText()).collect(Collectors.toSet()).containsAll(onB.keySet()));
        await("b joined again").atMost(Duration.ofSeconds(15)).until(() -> commands.zscore(PREFIX + "nodes", "b") != null
                && Long.parseLong(commands.hget(PREFIX + "node:b", "epoch")) > Long.parseLong(epoch));
        for (String id : onB.keySet()) {
            clients.remove(id).close();
            clients.put(id, helloAs(port, id));
        }
        await("every client back").atMost(Duration.ofSeconds(15)).until(() -> owners().size() == clients.size());
        assertThat(nodeLines(status())).containsOnlyKeys("a", "b");

        stopGracefully(a, b); // after this nothing can add to the stream: the checks see all of it
        Map<String, List<Map<String, String>>> paused = offlines("b", epoch);
        assertThat(paused).hasSameSizeAs(onB);
        paused.forEach((id, offline) -> assertThat(offline).as("OFFLINEs of %s in b's paused epoch", id).hasSize(1)
                .allSatisfy(e -> assertThat(e.get("reason")).isEqualTo("NODE_LOST")));
        assertEachSessionOnlineThenOfflineOnce();
        assertStreamIsWhatTheNodesPrinted(Map.of("a", a, "b", b), Set.of());
    }

    @Test
    void aSecondNodeWithALiveNodesIdIsRefusedAndStatusShowsTheOneNode() throws Exception {
        node("a");
        Running twin = processes.start("server", "--port", String.valueOf(freePort()), "--cluster", redis.uri(),
                "--node-id", "a", "--cluster-lease-interval", "200ms", "--cluster-lease-timeout", "1s");
        assertThat(twin.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(twin.process().exitValue()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> twin.sawOnErr("tether server: "));
        assertThat(twin.err()).last().asString().matches("tether server: node id a is held by a live node in this"
                + " cluster \\(its lease ends in \\d+ ms\\); give each node its own --node-id, or, if this is that"
                + " node restarting after a crash, start it again once its lease has lapsed");
        assertNoStackTrace(twin);
        assertThat(nodeLines(status())).containsExactly(Map.entry("a", 0L));
    }

    @Test
    void aRedisThatCannotBeReachedStopsTheServerAndStatusInOneLineWithoutItsPassword() throws Exception {
        int nobody = freePort();
        Running server = processes.start("server", "--port", String.valueOf(freePort()), "--cluster",
                "redis://tether:hunter2@127.0.0.1:" + nobody);
        Running status = processes.start("cluster", "status", "--redis", "redis://:hunter2@127.0.0.1:" + nobody);
        for (Running refused : List.of(server, status)) {
            assertThat(refused.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(refused.process().exitValue()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> refused.err().size() == 1);
            assertThat(refused.err().get(0)).contains("Redis at 127.0.0.1:" + nobody).contains("Connection refused")
                    .doesNotContain("hunter2");
            assertThat(refused.out()).isEmpty();
        }
        assertThat(server.err().get(0)).startsWith("tether server: cannot reach Redis at 127.0.0.1:" + nobody + " (--cluster): ");
        assertThat(status.err().get(0)).startsWith("tether cluster status: cannot read the cluster from Redis at 127.0.0.1:"
                + nobody + ": ");
    }

    @Test
    void statusAgainstAPortThatIsNotRedisFailsInSecondsWithOneLine() throws Exception {
        try (NotRedis garbage = new NotRedis("HTTP/1.1 400 Bad Request\r\n\r\n<html>no</html>\r\n");
             NotRedis silent = new NotRedis(null)) {
            for (NotRedis server : List.of(garbage, silent)) {
                long started = System.nanoTime();
                Running status = processes.start("cluster", "status", "--redis", "redis://127.0.0.1:" + server.port());
                assertThat(status.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                assertThat(status.process().exitValue()).isEqualTo(1);
                await().atMost(Duration.ofSeconds(5)).until(() -> status.err().size() == 1);
                assertThat(status.err().get(0)).startsWith("tether cluster status: cannot read the cluster from Redis at"
                        + " 127.0.0.1:" + server.port() + ": ");
                System.out.printf("cluster status against %s: exit 1 after %d ms: %s%n", server, tookMillis, status.err().get(0));
                // JVM start-up, plus the default 2 s timeout of the first exchange with what should be Redis.
                assertThat(tookMillis).isLessThan(15_000);
            }
        }
    }

    /**
     * Right after b stopped renewing (killed or paused): waits for the cluster to declare each of its sessions
     * {@code onB} (client id to session id) of {@code epoch} offline, and checks that each got one OFFLINE, as
     * NODE_LOST, within the lease plus one renewal interval (and {@link #SLACK}) of b's last renewal, by
     * Redis's clock.
     */
    private void declaredLostWithinTheBound(String how, Map<String, String> onB, String epoch) {
        long since = System.nanoTime();
        String lastRenewal = commands.hget(PREFIX + "node:b", "renewed");
        assertThat(lastRenewal).as("b's lease record, read before it can have lapsed").isNotNull();
        await("NODE_LOST for each of b's sessions " + onB).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(() -> offlines("b", epoch).keySet().containsAll(onB.keySet()));
        long seenMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
        Map<String, List<Map<String, String>>> offlines = offlines("b", epoch);
        assertThat(offlines).hasSameSizeAs(onB);
        long latest = 0;
        for (Map.Entry<String, List<Map<String, String>>> client : offlines.entrySet()) {
            assertThat(client.getValue()).as("OFFLINEs of %s", client.getKey()).singleElement().satisfies(e -> {
                assertThat(e.get("reason")).isEqualTo("NODE_LOST");
                assertThat(e.get("session")).isEqualTo(onB.get(client.getKey()));
            });
            latest = Math.max(latest, Long.parseLong(client.getValue().get(0).get("at")) - Long.parseLong(lastRenewal));
        }
        System.out.printf("%s: %d sessions of b declared NODE_LOST at most %d ms after its last renewal (bound %d ms,"
                + " slack %d ms); seen by the test %d ms after the signal%n", how, onB.size(), latest,
                LEASE.plus(INTERVAL).toMillis(), SLACK.toMillis(), seenMillis);
        assertThat(latest).isLessThanOrEqualTo(LEASE.plus(INTERVAL).plus(SLACK).toMillis());
    }

    /** A node on the shared port, joined: it has printed the start-up line. */
    private Running node(String id) throws IOException {
        Running node = processes.start("server", "--host", "127.0.0.1", "--port", String.valueOf(port), "--reuse-port",
                "--cluster", redis.uri(), "--node-id", id, "--cluster-lease-interval", "200ms",
                "--cluster-lease-timeout", "1s", "--events", "jsonl", "--profile", "mobile", "--summary-every", "0ms");
        String joined = "cluster node " + id + " joined cluster tether as epoch ";
        await("node " + id + " joined").atMost(Duration.ofSeconds(30))
                .until(() -> node.sawOnErr(joined) || !node.process().isAlive());
        assertThat(node.err()).as("node " + id + " started").anyMatch(l -> l.contains(joined)
                && l.endsWith(" on Redis 127.0.0.1:" + redis.port() + " (lease 1s renewed every 200ms)"));
        return node;
    }

    /**
     * Clients c0, c1, ... until there are {@link #CLIENTS} and each node holds one; at most 200 (the kernel
     * gives each new connection to either node with even odds).
     */
    private void connectUntilBothNodesHoldClients() throws IOException {
        for (int i = 0; i < 200 && (clients.size() < CLIENTS || sessionsOn("a").isEmpty() || sessionsOn("b").isEmpty()); i++) {
            String id = "c" + i;
            clients.put(id, helloAs(port, id));
            await(id + " online in the cluster").atMost(Duration.ofSeconds(10)).until(() -> owners().containsKey(id));
        }
        assertThat(sessionsOn("a")).as("clients on a").isNotEmpty();
        assertThat(sessionsOn("b")).as("clients on b").isNotEmpty();
    }

    /** Client id to owner record ({"n": node, "e": epoch, "s": session, ...}), as the cluster holds them. */
    private Map<String, JsonNode> owners() throws IOException {
        Map<String, JsonNode> owners = new TreeMap<>();
        for (Map.Entry<String, String> e : commands.hgetall(PREFIX + "clients").entrySet()) {
            owners.put(e.getKey(), TetherProcesses.MAPPER.readTree(e.getValue()));
        }
        return owners;
    }

    /** Client id to session id of the clients {@code node} holds. */
    private Map<String, String> sessionsOn(String node) throws IOException {
        Map<String, String> on = new TreeMap<>();
        owners().forEach((id, owner) -> {
            if (owner.get("n").asText().equals(node)) {
                on.put(id, owner.get("s").asText());
            }
        });
        return on;
    }

    /** The cluster's event stream, oldest first. */
    private List<Map<String, String>> stream() {
        List<Map<String, String>> events = new ArrayList<>();
        for (StreamMessage<String, String> m : commands.xrange(PREFIX + "events", Range.create("-", "+"))) {
            events.add(m.getBody());
        }
        return events;
    }

    /** The OFFLINEs in the stream of sessions {@code node} held in {@code epoch}, by client id. */
    private Map<String, List<Map<String, String>>> offlines(String node, String epoch) {
        return stream().stream().filter(e -> e.get("type").equals("OFFLINE") && e.get("node").equals(node)
                        && e.get("epoch").equals(epoch))
                .collect(Collectors.groupingBy(e -> e.get("client"), TreeMap::new, Collectors.toList()));
    }

    /** {@code tether cluster status}'s lines, after checking it exited 0. */
    private List<String> status() throws Exception {
        Running status = processes.start("cluster", "status", "--redis", redis.uri());
        assertThat(status.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(status.process().exitValue()).as(String.join("\n", status.err())).isZero();
        return status.out();
    }

    /** Node id to sessions, from status lines, checking the form of each node line. */
    private Map<String, Long> nodeLines(List<String> status) {
        Map<String, Long> nodes = new LinkedHashMap<>();
        for (String line : status.subList(0, status.size() - 1)) {
            var m = NODE_LINE.matcher(line);
            assertThat(m.matches()).as(line).isTrue();
            assertThat(Integer.parseInt(m.group(2))).isEqualTo(port);
            nodes.put(m.group(1), Long.parseLong(m.group(4)));
        }
        return nodes;
    }

    /** SIGTERM, each node's exit, and every session it held declared offline in the cluster. */
    private void stopGracefully(Running... nodes) throws Exception {
        for (Running node : nodes) {
            node.process().destroy();
        }
        for (Running node : nodes) {
            assertThat(node.process().waitFor(30, TimeUnit.SECONDS)).as(String.join("\n", node.err())).isTrue();
        }
        assertThat(owners()).as("online after every node left").isEmpty();
        assertThat(commands.zcard(PREFIX + "nodes")).isZero();
    }

    /** In the stream, per (node, epoch, session): one ONLINE, then one OFFLINE, for one client. */
    private void assertEachSessionOnlineThenOfflineOnce() {
        Map<String, List<String>> bySession = new LinkedHashMap<>();
        for (Map<String, String> e : stream()) {
            bySession.computeIfAbsent(e.get("node") + "/" + e.get("epoch") + "/" + e.get("session"), k -> new ArrayList<>())
                    .add(e.get("type") + " " + e.get("client"));
        }
        assertThat(bySession).isNotEmpty();
        bySession.forEach((session, events) -> assertThat(events).as(session).hasSize(2)
                .first().asString().startsWith("ONLINE "));
        bySession.forEach((session, events) -> assertThat(events.get(1)).as(session)
                .isEqualTo("OFFLINE " + events.get(0).substring("ONLINE ".length())));
    }

    /**
     * The stream holds exactly the events the nodes printed (type, client, node, session, reason, detail), and
     * besides them only the OFFLINE NODE_LOSTs of the sessions of {@code killed} nodes, which printed none.
     */
    private void assertStreamIsWhatTheNodesPrinted(Map<String, Running> nodes, Set<String> killed) throws IOException {
        List<String> printed = new ArrayList<>();
        Map<String, Integer> unanswered = new HashMap<>();
        for (Map.Entry<String, Running> node : nodes.entrySet()) {
            for (JsonNode e : json(node.getValue())) {
                String type = e.get("event").asText();
                String event = key(type, e.get("clientId").asText(), node.getKey(), e.get("sessionId").asText(),
                        e.get("reason").asText(), e.get("detail").asText());
                printed.add(event);
                String session = node.getKey() + "/" + e.get("sessionId").asLong();
                unanswered.merge(session, type.equals("ONLINE") ? 1 : -1, Integer::sum);
            }
        }
        List<String> streamed = new ArrayList<>();
        List<String> lost = new ArrayList<>();
        for (Map<String, String> e : stream()) {
            String event = key(e.get("type"), e.get("client"), e.get("node"), e.get("session"), e.get("reason"),
                    e.get("detail"));
            if (killed.contains(e.get("node")) && e.get("type").equals("OFFLINE") && e.get("reason").equals("NODE_LOST")) {
                lost.add(e.get("node") + "/" + e.get("session"));
            } else {
                streamed.add(event);
            }
        }
        assertThat(streamed).as("the stream, but for the killed nodes' NODE_LOSTs").containsExactlyInAnyOrderElementsOf(printed);
        List<String> printedWithoutOffline = unanswered.entrySet().stream().filter(e -> e.getValue() == 1)
                .map(Map.Entry::getKey).toList();
        assertThat(lost).as("NODE_LOST for each session a killed node printed ONLINE and no OFFLINE for")
                .containsExactlyInAnyOrderElementsOf(printedWithoutOffline);
        if (!killed.isEmpty()) {
            assertThat(lost).isNotEmpty();
        }
    }

    /**
     * An event as both sides must tell it. The detail of an OFFLINE is the node's own (so a SERVER_SHUTDOWN
     * written by the node leaving, rather than by its server closing each session first, shows), but for
     * NODE_LOST: the cluster and a fenced node each word their own.
     */
    private static String key(String type, String client, String node, String session, String reason, String detail) {
        return type.equals("ONLINE") ? "ONLINE " + client + " " + node + "/" + session
                : "OFFLINE " + client + " " + node + "/" + session + " " + reason
                        + (reason.equals("NODE_LOST") ? "" : " (" + detail + ")");
    }

    private static void assertNoStackTrace(Running process) {
        assertThat(process.err()).noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception in thread"));
    }

    /**
     * A loopback TCP server that is not Redis: it answers whatever it is sent with {@code reply} once, or,
     * given null, accepts and never says a word. Each connection is held until the server closes.
     */
    private static final class NotRedis implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();
        private final String reply;

        NotRedis(String reply) throws IOException {
            this.reply = reply;
            Thread acceptor = new Thread(this::serve, "not-redis-" + listener.getLocalPort());
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        private void serve() {
            while (!listener.isClosed()) {
                try {
                    Socket socket = listener.accept();
                    accepted.add(socket);
                    if (reply != null && socket.getInputStream().read() >= 0) {
                        socket.getOutputStream().write(reply.getBytes(StandardCharsets.US_ASCII));
                    }
                } catch (IOException closedOrGone) {
                    // the next connection, or the test is over
                }
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Socket socket : accepted) {
                socket.close();
            }
        }

        @Override
        public String toString() {
            return reply == null ? "a server that never answers" : "a server that answers with HTTP";
        }
    }
}
