package io.tether.client;

import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.retry.ReconnectBackoff;
import io.tether.server.PresenceEvent;
import io.tether.server.TetherServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;

/** Real servers and clients on 127.0.0.1 with a fast heartbeat, all stopped after each test. */
abstract class ClientHarness {
    static final HeartbeatPolicy FAST = HeartbeatPolicy.of(Duration.ofMillis(100), Duration.ofMillis(300));
    static final ReconnectBackoff QUICK = new ReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200), 2.0);

    final List<PresenceEvent> presence = new CopyOnWriteArrayList<>();
    final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();

    TetherServer.Builder server(int port) {
        return TetherServer.builder()
                .host("127.0.0.1")
                .port(port)
                .heartbeat(FAST)
                .allowedIntervals(Duration.ofMillis(10), Duration.ofSeconds(1))
                .eventLoopThreads(1)
                .listener(presence::add);
    }

    TetherServer startServer(TetherServer.Builder builder) throws Exception {
        TetherServer server = builder.build().start();
        toClose.add(server);
        return server;
    }

    TetherClient.Builder client(String id, int... ports) {
        TetherClient.Builder builder = TetherClient.builder().clientId(id).heartbeat(FAST).reconnectBackoff(QUICK)
                .connectTimeout(Duration.ofSeconds(2));
        for (int port : ports) {
            builder.server("127.0.0.1", port);
        }
        return builder;
    }

    TetherClient startClient(TetherClient.Builder builder) {
        TetherClient client = builder.build().start();
        toClose.add(client);
        return client;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    /** Records state changes in order. */
    static final class StateLog implements ClientListener {
        final List<ClientState> states = new CopyOnWriteArrayList<>();
        final List<String> reasons = new CopyOnWriteArrayList<>();
        final List<Duration> rtts = new CopyOnWriteArrayList<>();

        @Override
        public void stateChanged(ClientState previous, ClientState current, String reason) {
            states.add(current);
            reasons.add(current + ": " + reason);
        }

        @Override
        public void heartbeatAcknowledged(Duration rtt) {
            rtts.add(rtt);
        }
    }
}
