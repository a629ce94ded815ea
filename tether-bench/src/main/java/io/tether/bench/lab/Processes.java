package io.tether.bench.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tether.cli.TetherCommand;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Child processes of the benchmarks: this same class path run again, with output to files (never pipes). */
final class Processes {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Processes() {
    }

    /** A running child with its stdout and stderr files. */
    record Child(Process process, Path out, Path err) {
        long pid() {
            return process.pid();
        }

        /** The child's collector log: one line per GC event, stamped with the epoch millisecond. */
        Path gcLog() {
            String name = out.getFileName().toString();
            return out.resolveSibling(name.substring(0, name.length() - ".out".length()) + ".gc");
        }

        boolean said(String text) throws IOException {
            return Files.readString(out, StandardCharsets.UTF_8).contains(text)
                    || Files.readString(err, StandardCharsets.UTF_8).contains(text);
        }

        void signal(String signal) throws IOException, InterruptedException {
            if (process.isAlive()) {
                new ProcessBuilder("kill", "-" + signal, String.valueOf(pid()))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            }
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Runs a product command ({@code tether server ...}) from this class path, as {@link #start} describes. */
    static Child tether(Path dir, String name, List<String> prefix, String... args) throws IOException {
        return start(dir, name, prefix, TetherCommand.class, args);
    }

    /** Runs a bench command ({@code tether bench peers ...}, given without "bench") from this class path. */
    static Child bench(Path dir, String name, List<String> prefix, String... args) throws IOException {
        return start(dir, name, prefix, BenchMain.class, args);
    }

    /**
     * Starts {@code main} from this class path with the launcher's default JVM options (Shenandoah for the
     * server, as {@code ./tether} does, serial elsewhere). For a child named "server…",
     * {@code TETHER_BENCH_SERVER_JAVA_OPTS} replaces them, for comparing garbage collectors and heap settings;
     * for any other child {@code TETHER_BENCH_WORKER_JAVA_OPTS} is added to them (a flight recording, say).
     */
    private static Child start(Path dir, String name, List<String> prefix, Class<?> main, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.add(ProcessHandle.current().info().command().orElse("java"));
        String serverOpts = System.getenv("TETHER_BENCH_SERVER_JAVA_OPTS");
        if (name.startsWith("server") && serverOpts != null && !serverOpts.isBlank()) {
            command.addAll(List.of(serverOpts.trim().split("\\s+")));
        } else if (name.startsWith("server")) {
            command.addAll(serverCollector());
            command.add("-Xss512k");
        } else {
            command.addAll(List.of("-XX:+UseSerialGC", "-Xss512k"));
            String workerOpts = System.getenv("TETHER_BENCH_WORKER_JAVA_OPTS"); // e.g. to record a flight
            if (workerOpts != null && !workerOpts.isBlank()) {
                command.addAll(List.of(workerOpts.trim().split("\\s+")));
            }
        }
        command.add("-Xlog:gc:file=" + dir.resolve(name + ".gc") + ":timemillis"); // see Child.gcLog
        command.add("-Dio.netty.leakDetection.level=disabled"); // as ./tether runs every command
        if (Runtime.version().feature() >= 24) {
            // As ./tether does: Netty's off-heap buffers and native transport, without warnings on new JDKs.
            command.addAll(List.of("--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED"));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new Child(process, out, err);
    }

    private static List<String> serverCollector;

    /** As {@code ./tether server}: Shenandoah with compact heuristics, or ZGC on a JDK built without it. */
    private static synchronized List<String> serverCollector() {
        if (serverCollector == null) {
            List<String> shenandoah = List.of("-XX:+UseShenandoahGC", "-XX:ShenandoahGCHeuristics=compact");
            List<String> probe = new ArrayList<>();
            probe.add(ProcessHandle.current().info().command().orElse("java"));
            probe.addAll(shenandoah);
            probe.add("-version");
            boolean available;
            try {
                Process java = new ProcessBuilder(probe).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                available = java.waitFor(30, TimeUnit.SECONDS) && java.exitValue() == 0;
            } catch (IOException e) {
                available = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                available = false;
            }
            serverCollector = available ? shenandoah : List.of("-XX:+UseZGC");
        }
        return serverCollector;
    }

    /** Polls {@code condition} every 20 ms until it holds or {@code limit} passes; returns whether it held. */
    static boolean waitFor(Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        return condition.getAsBoolean();
    }

    /** Reads a growing JSON-lines file incrementally: only complete new lines are parsed. */
    static final class EventTail {
        private final Path file;
        private long offset;
        private final List<JsonNode> events = new ArrayList<>();

        EventTail(Path file) {
            this.file = file;
        }

        List<JsonNode> events() {
            try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
                if (in.length() > offset) {
                    in.seek(offset);
                    byte[] bytes = new byte[(int) (in.length() - offset)];
                    in.readFully(bytes);
                    int lastNewline = lastIndexOf(bytes, (byte) '\n');
                    if (lastNewline >= 0) {
                        String text = new String(bytes, 0, lastNewline + 1, StandardCharsets.UTF_8);
                        for (String line : text.split("\n")) {
                            if (!line.isBlank()) {
                                events.add(JSON.readTree(line));
                            }
                        }
                        offset += lastNewline + 1;
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return events;
        }

        long count(String event, String prefix) {
            return events().stream().filter(e -> e.get("event").asText().equals(event)
                    && e.get("clientId").asText().startsWith(prefix)).count();
        }

        private static int lastIndexOf(byte[] bytes, byte b) {
            for (int i = bytes.length - 1; i >= 0; i--) {
                if (bytes[i] == b) {
                    return i;
                }
            }
            return -1;
        }
    }
}
