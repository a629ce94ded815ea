package io.tether.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tether.client.TetherClient;
import io.tether.server.TetherServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every curl command in docs/ADMIN.md works against a real server with alice and bob online, as written. */
class AdminDocumentTest {
    private static final Pattern CURL = Pattern.compile(
            "^curl -s(?<stream> -N)?(?: -X (?<method>POST))?(?: -H '(?<header>[^']+)')? '?127\\.0\\.0\\.1:9100(?<path>/[^' ]*)'?$");

    @Test
    void theDocumentedCurlCommandsAnswerAsTheDocumentSays() throws Exception {
        List<String> commands = Files.readAllLines(Path.of("..", "docs", "ADMIN.md")).stream()
                .filter(l -> l.startsWith("curl ")).toList();
        assertThat(commands).hasSizeGreaterThanOrEqualTo(7);

        PresenceFeed feed = new PresenceFeed(100);
        try (TetherServer server = TetherServer.builder().host("127.0.0.1").port(0).listener(feed).build().start();
             AdminServer admin = AdminServer.builder(server, feed).build().start();
             TetherClient alice = TetherClient.builder().clientId("alice").server("127.0.0.1", server.address().getPort()).build().start();
             TetherClient bob = TetherClient.builder().clientId("bob").server("127.0.0.1", server.address().getPort()).build().start()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> server.sessions().size() == 2);
            List<String> failures = new ArrayList<>();
            for (String command : commands) {
                Matcher curl = CURL.matcher(command);
                assertThat(curl.matches()).as("a curl command this test can run: %s", command).isTrue();
                String method = curl.group("method") != null ? curl.group("method") : "GET";
                String header = curl.group("header") != null ? curl.group("header") + "\r\n" : "";
                String status = firstLines(admin.address().getPort(), method + " " + curl.group("path")
                        + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + header + (curl.group("stream") == null ? "Connection: close\r\n" : "")
                        + "\r\n", curl.group("stream") != null);
                if (!status.startsWith("HTTP/1.1 200")) {
                    failures.add(command + " -> " + status);
                }
            }
            assertThat(failures).isEmpty();
        }
    }

    /** The status line, and for a stream everything up to its first event's data line. */
    private static String firstLines(int port, String request, boolean stream) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String status = in.readLine();
            if (stream) {
                String line;
                while ((line = in.readLine()) != null && !line.startsWith("data: ")) {
                    // headers, retry, id and event lines
                }
                assertThat(line).as("the stream's first event").contains("\"event\":");
            }
            return status;
        }
    }
}
