package io.tether.bench.lab;

import io.tether.cli.EventJson;
import io.tether.cli.HeartbeatOptions;
import io.tether.cli.UntilSignalled;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.heartbeat.HeartbeatProfile;
import io.tether.server.TetherServer;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The server process of {@code tether bench hostile}: a real server with the default limits, on
 * 127.0.0.1 only, that answers every REQUEST with its own payload (so a request flood costs the server a
 * handler call and a response each, as it would with an application behind it), and writes every ONLINE
 * and OFFLINE to a file as one JSON line, in the order the listener saw them. SIGTERM closes it gracefully.
 */
@Command(name = "hostile-server", hidden = true, description = "The echoing server process of tether bench hostile.")
final class HostileServer implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--port", required = true)
    int port;

    /** A file of its own, not stdout: a test's logging configuration may send log lines to stdout. */
    @Option(names = "--events-file", required = true)
    Path eventsFile;

    @Mixin
    HeartbeatOptions heartbeat = new HeartbeatOptions(HeartbeatProfile.STRICT);

    @Option(names = "--threads", description = "Event loop threads. Default: one per core.")
    int threads = Runtime.getRuntime().availableProcessors();

    @Override
    public Integer call() throws Exception {
        HeartbeatPolicy policy = heartbeat.resolve(spec.commandLine());
        PrintStream out = new PrintStream(Files.newOutputStream(eventsFile), false, StandardCharsets.UTF_8);
        TetherServer server = TetherServer.builder().host("127.0.0.1").port(port).heartbeat(policy)
                .eventLoopThreads(threads)
                .requestHandler((session, payload) -> CompletableFuture.completedFuture(payload))
                .listener(event -> {
                    // One writer at a time, so the file holds the events in the order they were delivered.
                    synchronized (out) {
                        out.println(EventJson.line(event));
                        out.flush();
                    }
                }).build().start();
        UntilSignalled.run(server::close);
        return 0;
    }
}
