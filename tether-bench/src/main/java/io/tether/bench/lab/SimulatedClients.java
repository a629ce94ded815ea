package io.tether.bench.lab;

import io.tether.cli.CliTypes;
import io.tether.cli.Within;
import io.tether.heartbeat.HeartbeatPolicy;
import java.net.InetSocketAddress;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The options every worker process that plays many clients takes from its harness. */
final class SimulatedClients {
    @Option(names = "--server", required = true, converter = CliTypes.HostPortConverter.class)
    InetSocketAddress server;

    @Option(names = "--count", required = true)
    @Within(min = "1", max = "19500", why = "20,000 open files a process")
    int count;

    @Option(names = "--prefix", required = true)
    String prefix;

    @Option(names = "--interval", required = true, converter = CliTypes.DurationConverter.class)
    @Within(min = "1ms", max = "1h")
    Duration interval;

    @Option(names = "--timeout", required = true, converter = CliTypes.DurationConverter.class)
    @Within(min = "1ms", max = "24h")
    Duration timeout;

    /** The server's address, resolved (the option keeps it unresolved, as typed). */
    InetSocketAddress target() {
        return CliTypes.HostPortConverter.resolved(server);
    }

    HeartbeatPolicy heartbeat() {
        return HeartbeatPolicy.of(interval, timeout);
    }
}
