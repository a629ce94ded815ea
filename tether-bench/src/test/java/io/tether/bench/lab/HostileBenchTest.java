package io.tether.bench.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.cli.TetherCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The hostile-load scenario run for real, small: a server process, 5 healthy clients, 5 s of every attack. */
class HostileBenchTest {
    @Test
    void underEveryAttackNoHealthyClientIsLostNoSessionIsAGhostAndEverySessionEndsOnceInOrder() throws Exception {
        Map<String, String> figures = new LinkedHashMap<>();
        int exit = run(figures, "hostile", "--duration", "5s", "--quiet", "1s", "--healthy", "5",
                "--heartbeat-interval", "1s", "--heartbeat-timeout", "3s", "--attack-rate", "100", "--attackers", "4",
                "--max-attacks", "800", "--dribblers", "4", "--dribble-step", "250ms", "--dribble-for", "4s",
                "--reply-wait", "200ms", "--seed", "10");

        assertThat(figures.get("result")).as("%s", figures).isEqualTo("pass");
        assertThat(exit).isZero();
        assertThat(figures).containsEntry("ghosts", "0").containsEntry("left-online", "0")
                .containsEntry("violations", "0").containsEntry("healthy.offline", "0")
                .containsEntry("healthy.dropped", "0").containsEntry("healthy.clients", "5");
        for (String kind : new String[] {"hello-reset", "handshake-reset", "garbage", "mutated", "dribble-hello", "dribble-data"}) {
            assertThat(Long.parseLong(figures.get("attacks." + kind))).as(kind).isPositive();
        }
        assertThat(Long.parseLong(figures.get("attacks.total"))).isBetween(200L, 800L);
        // The server cut what it must cut: garbage before a HELLO, and a HELLO still dribbling at the handshake deadline.
        assertThat(Long.parseLong(figures.getOrDefault("answers.garbage.goaway.PROTOCOL_ERROR", "0"))).isPositive();
        assertThat(Long.parseLong(figures.getOrDefault("answers.dribble-hello.goaway.PROTOCOL_ERROR", "0"))).isPositive();
        assertThat(Long.parseLong(figures.get("dribble-hello.cut.min.ms"))).isGreaterThanOrEqualTo(3_000);
        assertThat(Long.parseLong(figures.get("dribble-hello.cut.max.ms"))).isLessThan(4_000); // deadline 3 s from accept
        // Two connections flooded REQUESTs, were told RATE_LIMITED, and came back after the server ended them.
        assertThat(Long.parseLong(figures.get("flood.responses"))).isPositive();
        assertThat(Long.parseLong(figures.get("flood.rate-limited"))).isPositive();
        assertThat(Long.parseLong(figures.getOrDefault("flood.goaway.RATE_LIMITED", "0"))).isPositive();
        assertThat(Long.parseLong(figures.get("sessions"))).isGreaterThan(5);
        assertThat(Double.parseDouble(figures.get("healthy.rtt.max.ms"))).isPositive();
        assertThat(Double.parseDouble(figures.get("server.rss.peak.mib"))).isPositive();
    }

    @Test
    void aBadAttackNameIsAUsageError() throws Exception {
        assertThat(run(new LinkedHashMap<>(), "hostile", "--attacks", "garbage,teleport"))
                .isEqualTo(TetherCommand.USAGE_ERROR);
    }

    /** Runs the command with stdout captured, and parses its key=value lines into {@code figures}. */
    private static int run(Map<String, String> figures, String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = BenchMain.execute(args);
        } finally {
            System.setOut(original);
        }
        original.print(captured.toString(StandardCharsets.UTF_8)); // the figures stay in the test's report
        for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                figures.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        return exit;
    }
}
