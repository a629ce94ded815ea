package io.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static io.tether.cli.TetherProcesses.freePort;
import static io.tether.cli.TetherProcesses.hasEvent;
import static io.tether.cli.TetherProcesses.helloAs;
import static io.tether.cli.TetherProcesses.json;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.epoll.Epoll;
import io.tether.cli.TetherProcesses.Running;
import io.tether.protocol.CloseReason;
import io.tether.protocol.Frames;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged {@code tether.jar} run as separate processes, the way a user runs it. */
class CliProcessIT {
    private static final ObjectMapper MAPPER = TetherProcesses.MAPPER;

    @TempDir
    Path logs;

    private TetherProcesses processes;

    @BeforeEach
    void processes() {
        processes = new TetherProcesses(logs);
    }

    @AfterEach
    void stopAll() throws InterruptedException {
        processes.close();
    }

    private Running tether(String... args) throws IOException {
        return processes.start(args);
    }

    private Running tether(List<String> jvmOptions, String... args) throws IOException {
        return processes.start(jvmOptions, args);
    }

    @Test
    void serverPrintsJsonLinesForRealClientsAndShutsDownGracefully() throws Exception {
        int port = freePort();
        int legacyPort = freePort();
        Running server = tether("server", "--host", "127.0.0.1", "--port", String.valueOf(port), "--legacy-port",
                String.valueOf(legacyPort), "--profile", "strict", "--heartbeat-interval", "200ms",
                "--heartbeat-timeout", "600ms", "--events", "jsonl");
        await().atMost(Duration.ofSeconds(30)).until(() -> server.err().stream().anyMatch(l -> l.contains("listening")));

        Running client = tether("client", "--server", "127.0.0.1:" + port, "--id", "alice", "--heartbeat-interval", "200ms");
        await().atMost(Duration.ofSeconds(30)).until(() -> hasEvent(server, "ONLINE", "alice", null));
        await().atMost(Duration.ofSeconds(10)).until(() -> client.saw("ONLINE (connected to 127.0.0.1:" + port)
                && client.saw("rtt "));
        OutputStream stdin = client.process().getOutputStream();
        stdin.write("hello from stdin\n".getBytes(StandardCharsets.UTF_8));
        stdin.flush();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.saw("> hello from stdin")
                && server.err().stream().anyMatch(l -> l.contains("alice sent 16 bytes")));

        try (Socket classic = new Socket("127.0.0.1", legacyPort)) {
            classic.getOutputStream().write(new byte[8]);
            String classicId = "127.0.0.1:" + classic.getLocalPort();
            await().atMost(Duration.ofSeconds(10)).until(() -> hasEvent(server, "ONLINE", classicId, null));
            await().atMost(Duration.ofSeconds(10)).until(() -> hasEvent(server, "OFFLINE", classicId, "TIMEOUT"));
        }

        client.process().destroy(); // SIGTERM: the client's shutdown hook says goodbye
        await().atMost(Duration.ofSeconds(10)).until(() -> hasEvent(server, "OFFLINE", "alice", "CLIENT_CLOSED"));

        Running second = tether("client", "--server", "127.0.0.1:" + port, "--id", "bob", "--quiet-rtt");
        await().atMost(Duration.ofSeconds(30)).until(() -> hasEvent(server, "ONLINE", "bob", null));
        server.process().destroy(); // SIGTERM: graceful shutdown
        assertThat(server.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
        await("SERVER_SHUTDOWN for bob in " + server.out() + " / " + server.err()).atMost(Duration.ofSeconds(10))
                .until(() -> hasEvent(server, "OFFLINE", "bob", "SERVER_SHUTDOWN"));
        await().atMost(Duration.ofSeconds(10)).until(() -> second.saw("RECONNECTING") && second.saw("SERVER_SHUTDOWN"));
        for (JsonNode event : json(server)) {
            assertThat(event.fieldNames()).toIterable()
                    .contains("event", "clientId", "sessionId", "remote", "reason", "at");
        }
    }

