package io.tether.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tether.protocol.Hello;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged {@code tether.jar} (system property {@code tether.jar}) run as separate processes, the way a
 * user runs it, each one's output in files under a test's directory; {@link #close} kills what still runs.
 */
final class TetherProcesses implements AutoCloseable {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path logs;
    private final List<Running> processes = new ArrayList<>();

    TetherProcesses(Path logs) {
        this.logs = logs;
    }

    /**
     * A started process whose stdout and stderr go to files: a pipe read by a thread can lose the last
     * lines when the JDK drains and closes it as the process exits, and the last lines are the shutdown.
     */
    record Running(Process process, Path outFile, Path errFile) {
        List<String> out() {
            return lines(outFile);
        }

        List<String> err() {
            return lines(errFile);
        }

        boolean saw(String text) {
            return out().stream().anyMatch(line -> line.contains(text));
        }

        boolean sawOnErr(String text) {
            return err().stream().anyMatch(line -> line.contains(text));
        }

        private static List<String> lines(Path file) {
            try {
                return Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Runs {@code tether args}. */
    Running start(String... args) throws IOException {
        return start(List.of(), args);
    }

    /** Runs {@code tether args} on a JVM given {@code jvmOptions} too. */
    Running start(List<String> jvmOptions, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", System.getProperty("tether.jar")));
        command.addAll(List.of(args));
        Path out = logs.resolve("process-" + processes.size() + ".out");
        Path err = logs.resolve("process-" + processes.size() + ".err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        Running running = new Running(process, out, err);
        processes.add(running);
        return running;
    }

    /** SIGKILLs every process still running (a stopped one too) and waits for each to end. */
    @Override
    public void close() throws InterruptedException {
        for (Running running : processes) {
            running.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    /** The JSON lines {@code running} printed on stdout ({@code --events jsonl}). */
    static List<JsonNode> json(Running running) throws IOException {
        List<JsonNode> events = new ArrayList<>();
        for (String line : running.out()) {
            if (line.endsWith("}")) { // a line still being written is read next time
                events.add(MAPPER.readTree(line));
            }
        }
        return events;
    }

    static boolean hasEvent(Running server, String event, String clientId, String reason) throws IOException {
        return json(server).stream().anyMatch(e -> e.get("event").asText().equals(event)
                && e.get("clientId").asText().equals(clientId)
                && (reason == null || reason.equals(e.get("reason").asText())));
    }

    /**
     * A raw client on 127.0.0.1:{@code port} that sends its HELLO as {@code id} and nothing else: no heartbeat,
     * no reconnect. It stays online while the server's heartbeat timeout allows silence.
     */
    static Socket helloAs(int port, String id) throws IOException {
        Socket client = new Socket("127.0.0.1", port);
        ByteBuf hello = new Hello(Hello.PROTOCOL_VERSION, 0, id).encode(UnpooledByteBufAllocator.DEFAULT);
        byte[] bytes = new byte[hello.readableBytes()];
        hello.readBytes(bytes).release();
        client.getOutputStream().write(bytes);
        return client;
    }
}
