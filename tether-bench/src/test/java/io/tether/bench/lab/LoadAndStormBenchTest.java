package io.tether.bench.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.protocol.CloseReason;
import io.tether.server.TetherServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The measurement commands run for real, small: on 127.0.0.1, a few connections, a second or two each. */
class LoadAndStormBenchTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void loadHoldsItsConnectionsPingsOnEachAndReportsTheServersCost() throws Exception {
        try (TetherServer server = fastServer()) {
            Path json = dir.resolve("tether.json");
            int exit = BenchMain.execute("load", "--target", "127.0.0.1:" + server.address().getPort(),
                    "--connections", "20", "--interval", "100ms", "--warmup", "300ms", "--duration", "1s",
                    "--server-pid", Long.toString(ProcessHandle.current().pid()), "--json", json.toString());

            assertThat(exit).isZero();
            JsonNode result = JSON.readTree(json.toFile());
            assertThat(result.get("held").asLong()).isEqualTo(20);
            assertThat(result.get("failed").asLong()).isZero();
            assertThat(result.get("pongs").asLong()).isPositive();
            assertThat(result.get("pongs").asLong()).isLessThanOrEqualTo(result.get("pings").asLong() + 20);
            assertThat(result.get("rttMaxMs").asDouble()).isPositive();
            assertThat(result.get("cpuMicrosPerPing").isNumber()).isTrue();
            assertThat(result.get("rssAfterKib").asLong()).isPositive();
            assertThat(server.stats().accepted()).isEqualTo(20);
        }
    }

    @Test
    void loadBeyondOneProcessIsSplitOverWorkersAndAddedUp() throws Exception {
        try (TetherServer server = fastServer()) {
            Path json = dir.resolve("split.json");
            int exit = BenchMain.execute("load", "--target", "127.0.0.1:" + server.address().getPort(),
                    "--connections", "9", "--per-process", "4", "--interval", "100ms", "--warmup", "300ms",
                    "--duration", "1s", "--json", json.toString());

            assertThat(exit).isZero();
            JsonNode result = JSON.readTree(json.toFile());
            assertThat(result.get("held").asLong()).isEqualTo(9);
            assertThat(result.get("pongs").asLong()).isPositive();
            // Three workers with ids of their own: none replaced another.
            assertThat(server.stats().accepted()).isEqualTo(9);
            assertThat(server.stats().offlineByReason().getOrDefault(CloseReason.REPLACED, 0L)).isZero();
        }
    }

    @Test
    void compareTabulatesResultsAndDrawsTheChart() throws Exception {
        Path a = dir.resolve("alpha.json");
        Path b = dir.resolve("beta.json");
        Files.writeString(a, "{\"held\":19000,\"pongs\":570000,\"missing\":0,\"cpuMicrosPerPing\":7.5,"
                + "\"rssKibPerConnection\":1.25,\"pssKibPerConnection\":1.0,\"rttP50Ms\":0.1,\"rttP99Ms\":0.4,"
                + "\"rttP999Ms\":0.7,\"rttMaxMs\":3.0}");
        Files.writeString(b, "{\"held\":18000,\"pongs\":540000,\"missing\":3,\"cpuMicrosPerPing\":11.0,"
                + "\"rssKibPerConnection\":8.0,\"rttP50Ms\":0.2,\"rttP99Ms\":0.9,\"rttP999Ms\":1.5,\"rttMaxMs\":9.0}");
        Path png = dir.resolve("chart.png");

        String out = captureOut(() -> BenchMain.execute("compare", "--chart", png.toString(),
                a.toString(), b.toString()));

        assertThat(out).contains("| alpha | 19,000 | 570,000 | 0 | 7.50 | 1.25 | 1.00 |")
                .contains("| beta | 18,000 | 540,000 | 3 | 11.00 | 8.00 | NaN |");
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isGreaterThan(image.getHeight());
    }

    @Test
    void stormRestartsTheServerAndEveryClientComesBack() throws Exception {
        String out = captureOut(() -> BenchMain.execute("storm", "--clients", "40",
                "--heartbeat-interval", "200ms", "--heartbeat-timeout", "1s", "--limit", "30s"));

        assertThat(out).contains("all 40 online; restarting the server")
                .contains("all 40 back online")
                .contains("clients that gave up: 0")
                // The old server told every client why it went: each left ONLINE once, for that reason.
                .contains("sessions that left ONLINE from SIGTERM on, as the clients saw it: {server:SERVER_SHUTDOWN=40")
                .contains("OFFLINE events of the new server until all were back, by reason: {");
    }

    @Test
    void aStormTellsWhoEndedEachSessionFromTheClientsReason() {
        assertThat(StormClients.why("server said goodbye: TIMEOUT - no bytes for 3001 ms")).isEqualTo("server:TIMEOUT");
        assertThat(StormClients.why("server said goodbye: SERVER_SHUTDOWN - server is shutting down"))
                .isEqualTo("server:SERVER_SHUTDOWN");
        assertThat(StormClients.why("server silent for 3004 ms (timeout 3000 ms)")).isEqualTo("client:TIMEOUT");
        assertThat(StormClients.why("connection broken: Connection reset by peer")).isEqualTo("reset");
        assertThat(StormClients.why("connection closed by the server")).isEqualTo("closed");
        assertThat(StormClients.why("something new")).isEqualTo("other");
    }

    private static TetherServer fastServer() throws Exception {
        return TetherServer.builder().host("127.0.0.1").port(0)
                .heartbeat(HeartbeatPolicy.of(Duration.ofMillis(100), Duration.ofSeconds(2))).build().start();
    }

    private static String captureOut(java.util.concurrent.Callable<Integer> command) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            command.call();
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
