package io.tether.cli.bench;

import io.tether.cli.CliTypes;
import io.tether.heartbeat.HeartbeatPolicy;
import java.net.InetSocketAddress;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The options every worker process that plays many clients takes from its harness. */
final class SimulatedClients {
    @Option(names = "--server", required = true, converter = CliTypes.HostPortConverter.class)
    InetSocketAddress server;

    @Option(names = "--count", required = true)
    int count;

    @Option(names = "--prefix", required = true)
    String prefix;

    @Option(names = "--interval", required = true, converter = CliTypes.DurationConverter.class)
    Duration interval;

    @Option(names = "--timeout", required = true, converter = CliTypes.DurationConverter.class)
    Duration timeout;

    /** The server's address, resolved (the option keeps it unresolved, as typed). */
    InetSocketAddress target() {
        return CliTypes.HostPortConverter.resolved(server);
    }

    HeartbeatPolicy heartbeat() {
        return HeartbeatPolicy.of(interval, timeout);
    }
}
