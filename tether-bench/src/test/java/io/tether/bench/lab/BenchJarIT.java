package io.tether.bench.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged {@code tether-bench.jar} run as {@code ./tether bench} runs it: {@code java -jar}. */
class BenchJarIT {
    @TempDir
    Path dir;

    /** Runs the jar to its end; returns its exit code, with stdout and stderr lines added to the lists. */
    private int run(List<String> out, List<String> err, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", System.getProperty("tether.bench.jar")));
        command.addAll(List.of(args));
        Path outFile = dir.resolve("out");
        Path errFile = dir.resolve("err");
        Process process = new ProcessBuilder(command).redirectOutput(outFile.toFile()).redirectError(errFile.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("tether-bench.jar " + String.join(" ", args) + " did not end within 60 s");
        }
        out.addAll(Files.readAllLines(outFile, StandardCharsets.UTF_8));
        err.addAll(Files.readAllLines(errFile, StandardCharsets.UTF_8));
        return process.exitValue();
    }

    @Test
    void helpListsTheBenchCommands() throws Exception {
        List<String> out = new ArrayList<>();
        List<String> err = new ArrayList<>();

        assertThat(run(out, err, "--help")).isZero();

        assertThat(String.join("\n", out)).startsWith("Usage: tether bench").contains("load", "storm", "faults", "hostile");
        assertThat(err).isEmpty();
    }

    /** One line on stderr: also proves the jar carries its logging backend (else SLF4J warns there). */
    @Test
    void aBadFlagIsOneLineAndExitCodeTwo() throws Exception {
        List<String> out = new ArrayList<>();
        List<String> err = new ArrayList<>();

        assertThat(run(out, err, "load", "--interval", "1ms")).isEqualTo(2);

        assertThat(err).containsExactly(
                "tether bench load: --interval must be within 10ms..1h, got 1ms (see 'tether bench load --help')");
    }
}
