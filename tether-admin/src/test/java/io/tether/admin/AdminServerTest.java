package io.tether.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tether.client.TetherClient;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.protocol.CloseReason;
import io.tether.server.PresenceEvent;
import io.tether.server.TetherServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The admin port against a real server and real clients on loopback. */
class AdminServerTest {
    private static final HeartbeatPolicy ROOMY = HeartbeatPolicy.of(Duration.ofMillis(200), Duration.ofSeconds(3));
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<PresenceEvent> presence = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private final CountDownLatch unfreeze = new CountDownLatch(1);
    private TetherServer server;
    private PresenceFeed feed;
    private AdminServer admin;

    @AfterEach
    void closeAll() throws Exception {
        unfreeze.countDown();
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private void start(int feedCapacity, byte[] token) throws Exception {
        feed = new PresenceFeed(feedCapacity);
        server = TetherServer.builder().host("127.0.0.1").port(0).heartbeat(ROOMY).eventLoopThreads(1)
                .listener(feed).listener(presence::add)
                .messageHandler((session, payload) -> {
                    if (new String(payload, StandardCharsets.UTF_8).equals("freeze")) {
                        try {
                            unfreeze.await(); // holds the server's one event loop: a zombie loop
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                })
                .build().start();
        toClose.add(server);
        admin = TestAdmin.start(server, feed, token);
        toClose.add(admin);
    }

    private TetherClient client(String id) throws InterruptedException {
        TetherClient client = TetherClient.builder().clientId(id).server("127.0.0.1", server.address().getPort())
                .heartbeat(ROOMY).build().start();
        toClose.add(client);
        assertThat(client.awaitOnline(WAIT)).isTrue();
        return client;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + admin.address().getPort() + path);
    }

    @Test
    void metricsHealthSessionsAndKickTellTheTruthAboutRealClients() throws Exception {
        start(100, null);
        for (String id : List.of("alice", "bob", "carol")) {
            client(id);
        }
        await().atMost(WAIT).until(() -> server.sessions().size() == 3
                && server.sessions().stream().allMatch(s -> s.lastRtt() != null));
        try (Socket garbage = new Socket("127.0.0.1", server.address().getPort())) {
            garbage.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            await().atMost(WAIT).until(() -> server.stats().rejected() == 1);
        }

        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).containsPattern("tether_sessions_online\\{engine=\"(compact|channel)\",listener=\"tether\"\\} 3.0").contains("tether_presence_online_total 3.0")
                .contains("tether_presence_offline_total{reason=\"TIMEOUT\"} 0.0").contains("jvm_memory_used_bytes")
                .contains("tether_connections_refused_total{reason=\"PROTOCOL_ERROR\"} 1.0").contains("tether_loop_stalls_total")
                .containsPattern("tether_frames_total\\{direction=\"in\"} [1-9]")
                .containsPattern("tether_heartbeat_rtt_seconds\\{le=\"\\+Inf\"} [3-9]").containsPattern("tether_bytes_total\\{direction=\"out\"} [1-9]");

        HttpResponse<String> health = get("/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(health.body()).get("status").asText()).isEqualTo("UP");

        JsonNode first = JSON.readTree(get("/sessions?limit=2").body());
        assertThat(first.get("online").asInt()).isEqualTo(3);
        assertThat(first.get("sessions")).extracting(s -> s.get("clientId").asText()).containsExactly("alice", "bob");
        JsonNode second = JSON.readTree(get("/sessions?limit=2&cursor=" + first.get("nextCursor").asText()).body());
        assertThat(second.get("sessions")).extracting(s -> s.get("clientId").asText()).containsExactly("carol");
        assertThat(second.get("nextCursor").isNull()).isTrue();
        assertThat(JSON.readTree(get("/sessions?prefix=b").body()).get("sessions")).hasSize(1);
        assertThat(JSON.readTree(get("/sessions/alice").body()).get("timeoutMs").asLong()).isEqualTo(3000);
        assertThat(get("/sessions/nobody").statusCode()).isEqualTo(404);

        HttpResponse<String> kicked = http.send(HttpRequest.newBuilder(uri("/sessions/bob/kick?reason=maintenance"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(kicked.statusCode()).isEqualTo(200);
        await().atMost(WAIT).until(() -> presence.stream().anyMatch(e -> e.clientId().equals("bob")
                && e.reason() == CloseReason.KICKED && e.detail().contains("maintenance")));
        assertThat(get("/sessions/bob/kick").statusCode()).as("GET does not kick").isEqualTo(405);
    }

    @Test
    void theEventStreamResumesFromLastEventIdAndSaysWhatWasDropped() throws Exception {
        start(3, null);
        for (String id : List.of("a", "b", "c", "d")) {
            client(id);
        }
        await().atMost(WAIT).until(() -> feed.nextId() == 5);

        try (Socket socket = new Socket("127.0.0.1", admin.address().getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /events HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            List<String> ids = new ArrayList<>();
            readIds(in, ids, 3); // the three kept: the stream is open
            client("e");
            readIds(in, ids, 4);
            assertThat(ids).as("the three kept, then the new one").containsExactly("2", "3", "4", "5");
        }
        try (Socket socket = new Socket("127.0.0.1", admin.address().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /events HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.startsWith("data: {\"missed\"")) {
                assertThat(line).doesNotStartWith("id: ");
            }
            assertThat(line).contains("\"missed\":1");
        }
    }

    private static void readIds(BufferedReader in, List<String> ids, int until) throws Exception {
        String line;
        while (ids.size() < until && (line = in.readLine()) != null) {
            if (line.startsWith("id: ")) {
                ids.add(line.substring(4));
            }
        }
    }

    @Test
    void aStuckEventLoopTurnsLivenessRed() throws Exception {
        start(10, null);
        TetherClient alice = client("alice");
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        alice.send("freeze".getBytes(StandardCharsets.UTF_8));
        await().atMost(WAIT).until(() -> get("/health/live").statusCode() == 503);
        assertThat(JSON.readTree(get("/health").body()).get("problems").get(0).asText())
                .isEqualTo("an event loop did not answer within 1000 ms");
        unfreeze.countDown();
        await().atMost(WAIT).until(() -> get("/health/live").statusCode() == 200);
    }

    @Test
    void aTokenIsRequiredBeyondLoopbackAndCheckedOnEveryDataPath() throws Exception {
        TetherServer plain = TetherServer.builder().host("127.0.0.1").port(0).build().start();
        toClose.add(plain);
        assertThatThrownBy(() -> AdminServer.builder(plain, new PresenceFeed(1)).host("0.0.0.0").build())
                .hasMessageContaining("beyond loopback without a token");

        byte[] token = "a-token-of-sixteen-bytes-or-more".getBytes(StandardCharsets.UTF_8);
        start(10, token);
        assertThat(get("/sessions").statusCode()).isEqualTo(401);
        assertThat(get("/metrics").statusCode()).isEqualTo(401);
        assertThat(get("/").statusCode()).as("the page itself carries no data").isEqualTo(200);
        HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(uri("/sessions"))
                .header("Authorization", "Bearer a-token-of-sixteen-bytes-or-morx").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(401);
        HttpResponse<String> right = http.send(HttpRequest.newBuilder(uri("/sessions"))
                .header("Authorization", "Bearer a-token-of-sixteen-bytes-or-more").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(right.statusCode()).isEqualTo(200);
    }

    @Test
    void theDashboardAndItsChartLibraryAreServedFromAFixedListUnderAStrictPolicy() throws Exception {
        start(10, "a-token-of-sixteen-bytes-or-more".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("id=\"online-count\"", "id=\"event-feed\"", "/assets/uPlot.iife.min.js");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(policy -> assertThat(policy)
                .contains("script-src 'self'", "frame-ancestors 'none'").doesNotContain("unsafe"));
        HttpResponse<String> uplot = get("/assets/uPlot.iife.min.js");
        assertThat(uplot.statusCode()).as("the chart library is served without a token, like the page").isEqualTo(200);
        assertThat(uplot.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(uplot.body()).startsWith("/*! https://github.com/leeoniya/uPlot (v");
        assertThat(get("/assets/uPlot.min.css").body()).contains(".uplot");
        assertThat(get("/assets/uPlot.LICENSE.txt").body()).contains("MIT");
        for (String path : List.of("/assets/uPlot.esm.js", "/assets/../index.html", "/assets/%2e%2e/dashboard.js",
                "/META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.iife.min.js", "/index.html")) {
            assertThat(get(path).statusCode()).as(path + " is not on the list: a data path, so a token is asked for")
                    .isEqualTo(401);
        }
    }

    @Test
    void hostileRequestsGetAClearStatusAndTheServerStaysUp() throws Exception {
        start(10, null);
        client("alice");
        assertThat(get("/nope").statusCode()).isEqualTo(404);
        assertThat(get("/sessions?limit=0").statusCode()).isEqualTo(400);
        assertThat(get("/sessions?limit=x").statusCode()).isEqualTo(400);
        assertThat(get("/sessions?cursor=!!").statusCode()).isEqualTo(400);
        assertThat(get("/sessions/%E2%80%AE").statusCode()).as("a bidi override is no client id").isEqualTo(400);
        assertThat(raw("GARBAGE\r\n\r\n")).startsWith("HTTP/1.1 400");
        assertThat(raw("POST /sessions/alice/kick HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"))
                .startsWith("HTTP/1.1 413");
        assertThat(raw("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 4");
        assertThat(get("/health").statusCode()).isEqualTo(200);
        assertThat(server.isOnline("alice")).isTrue();
    }

    @Test
    void connectionsPastTheLimitAreClosedAndTheRestStillServed() throws Exception {
        start(10, null);
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 64; i++) {
                Socket socket = new Socket("127.0.0.1", admin.address().getPort());
                held.add(socket);
            }
            // Each held connection has been accepted once a request on it is answered.
            held.get(63).getOutputStream().write("GET /stats HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            held.get(63).setSoTimeout(10_000);
            assertThat(new String(held.get(63).getInputStream().readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
            try (Socket extra = new Socket("127.0.0.1", admin.address().getPort())) {
                extra.setSoTimeout(10_000);
                assertThat(extra.getInputStream().read()).as("the 65th is closed at once").isEqualTo(-1);
            }
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
        await().atMost(WAIT).until(() -> get("/health").statusCode() == 200);
    }

    private String raw(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", admin.address().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            byte[] head = new byte[12];
            int n = in.readNBytes(head, 0, 12);
            return new String(head, 0, n, StandardCharsets.ISO_8859_1);
        }
    }
}
