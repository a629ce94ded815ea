package io.tether.server;

import io.tether.heartbeat.HeartbeatPolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;

/**
 * Starts servers on 127.0.0.1 with a fast heartbeat (100 ms interval, 300 ms timeout) so liveness tests
 * finish in well under a second, and stops them after each test.
 */
abstract class ServerHarness {
    static final HeartbeatPolicy FAST = HeartbeatPolicy.of(Duration.ofMillis(100), Duration.ofMillis(300));

    final PresenceRecorder presence = new PresenceRecorder();
    final List<byte[]> messages = new CopyOnWriteArrayList<>();
    private final List<TetherServer> servers = new CopyOnWriteArrayList<>();

    TetherServer.Builder fastServer() {
        return TetherServer.builder()
                .host("127.0.0.1")
                .port(0)
                .heartbeat(FAST)
                .allowedIntervals(Duration.ofMillis(10), Duration.ofSeconds(1))
                .handshakeTimeout(Duration.ofMillis(500))
                .eventLoopThreads(2)
                .listener(presence)
                .messageHandler((session, payload) -> messages.add(payload));
    }

    TetherServer start(TetherServer.Builder builder) throws Exception {
        TetherServer server = builder.build().start();
        servers.add(server);
        return server;
    }

    @AfterEach
    void stopServers() {
        servers.forEach(TetherServer::close);
    }
}
