package io.tether.bench.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.HdrHistogram.Histogram;

/**
 * One process's part of a load run: the coordinating process itself, or a worker child when the load needs
 * more connections than one process may hold open.
 */
interface LoadShare extends AutoCloseable {
    ObjectMapper JSON = new ObjectMapper();

    /** Opens this share's connections; returns when each has finished its handshake or failed. */
    void open() throws Exception;

    long ready();

    void startWindow() throws IOException;

    void requestReport() throws IOException;

    LoadDriver.Window awaitReport() throws Exception;

    @Override
    void close() throws Exception;

    static ObjectNode toJson(LoadDriver.Window w) {
        ByteBuffer buffer = ByteBuffer.allocate(w.rtt().getNeededByteBufferCapacity());
        int length = w.rtt().encodeIntoCompressedByteBuffer(buffer);
        ObjectNode node = JSON.createObjectNode().put("attempted", w.attempted()).put("ready", w.ready())
                .put("failed", w.failed()).put("dropped", w.dropped()).put("refused", w.refused())
                .put("unexpected", w.unexpected()).put("pings", w.pings()).put("pongs", w.pongs())
                .put("missing", w.missing())
                .put("rtt", Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length)));
        if (w.firstProblem() != null) {
            node.put("problem", w.firstProblem());
        }
        return node;
    }

    static LoadDriver.Window fromJson(JsonNode n) throws java.util.zip.DataFormatException {
        Histogram rtt = Histogram.decodeFromCompressedByteBuffer(
                ByteBuffer.wrap(Base64.getDecoder().decode(n.get("rtt").asText())), 0);
        return new LoadDriver.Window(n.get("attempted").asLong(), n.get("ready").asLong(), n.get("failed").asLong(),
                n.get("dropped").asLong(), n.get("refused").asLong(), n.get("unexpected").asLong(),
                n.get("pings").asLong(), n.get("pongs").asLong(), n.get("missing").asLong(), rtt,
                n.has("problem") ? n.get("problem").asText() : null);
    }

    /** The share run by this process. */
    final class Local implements LoadShare {
        private final LoadDriver driver;
        private final int count;
        private final int perSecond;

        Local(LoadDriver driver, int count, int perSecond) {
            this.driver = driver;
            this.count = count;
            this.perSecond = perSecond;
        }

        @Override
        public void open() throws InterruptedException {
            driver.open(count, perSecond, Duration.ofSeconds(30).plusSeconds(count / Math.max(1, perSecond)));
        }

        @Override
        public long ready() {
            return driver.ready();
        }

        @Override
        public void startWindow() {
            driver.startWindow();
        }

        @Override
        public void requestReport() {
        }

        @Override
        public LoadDriver.Window awaitReport() {
            return driver.endWindow();
        }

        @Override
        public void close() {
            driver.close();
        }
    }

    /** A worker child: commands go to its standard input, answers come back as lines in its output file. */
    final class Remote implements LoadShare {
        private final Processes.Child child;
        private final OutputStream commands;
        private long ready;

        Remote(Processes.Child child) {
            this.child = child;
            this.commands = child.process().getOutputStream();
        }

        @Override
        public void open() throws IOException {
            String line = awaitLine("opened ", Duration.ofMinutes(5));
            ready = Long.parseLong(line.split(" ")[1]);
        }

        @Override
        public long ready() {
            return ready;
        }

        @Override
        public void startWindow() throws IOException {
            command("window");
        }

        @Override
        public void requestReport() throws IOException {
            command("report");
        }

        @Override
        public LoadDriver.Window awaitReport() throws Exception {
            return fromJson(JSON.readTree(awaitLine("report ", Duration.ofMinutes(1)).substring("report ".length())));
        }

        @Override
        public void close() throws Exception {
            commands.close(); // end of input: the worker closes its connections and exits
            if (!child.process().waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                child.stop();
            }
        }

        private void command(String text) throws IOException {
            commands.write((text + "\n").getBytes(StandardCharsets.US_ASCII));
            commands.flush();
        }

        private String awaitLine(String prefix, Duration limit) throws IOException {
            String[] found = new String[1];
            boolean seen = Processes.waitFor(limit, () -> {
                found[0] = lineStartingWith(prefix).orElse(null);
                return found[0] != null || !child.process().isAlive();
            });
            if (found[0] == null) {
                found[0] = lineStartingWith(prefix).orElse(null);
            }
            if (!seen || found[0] == null) {
                throw new IOException("load worker " + child.pid() + " did not say '" + prefix.trim() + "': "
                        + Files.readString(child.err()).lines().reduce((a, b) -> b).orElse("(no error output)"));
            }
            return found[0];
        }

        private Optional<String> lineStartingWith(String prefix) {
            try {
                return Files.readAllLines(child.out()).stream().filter(l -> l.startsWith(prefix)).reduce((a, b) -> b);
            } catch (IOException e) {
                return Optional.empty();
            }
        }
    }
}