    @Test
    void tokenAuthenticationWorksAsSecurityMdSaysAndAnImpostorCannotTakeOver() throws Exception {
        Path secret = Files.writeString(logs.resolve("secret"), "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
        Running issuer = tether("token", "--secret-file", secret.toString(), "--id", "alice", "--ttl", "8h");
        assertThat(issuer.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(issuer.process().exitValue()).isZero();
        Path aliceToken = Files.write(logs.resolve("alice.token"), Files.readAllBytes(issuer.outFile()));
        assertThat(Files.readString(aliceToken)).startsWith("t1.");

        int port = freePort();
        Running server = tether("server", "--host", "127.0.0.1", "--port", String.valueOf(port), "--events", "jsonl",
                "--auth", "token", "--auth-secret-file", secret.toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> server.err().stream()
                .anyMatch(l -> l.contains("listening on 127.0.0.1:" + port + " (clients authenticate)")));
        Running alice = tether("client", "--server", "127.0.0.1:" + port, "--id", "alice", "--token-file",
                aliceToken.toString(), "--quiet-rtt");
        await().atMost(Duration.ofSeconds(30)).until(() -> hasEvent(server, "ONLINE", "alice", null));

        // An impostor that knows the id, and one with alice's token, are refused; alice stays online.
        Running anonymous = tether("client", "--server", "127.0.0.1:" + port, "--id", "alice", "--quiet-rtt");
        Running thief = tether("client", "--server", "127.0.0.1:" + port, "--id", "mallory", "--token-file",
                aliceToken.toString(), "--quiet-rtt");
        await().atMost(Duration.ofSeconds(30)).until(() -> anonymous.saw("UNAUTHENTICATED - this server requires a token"));
        assertThat(thief.process().waitFor(30, TimeUnit.SECONDS)).as("a FORBIDDEN client stops").isTrue();
        assertThat(thief.err()).anyMatch(l -> l.contains("FORBIDDEN - the token was issued for another client id"));
        assertThat(json(server)).hasSize(1);
        assertThat(alice.process().isAlive()).isTrue();
        assertThat(String.join("\n", server.err())).doesNotContain(Files.readString(aliceToken).strip());
    }

    @Test
    void serverTakesItsSettingsFromAConfigFileUnderItsFlagsWithFileNamesRelativeToTheFile() throws Exception {
        Path conf = Files.createDirectories(logs.resolve("conf"));
        Files.writeString(conf.resolve("secret"), "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
        Path config = Files.writeString(conf.resolve("server.yaml"), """
                port: 1                   # overridden by --port
                auth: token
                auth-secret-file: secret  # conf/secret, wherever the server is started
                summary-every: 0ms
                """, StandardCharsets.UTF_8);
        int port = freePort();

        Running server = tether("server", "--config", config.toString(), "--port", String.valueOf(port));

        await().atMost(Duration.ofSeconds(30)).until(() -> server.err().stream()
                .anyMatch(l -> l.contains("listening on 127.0.0.1:" + port + " (clients authenticate)")));
        assertThat(server.process().isAlive()).isTrue();

        Files.writeString(config, "port: 70000\n", StandardCharsets.UTF_8);
        Running bad = tether("server", "--config", config.toString());
        assertThat(bad.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bad.process().exitValue()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> bad.err().size() == 1);
        assertThat(bad.err().get(0)).isEqualTo("tether server: " + config + ":1: port must be within 0..65535, got 70000"
                + " (see 'tether server --help')");
    }

    @Test
    void serverLogsOneJsonObjectPerLineAndClientTextCannotBreakOne() throws Exception {
        int port = freePort();
        Running server = tether("server", "--port", String.valueOf(port), "--log-format", "json", "--summary-every", "200ms");
        await().atMost(Duration.ofSeconds(30)).until(() -> logged(server, "listening on 127.0.0.1:" + port));
        String id = "say \"hi\"}\\ {\"level\":\"FORGED\"";
        Running client = tether("client", "--server", "127.0.0.1:" + port, "--id", id, "--quiet-rtt", "--log-format", "json");
        await().atMost(Duration.ofSeconds(30)).until(() -> logged(server, "say \"hi\"}") && logged(server, " online"));
        client.process().destroy();
        await().atMost(Duration.ofSeconds(10)).until(() -> logged(server, "CLIENT_CLOSED"));
        server.process().destroy();
        assertThat(server.process().waitFor(20, TimeUnit.SECONDS)).isTrue();

        List<String> lines = server.err();
        assertThat(lines).hasSizeGreaterThan(3);
        for (String line : lines) {
            JsonNode entry = MAPPER.readTree(line);
            assertThat(entry.isObject()).as(line).isTrue();
            assertThat(entry.get("level").asText()).as(line).isIn("INFO", "WARN", "ERROR");
            assertThat(entry.get("loggerName").asText()).as(line).isNotBlank();
            assertThat(entry.get("message").asText()).as(line).isNotBlank();
        }
        assertThat(lines.stream().map(this::parse).filter(e -> e.get("formattedMessage").asText().contains("online")))
                .anySatisfy(e -> assertThat(e.get("formattedMessage").asText()).startsWith("say \"hi\"}"));
        assertThat(lines).as("the id's JSON-like text stays inside its string").noneMatch(l -> l.contains("\"level\":\"FORGED\""));
    }

    private JsonNode parse(String line) {
        try {
            return MAPPER.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether a log line of {@code running}, written as JSON, says {@code text}; lines still being written are read next time. */
    private static boolean logged(Running running, String text) {
        return running.err().stream().filter(l -> l.endsWith("}")).anyMatch(l -> {
            try {
                return MAPPER.readTree(l).path("formattedMessage").asText().contains(text);
            } catch (IOException notYetWhole) {
                return false;
            }
        });
    }

    @Test
    void clientThatIsReplacedExitsInsteadOfFightingForItsId() throws Exception {
        int port = freePort();
        Running server = tether("server", "--host", "127.0.0.1", "--port", String.valueOf(port), "--events", "jsonl");
        await().atMost(Duration.ofSeconds(30)).until(() -> server.err().stream().anyMatch(l -> l.contains("listening")));
        Running older = tether("client", "--server", "127.0.0.1:" + port, "--id", "twin", "--quiet-rtt");
        await().atMost(Duration.ofSeconds(30)).until(() -> older.saw("ONLINE (connected"));

        Running newer = tether("client", "--server", "127.0.0.1:" + port, "--id", "twin", "--quiet-rtt");

        assertThat(older.process().waitFor(30, TimeUnit.SECONDS)).as("the replaced client exits").isTrue();
        assertThat(older.process().exitValue()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> older.err().size() == 1);
        assertThat(older.err().get(0)).startsWith("tether client: twin stopped: ").contains("REPLACED");
        await().atMost(Duration.ofSeconds(10)).until(() -> newer.saw("ONLINE (connected"));
        assertThat(newer.process().isAlive()).isTrue();
    }

    @Test
    void clientRefusedForGoodExitsWithTheServersReason() throws Exception {
        try (ServerSocket refusing = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Thread refuser = new Thread(() -> refuseEveryHello(refusing), "refusing-server");
            refuser.setDaemon(true);
            refuser.start();

            Running client = tether("client", "--server", "127.0.0.1:" + refusing.getLocalPort(), "--id", "old-timer");

            assertThat(client.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(client.process().exitValue()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> client.err().size() == 1);
            assertThat(client.err().get(0)).startsWith("tether client: old-timer stopped: refused by 127.0.0.1:")
                    .contains("PROTOCOL_ERROR - unsupported protocol version 1");
        }
    }

    /** Answers each connection's HELLO as a server of another protocol version would: GOAWAY, then close. */
    private static void refuseEveryHello(ServerSocket listener) {
        ByteBuf frame = Frames.goAway(UnpooledByteBufAllocator.DEFAULT, CloseReason.PROTOCOL_ERROR,
                "unsupported protocol version 1; this peer speaks 2");
        byte[] goAway = new byte[frame.readableBytes()];
        frame.readBytes(goAway);
        frame.release();
        while (!listener.isClosed()) {
            try (Socket socket = listener.accept()) {
                DataInputStream in = new DataInputStream(socket.getInputStream());
                in.skipNBytes(2);
                in.skipNBytes(in.readInt());
                socket.getOutputStream().write(goAway);
                in.read(); // the client closes first
            } catch (IOException closedOrGone) {
                // next connection, or the test is over
            }
        }
    }

    @Test
    void serverWhosePortIsTakenSaysWhichAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Running server = tether("server", "--host", "127.0.0.1", "--port", String.valueOf(taken.getLocalPort()));

            assertThat(server.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(server.process().exitValue()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.err().stream().anyMatch(l ->
                    l.startsWith("tether server: cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": ")));
        }
    }

    @Test
    void serversStartedWithReusePortShareOnePortAndEachClientIsOnlineOnOne() throws Exception {
        assumeTrue(Epoll.isAvailable(), "SO_REUSEPORT needs Linux and Netty's native epoll");
        int port = freePort();
        List<Running> servers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Running server = tether("server", "--host", "127.0.0.1", "--port", String.valueOf(port), "--reuse-port",
                    "--events", "jsonl", "--summary-every", "0ms");
            await().atMost(Duration.ofSeconds(30)).until(() -> server.err().stream().anyMatch(l ->
                    l.contains("listening on 127.0.0.1:" + port) && l.contains("shared with SO_REUSEPORT")));
            servers.add(server);
        }
        Running loner = tether("server", "--host", "127.0.0.1", "--port", String.valueOf(port));
        assertThat(loner.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(loner.process().exitValue()).as("a server that does not share cannot join").isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> loner.err().stream().anyMatch(l ->
                l.startsWith("tether server: cannot listen on 127.0.0.1:" + port + ": ") && l.contains("in use")));

        // The kernel picks a server by a hash of each connection's ports: new clients, at most 200 (each
        // lands on either with even odds), until both servers have one.
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 200 && !servers.stream().allMatch(s -> s.saw("ONLINE")); i++) {
                String id = "shared-" + i;
                clients.add(helloAs(port, id));
                await().atMost(Duration.ofSeconds(10)).until(() -> hasEvent(servers.get(0), "ONLINE", id, null)
                        || hasEvent(servers.get(1), "ONLINE", id, null));
                assertThat(hasEvent(servers.get(0), "ONLINE", id, null) && hasEvent(servers.get(1), "ONLINE", id, null))
                        .as(id + " online on both").isFalse();
            }
            assertThat(servers).allMatch(s -> s.saw("ONLINE"), "each server has a client");
        } finally {
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    @Test
    void reusePortOnNioStopsTheServerWithTheReason() throws Exception {
        int port = freePort();
        Running server = tether(List.of("-Dtether.transport=nio"), "server", "--port", String.valueOf(port), "--reuse-port");

        assertThat(server.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.process().exitValue()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.err().stream().anyMatch(l -> l.equals("tether server:"
                + " cannot share 127.0.0.1:" + port + " with other servers (reusePort, --reuse-port): SO_REUSEPORT needs"
                + " the native epoll transport (Linux), and this server runs on NIO: -Dtether.transport=nio asks for NIO")));
    }

    @Test
    void demoRunsItsWholeStoryAndChecksItself() throws Exception {
        // The story waits for each step's events, so a slow machine only stretches it. The timeout is the
        // product's own clock: it must exceed the longest a busy machine may stall a healthy process (a 349 ms
        // stall was seen with both cores busy), or a healthy client is rightly declared offline.
        Running demo = tether("demo", "--heartbeat-interval", "200ms", "--heartbeat-timeout", "1s");
        assertThat(demo.process().waitFor(120, TimeUnit.SECONDS)).isTrue();

        assertThat(demo.process().exitValue()).as(String.join("\n", demo.out())).isZero();
        assertThat(demo.out()).anyMatch(l -> l.contains("dave") && l.contains("TIMEOUT"))
                .anyMatch(l -> l.contains("frank") && l.contains("CONNECTION_RESET"))
                .anyMatch(l -> l.contains("heartbeats: online 7"))
                .anyMatch(l -> l.contains("one OFFLINE for every ONLINE: yes"))
                .noneMatch(l -> l.startsWith("PROBLEM"));
    }

    @Test
    void badFlagExitsWithTwoAndOneLine() throws Exception {
        Running bad = tether("server", "--heartbeat-timeout", "soon");
        assertThat(bad.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bad.process().exitValue()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> bad.err().size() == 1);
        assertThat(bad.err().get(0)).contains("'soon' is not a duration");
    }

    @Test
    void keepReportsUpstreamsGoingDownAndUpAndOnceGivesAnExitCode() throws Exception {
        int port = freePort();
        Path config = logs.resolve("socket.properties");
        Files.writeString(config, """
                socketConnCount=1
                commonCheckTime=1
                socket1=bank
                socket1_ip=127.0.0.1
                socket1_port=%d
                socket1_isKeep=1
                """.formatted(port), StandardCharsets.UTF_8);

        Running down = tether("keep", "--config", config.toString(), "--once");
        assertThat(down.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(down.process().exitValue()).isEqualTo(1);
        assertThat(down.out()).anyMatch(l -> l.startsWith("bank") && l.contains("DOWN") && l.contains("connection refused"));

        ServerSocket upstream = new ServerSocket(port, 50, InetAddress.getByName("127.0.0.1"));
        List<Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread acceptor = new Thread(() -> {
            try {
                for (;;) {
                    accepted.add(upstream.accept());
                }
            } catch (IOException closed) {
                // upstream stopped
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        try {
            Running up = tether("keep", "--config", config.toString(), "--once");
            assertThat(up.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(up.process().exitValue()).as(String.join("\n", up.out())).isZero();

            Running watching = tether("keep", "--config", config.toString(), "--events", "jsonl");
            await().atMost(Duration.ofSeconds(30)).until(() -> keepEvent(watching, "UP"));
            upstream.close();
            for (Socket socket : accepted) {
                socket.close();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> keepEvent(watching, "DOWN"));
            JsonNode event = json(watching).stream().filter(e -> e.get("event").asText().equals("DOWN")).findFirst().orElseThrow();
            assertThat(event.get("endpoint").asText()).isEqualTo("bank");
            assertThat(event.get("cause").asText()).isNotBlank();
            assertThat(event.get("at").asLong()).isPositive();
            // The status table goes to stderr on its own timer (every check interval), not with the events.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> watching.err().stream().anyMatch(l -> l.startsWith("endpoint") && l.contains("state")));
        } finally {
            upstream.close();
        }
    }

    @Test
    void keepWithAWrongFileSaysWhichLineAndKey() throws Exception {
        Path config = logs.resolve("broken.properties");
        Files.writeString(config, "socketConnCount=1\nsocket1=bank\nsocket1_ip=127.0.0.1\nsocket1_port=ninety\n",
                StandardCharsets.UTF_8);
        Running bad = tether("keep", "--config", config.toString(), "--once");
        assertThat(bad.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bad.process().exitValue()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> bad.err().size() == 1);
        assertThat(bad.err().get(0)).contains("broken.properties:4: socket1_port: 'ninety' is not a whole number");
    }

    private static boolean keepEvent(Running running, String state) throws IOException {
        return json(running).stream().anyMatch(e -> e.get("event").asText().equals(state));
    }
}
