package io.tether.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * A real redis-server for tests, never a mock: its own process on 127.0.0.1, on a port free when it started
 * (never a fixed one, so never a system Redis's 6379), in its own temporary directory. Persistence is off unless
 * {@link Options#persistent()} asks for it. It can be stopped with SHUTDOWN, killed with SIGKILL, frozen with
 * SIGSTOP and thawed, and started again on the same port and directory. Tests talk to it through Lettuce or, for
 * a check of its own, through {@link #command}: a raw RESP call, so tether-core needs no Redis client.
 *
 * <p>{@link #start} skips the calling test, saying why, when redis-server is not installed ({@code ./test}
 * installs Debian's package when it can; {@code TETHER_REDIS_SERVER} names another binary). Every process is
 * killed by {@link #close}, and by a JVM shutdown hook should a test leave one behind.
 */
public final class RedisProcess implements AutoCloseable {
    static final Duration READY = Duration.ofSeconds(20);
    static final Duration REPLY = Duration.ofSeconds(5);
    private static final String READY_LINE = "Ready to accept connections";
    private static final int PORT_TRIES = 5;
    private static final int LOG_LINES = 200;
    private static final Set<RedisProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(RedisProcess::close), "redis-process-backstop"));
    }

    private final int port;
    private final Path dir;
    private final Options options;
    private final Deque<String> log = new ArrayDeque<>(); // its last LOG_LINES lines over every run; guarded by itself
    private volatile Process process;

    private RedisProcess(int port, Path dir, Options options) {
        this.port = port;
        this.dir = dir;
        this.options = options;
    }

    /** How a redis-server runs: persistence, and any other redis-server arguments. Immutable. */
    public static final class Options {
        private final boolean persistent;
        private final boolean clusterNode;
        private final List<String> args;

        private Options(boolean persistent, boolean clusterNode, List<String> args) {
            this.persistent = persistent;
            this.clusterNode = clusterNode;
            this.args = List.copyOf(args);
        }

        /** No RDB snapshots, no append-only file: what a restart finds is an empty server. */
        public static Options defaults() {
            return new Options(false, false, List.of());
        }

        /**
         * An append-only file, fsynced before each write is answered ({@code appendfsync always}): a write
         * Redis acknowledged survives a SHUTDOWN, a SIGKILL and a restart.
         */
        public Options persistent() {
            return new Options(true, clusterNode, args);
        }

        /** Adds redis-server arguments, like {@code "--cluster-node-timeout", "2000"}. */
        public Options args(String... more) {
            List<String> all = new ArrayList<>(args);
            all.addAll(List.of(more));
            return new Options(persistent, clusterNode, all);
        }

        /** A node of a Redis Cluster, its configuration file in its own directory. */
        Options clusterNode() {
            return new Options(persistent, true, args);
        }

        List<String> command(int port, Path dir) {
            List<String> command = new ArrayList<>(List.of(RedisBinaries.server().toString(), "--port", String.valueOf(port),
                    "--bind", "127.0.0.1", "--dir", dir.toString(), "--daemonize", "no", "--logfile", "",
                    "--save", "", "--appendonly", persistent ? "yes" : "no"));
            if (persistent) {
                command.addAll(List.of("--appendfsync", "always"));
            }
            if (clusterNode) {
                command.addAll(List.of("--cluster-enabled", "yes", "--cluster-config-file", dir.resolve("nodes.conf").toString()));
            }
            command.addAll(args);
            return command;
        }
    }

    /** An error reply to {@link #command} ({@code ERR ...}, {@code MOVED ...}, ...): {@link #reply()} is its text. */
    public static final class ErrorReply extends IllegalStateException {
        private final String reply;

        ErrorReply(int port, String command, String reply) {
            super("redis at 127.0.0.1:" + port + " answered " + command + " with the error reply: " + reply);
            this.reply = reply;
        }

        public String reply() {
            return reply;
        }
    }

    /** Skips the calling test, with the reason, unless redis-server is installed. */
    public static void assumeAvailable() {
        RedisBinaries.assumeInstalled(RedisBinaries.server());
    }

    /** A redis-server with persistence off, ready: it has answered PING. */
    public static RedisProcess start() throws IOException {
        return start(Options.defaults());
    }

    /** A redis-server run as {@code options} say, ready: it has answered PING. */
    public static RedisProcess start(Options options) throws IOException {
        assumeAvailable();
        for (int attempt = 1; ; attempt++) {
            RedisProcess redis = new RedisProcess(freePort(options.clusterNode), Files.createTempDirectory("tether-redis-"),
                    options);
            try {
                redis.launch();
                return redis;
            } catch (PortTaken taken) {
                redis.close();
                if (attempt == PORT_TRIES) {
                    throw new IllegalStateException("redis-server found its port taken " + PORT_TRIES
                            + " times in a row; the last time: " + taken.getMessage());
                }
            } catch (IOException | RuntimeException e) {
                redis.close();
                throw e;
            }
        }
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:PORT}, as Lettuce takes it. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Its working directory: RDB, append-only files and, for a cluster node, nodes.conf. */
    public Path dir() {
        return dir;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isRunning() {
        Process running = process;
        return running != null && running.isAlive();
    }

    /** Its recent log lines (at most the last 200, over every run), for a failing test to show. */
    public String log() {
        synchronized (log) {
            return String.join("\n", log);
        }
    }

    /** Sends one command on a new connection and returns the reply as text (see {@link Resp}). */
    public String command(String... args) throws IOException {
        return commandWithin(REPLY, args);
    }

    /** {@link #command}, giving up (SocketTimeoutException) when connecting or the reply takes longer than {@code timeout}. */
    public String commandWithin(Duration timeout, String... args) throws IOException {
        return Resp.call(port, timeout, args);
    }

    /** SHUTDOWN NOSAVE, and waits for the process to end. An append-only file, if on, is kept. */
    public void stop() throws IOException {
        shutdown("NOSAVE");
    }

    /** SHUTDOWN SAVE: writes an RDB snapshot (persistence on or off), which the next start loads; waits for the end. */
    public void stopSaving() throws IOException {
        shutdown("SAVE");
    }

    /** SIGKILL, as a crash or an OOM killer would, and waits for the process to end. */
    public void kill() throws IOException {
        Process running = process;
        running.destroyForcibly();
        awaitExit(running, "SIGKILL");
    }

    /** SIGSTOP: the process stays and its port accepts connections, but nothing is answered until {@link #resume}. */
    public void pause() throws IOException {
        Subprocess.signal(pid(), "STOP", true, REPLY);
    }

    /** SIGCONT after {@link #pause}: it answers again, commands sent meanwhile first. */
    public void resume() throws IOException {
        Subprocess.signal(pid(), "CONT", false, REPLY);
    }

    /** Starts it again on the same port and directory (killing it first if it still runs) and waits until ready. */
    public void restart() throws IOException {
        if (isRunning()) {
            kill();
        }
        try {
            launch();
        } catch (PortTaken taken) {
            throw new IllegalStateException("redis-server could not start again on its port: " + taken.getMessage());
        }
    }

    /** Kills the process if it still runs and deletes its directory. */
    @Override
    public void close() {
        LIVE.remove(this);
        Process running = process;
        if (running != null) {
            running.destroyForcibly();
            try {
                within(REPLY, running.onExit()); // a process SIGKILL does not end in seconds is beyond a test's help
            } catch (InterruptedIOException e) {
                Thread.currentThread().interrupt();
            }
        }
        deleteTree(dir);
    }

    @Override
    public String toString() {
        return "redis-server on 127.0.0.1:" + port + (isRunning() ? " (pid " + pid() + ")" : " (not running)");
    }

    private void launch() throws IOException {
        LIVE.add(this);
        Process started = new ProcessBuilder(options.command(port, dir)).directory(dir.toFile())
                .redirectErrorStream(true).start();
        process = started;
        CompletableFuture<Void> ready = new CompletableFuture<>();
        CompletableFuture<Void> drained = new CompletableFuture<>();
        AtomicBoolean portTaken = new AtomicBoolean();
        Thread reader = new Thread(() -> follow(started, ready, portTaken, drained), "redis-" + port + "-log");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!within(READY, CompletableFuture.anyOf(ready, started.onExit()))) {
                started.destroyForcibly();
                throw new IllegalStateException(this + " was not ready within " + READY.toSeconds()
                        + " s; its log ends:\n" + log());
            }
            if (!ready.isDone()) {
                within(REPLY, drained); // its last words, which say why (unless a child of its holds the pipe)
                String why = "redis-server exited with code " + started.exitValue() + " before it was ready on"
                        + " 127.0.0.1:" + port + "; its log ends:\n" + log();
                throw portTaken.get() ? new PortTaken(why) : new IllegalStateException(why);
            }
        } catch (InterruptedIOException e) {
            started.destroyForcibly();
            throw e;
        }
        String pong = command("PING");
        if (!"PONG".equals(pong)) {
            throw new IllegalStateException(this + " logged \"" + READY_LINE + "\" but answered PING with " + pong);
        }
    }

    /**
     * Keeps its log (stdout and stderr), completes {@code ready} when it says it accepts connections and sets
     * {@code portTaken} when it says it could not listen (its port or, for a cluster node, its bus port).
     */
    private void follow(Process started, CompletableFuture<Void> ready, AtomicBoolean portTaken,
            CompletableFuture<Void> drained) {
        try (BufferedReader in = started.inputReader(StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                synchronized (log) {
                    if (log.size() == LOG_LINES) {
                        log.removeFirst();
                    }
                    log.addLast(line);
                }
                if (line.contains(READY_LINE)) {
                    ready.complete(null);
                } else if (line.contains("Address already in use")) {
                    portTaken.set(true);
                }
            }
        } catch (IOException closed) {
            // the process, or close(), ended the pipe
        } finally {
            drained.complete(null);
        }
    }

    private void shutdown(String mode) throws IOException {
        Process running = process;
        Resp.shutdown(port, REPLY, mode);
        awaitExit(running, "SHUTDOWN " + mode);
    }

    private void awaitExit(Process running, String after) throws IOException {
        if (!within(REPLY, running.onExit())) {
            throw new IllegalStateException(this + " still runs " + REPLY.toSeconds() + " s after " + after
                    + "; its log ends:\n" + log());
        }
    }

    /** Whether {@code future} completed within {@code timeout}, however it completed. */
    private static boolean within(Duration timeout, CompletableFuture<?> future) throws InterruptedIOException {
        try {
            future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a redis-server");
        }
    }

    /**
     * A loopback port no one listened on a moment ago; for a cluster node, one whose cluster bus port (10000
     * above) is free and valid too. Another process may still take it first: then redis-server exits with
     * "Address already in use" and {@link #start} asks again.
     */
    private static int freePort(boolean withBus) throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        for (int tries = 0; tries < 100; tries++) {
            int port;
            try (ServerSocket socket = new ServerSocket(0, 1, loopback)) {
                port = socket.getLocalPort();
            }
            if (!withBus) {
                return port;
            }
            if (port + 10000 <= 65535) {
                try {
                    new ServerSocket(port + 10000, 1, loopback).close();
                    return port;
                } catch (IOException taken) {
                    // try another
                }
            }
        }
        throw new IllegalStateException("no free loopback port with a free cluster bus port (10000 above it) in 100 tries");
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (java.nio.file.NoSuchFileException gone) {
            // already deleted
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + root, e);
        }
    }

    /** redis-server exited because its port (or its cluster bus port) was taken after we found it free. */
    private static final class PortTaken extends IllegalStateException {
        PortTaken(String message) {
            super(message);
        }
    }
}
