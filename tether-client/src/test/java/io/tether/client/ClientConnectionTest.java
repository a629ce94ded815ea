package io.tether.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.protocol.CloseReason;
import io.tether.server.PresenceEvent;
import io.tether.server.TetherServer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClientConnectionTest extends ClientHarness {

    @Test
    void clientComesOnlineHeartbeatsAndMeasuresRtt() throws Exception {
        // Pings every 100 ms, but 3 s of silence before either side judges the other: that no OFFLINE comes
        // must not depend on how promptly a busy machine runs the client's timer.
        HeartbeatPolicy roomy = HeartbeatPolicy.of(Duration.ofMillis(100), Duration.ofSeconds(3));
        TetherServer server = startServer(server(0).heartbeat(roomy));
        StateLog log = new StateLog();
        TetherClient client = startClient(client("alice", server.address().getPort()).listener(log));

        assertThat(client.awaitOnline(Duration.ofSeconds(5))).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> log.rtts.size() >= 5);

        assertThat(log.states).startsWith(ClientState.CONNECTING, ClientState.ONLINE);
        assertThat(client.lastRtt()).isPresent();
        assertThat(client.negotiatedHeartbeat()).contains(roomy);
        assertThat(server.isOnline("alice")).isTrue();
        assertThat(presence).noneMatch(e -> e.type() == PresenceEvent.Type.OFFLINE);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> server.sessions().get(0).lastRtt() != null);
    }

    @Test
    void clientsConnectFromTheLocalAddressTheyAreGiven() throws Exception {
        TetherServer server = startServer(server(0));
        InetAddress source = InetAddress.getByName("127.0.0.3");
        TetherClient first = startClient(client("from-3a", server.address().getPort()).localAddress(source));
        TetherClient second = startClient(client("from-3b", server.address().getPort()).localAddress(source));
        assertThat(first.awaitOnline(Duration.ofSeconds(5))).isTrue();
        assertThat(second.awaitOnline(Duration.ofSeconds(5))).isTrue();

        // Two connections from one bound address, each on a port of its own.
        await().atMost(Duration.ofSeconds(5)).until(() -> presence.size() >= 2); // events arrive off the loop
        assertThat(presence).filteredOn(e -> e.type() == PresenceEvent.Type.ONLINE)
                .extracting(PresenceEvent::remote).hasSize(2).doesNotHaveDuplicates()
                .allMatch(remote -> remote.startsWith("127.0.0.3:"));
    }

    @Test
    void closingTheClientTellsTheServer() throws Exception {
        TetherServer server = startServer(server(0));
        TetherClient client = startClient(client("bob", server.address().getPort()));
        assertThat(client.awaitOnline(Duration.ofSeconds(5))).isTrue();

        client.close();

        await().atMost(Duration.ofSeconds(5)).until(() -> presence.stream().anyMatch(e ->
                e.type() == PresenceEvent.Type.OFFLINE && e.reason() == CloseReason.CLIENT_CLOSED
                        && e.detail().contains("client closing")));
        assertThat(client.state()).isEqualTo(ClientState.CLOSED);
    }

    @Test
    void serverThatAcceptsButNeverAnswersIsDeclaredDeadAndARealServerLaterIsFound() throws Exception {
        StateLog log = new StateLog();
        int port;
        TetherClient client;
        try (FrozenServer frozen = new FrozenServer(false)) {
            port = frozen.port();
            client = startClient(client("carol", port).listener(log));
            await().atMost(Duration.ofSeconds(5)).until(() -> log.states.contains(ClientState.RECONNECTING));
            assertThat(log.reasons).anyMatch(r -> r.contains("no answer to HELLO") && r.contains("within 2000 ms"));
        }
        startServer(server(port));
        assertThat(client.awaitOnline(Duration.ofSeconds(10))).isTrue();
    }

    @Test
    void serverThatFreezesAfterTheHandshakeIsDeclaredDeadWithinItsTimeout() throws Exception {
        StateLog log = new StateLog();
        try (FrozenServer frozen = new FrozenServer(true)) {
            TetherClient client = startClient(client("dave", frozen.port()).listener(log));
            assertThat(client.awaitOnline(Duration.ofSeconds(5))).isTrue();

            await().atMost(Duration.ofSeconds(5)).until(() -> log.states.contains(ClientState.RECONNECTING));

            assertThat(log.reasons).anyMatch(r -> r.contains("server silent for") && r.contains("timeout 300 ms"));
            // It keeps trying on its own: the frozen server sees new connections.
            await().atMost(Duration.ofSeconds(5)).until(() -> frozen.acceptedCount() >= 2);
        }
    }

    @Test
    void restartedServerGetsTheClientBackOnItsOwn() throws Exception {
        TetherServer first = startServer(server(0));
        int port = first.address().getPort();
        StateLog log = new StateLog();
        TetherClient client = startClient(client("erin", port).listener(log));
        assertThat(client.awaitOnline(Duration.ofSeconds(5))).isTrue();

        first.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> client.state() == ClientState.RECONNECTING);
        assertThat(log.reasons).anyMatch(r -> r.contains("SERVER_SHUTDOWN"));

        TetherServer second = startServer(server(port));
        assertThat(client.awaitOnline(Duration.ofSeconds(10))).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> second.isOnline("erin"));
    }

    @Test
    void failsOverToTheNextServerInOrder() throws Exception {
        int deadPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            deadPort = probe.getLocalPort();
        }
        TetherServer live = startServer(server(0));
        TetherClient client = startClient(client("frank", deadPort, live.address().getPort()));

        assertThat(client.awaitOnline(Duration.ofSeconds(5))).isTrue();
        assertThat(client.connectedServer()).get().extracting(a -> a.getPort()).isEqualTo(live.address().getPort());
    }

    @Test
    void replacedClientStopsInsteadOfFightingForItsId() throws Exception {
        TetherServer server = startServer(server(0));
        StateLog log = new StateLog();
        TetherClient older = startClient(client("twin", server.address().getPort()).listener(log));
        assertThat(older.awaitOnline(Duration.ofSeconds(5))).isTrue();

        TetherClient newer = startClient(client("twin", server.address().getPort()));
        assertThat(newer.awaitOnline(Duration.ofSeconds(5))).isTrue();

        await().atMost(Duration.ofSeconds(5)).until(() -> older.state() == ClientState.CLOSED);
        assertThat(log.reasons).last().asString().contains("REPLACED");
        assertThat(server.session("twin")).isPresent();
        assertThat(newer.state()).isEqualTo(ClientState.ONLINE);
    }

    @Test
    void runsOnAnApplicationsEventLoopGroupOfEitherTransport() throws Exception {
        TetherServer server = startServer(server(0));
        EventLoopGroup nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            TetherClient client = startClient(client("guest", server.address().getPort()).eventLoopGroup(nio));
            assertThat(client.awaitOnline(Duration.ofSeconds(5))).isTrue();
            client.close();
            assertThat(nio.isShuttingDown()).as("a shared group belongs to the application").isFalse();
        } finally {
            nio.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void closingFromItsOwnCallbackDoesNotBlockTheClient() throws Exception {
        TetherServer server = startServer(server(0));
        java.util.concurrent.atomic.AtomicReference<TetherClient> self = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<ClientState> stateWhenCloseReturned = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.CountDownLatch closedInCallback = new java.util.concurrent.CountDownLatch(1);
        TetherClient client = startClient(client("impatient", server.address().getPort()).listener(new ClientListener() {
            @Override
            public void stateChanged(ClientState previous, ClientState current, String reason) {
                if (current == ClientState.ONLINE) {
                    self.get().close();
                    stateWhenCloseReturned.set(self.get().state());
                    closedInCallback.countDown();
                }
            }
        }));
        self.set(client);

        // Had close() handed the work to the loop and waited for it, it would have returned (after its own
        // wait timed out) with the client still ONLINE, the loop being busy with this very callback.
        assertThat(closedInCallback.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(stateWhenCloseReturned.get()).isEqualTo(ClientState.CLOSED);
        await().atMost(Duration.ofSeconds(5)).until(() -> presence.stream().anyMatch(e ->
                e.clientId().equals("impatient") && e.reason() == CloseReason.CLIENT_CLOSED));
    }

    @Test
    void clientsStartedTogetherDoNotPingInLockStep() throws Exception {
        TetherServer server = startServer(server(0));
        HeartbeatPolicy slow = HeartbeatPolicy.of(Duration.ofMillis(400), Duration.ofMillis(1200));
        EventLoopGroup shared = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        java.util.Map<String, Long> onlineAt = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.Map<String, Long> firstPongAt = new java.util.concurrent.ConcurrentHashMap<>();
        try {
            for (int i = 0; i < 40; i++) {
                String id = "herd-" + i;
                startClient(client(id, server.address().getPort()).heartbeat(slow).eventLoopGroup(shared)
                        .listener(new ClientListener() {
                            @Override
                            public void stateChanged(ClientState previous, ClientState current, String reason) {
                                if (current == ClientState.ONLINE) {
                                    onlineAt.put(id, System.nanoTime());
                                }
                            }

                            @Override
                            public void heartbeatAcknowledged(Duration rtt) {
                                firstPongAt.putIfAbsent(id, System.nanoTime());
                            }
                        }));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> firstPongAt.size() == 40);

            long[] phases = onlineAt.keySet().stream().mapToLong(id -> firstPongAt.get(id) - onlineAt.get(id)).sorted().toArray();
            // A fixed phase would put every first ping one interval after ONLINE; a random one spreads them
            // over the interval (40 uniform draws spanning under half of it: about one chance in 10^10).
            assertThat(phases[phases.length - 1] - phases[0]).isGreaterThan(Duration.ofMillis(200).toNanos());
        } finally {
            for (AutoCloseable c : toClose) {
                if (c instanceof TetherClient client) {
                    client.close();
                }
            }
            shared.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
