package io.tether.keeper;

import io.tether.testing.Upstream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;

/** Keepers and upstreams on 127.0.0.1, closed after each test, and the events they produced. */
abstract class KeeperHarness {
    static final ProbeSpec REDIS_PING = ProbeSpec.exchange("PING\r\n".getBytes(StandardCharsets.US_ASCII),
            "+PONG".getBytes(StandardCharsets.US_ASCII));

    final List<EndpointEvent> events = new CopyOnWriteArrayList<>();
    final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();

    Upstream upstream() throws IOException {
        Upstream upstream = new Upstream();
        toClose.add(upstream);
        return upstream;
    }

    EndpointConfig.Builder endpoint(String name, int port) {
        return EndpointConfig.builder(name, "127.0.0.1", port)
                .checkInterval(Duration.ofMillis(100))
                .probeTimeout(Duration.ofMillis(200))
                .connectTimeout(Duration.ofSeconds(2))
                .borrowTimeout(Duration.ofSeconds(2))
                .reconnect(new io.tether.retry.ReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100), 2));
    }

    Keeper keeper(EndpointConfig... endpoints) {
        Keeper keeper = Keeper.start(KeeperConfig.of(List.of(endpoints)), events::add);
        toClose.add(keeper);
        return keeper;
    }

    boolean sawEvent(EndpointState state, String endpoint) {
        return events.stream().anyMatch(e -> e.state() == state && e.endpoint().equals(endpoint));
    }

    /** Writes a line on the lease and reads the upstream's echo. */
    static String echo(Lease lease, String text) throws IOException {
        lease.output().write((text + "\n").getBytes(StandardCharsets.US_ASCII));
        lease.output().flush();
        StringBuilder line = new StringBuilder();
        for (int b = lease.input().read(); b != '\n'; b = lease.input().read()) {
            if (b < 0) {
                throw new java.io.EOFException("upstream closed the connection");
            }
            line.append((char) b);
        }
        return line.toString();
    }


    static final Duration WAIT = Duration.ofSeconds(10);

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }
}
