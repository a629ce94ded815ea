package io.tether.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tether.internal.Transports;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Several servers on one port (reusePort, SO_REUSEPORT): the kernel spreads the connections among them, each
 * connection is online on exactly one, and a port that cannot be shared fails the start with the reason.
 * The sharing tests run on epoll (both engines of the Tether port, and the classic port); the NIO run checks
 * that asking for it there fails.
 */
class ReusePortTest extends ServerHarness {
    /** Connections opened at first: all on one of two servers would be chance of 2 in 2^64. */
    private static final int CLIENTS = 64;
    /** More connections tried, one at a time, should the first ones all land on one server. */
    private static final int MORE_TRIES = 1000;

    private final List<AutoCloseable> clients = new ArrayList<>();

    @AfterEach
    void closeClients() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
    }

    /** A server that holds a silent client online for 30 s (the standard heartbeat): no pings needed. */
    private static TetherServer.Builder sharing(int port) {
        return TetherServer.builder().host("127.0.0.1").port(port).eventLoopThreads(1).reusePort(true);
    }

    @ParameterizedTest(name = "{0} engine")
    @ValueSource(strings = {"compact", "channel"})
    void serversShareTheTetherPort(String engine) throws Exception {
        assumeTrue(Transports.epoll(), "SO_REUSEPORT needs epoll");
        TetherServer first = startOn(engine, sharing(0));
        TetherServer second = startOn(engine, sharing(first.address().getPort()));
        assertThat(List.of(first.engine(), second.engine())).containsOnly(engine);

        spreadsTetherClients(first, second);
    }

    @Test
    void theClassicPortIsSharedToo() throws Exception {
        assumeTrue(Transports.epoll(), "SO_REUSEPORT needs epoll");
        TetherServer first = start(sharing(0).legacyPort(0));
        int classicPort = first.legacyAddress().orElseThrow().getPort();
        TetherServer second = start(sharing(first.address().getPort()).legacyPort(classicPort));

        spread(first, second, () -> {
            Socket classic = new Socket();
            clients.add(classic);
            classic.connect(new InetSocketAddress("127.0.0.1", classicPort), 5000);
            return "127.0.0.1:" + classic.getLocalPort(); // a classic client's id: it comes online on connect
        });
    }

    @Test
    void withoutReusePortTheSecondServerCannotBind() throws Exception {
        TetherServer first = start(TetherServer.builder().host("127.0.0.1").port(0).eventLoopThreads(1));
        int port = first.address().getPort();

        assertThatThrownBy(() -> start(TetherServer.builder().host("127.0.0.1").port(port).eventLoopThreads(1)))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot listen on 127.0.0.1:" + port + ": ")
                .hasMessageContaining("in use")
                .hasMessageNotContaining("SO_REUSEPORT");
    }

    @Test
    void aSharingServerCannotJoinAPortHeldByANonSharingOne() throws Exception {
        assumeTrue(Transports.epoll(), "SO_REUSEPORT needs epoll");
        TetherServer first = start(TetherServer.builder().host("127.0.0.1").port(0).eventLoopThreads(1));
        int port = first.address().getPort();

        assertThatThrownBy(() -> start(sharing(port)))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot listen on 127.0.0.1:" + port + ": ")
                .hasMessageContaining("already in use (reusePort shares a port only with sockets that also set SO_REUSEPORT");
        // And the other way round: a server that does not share cannot take a port that sharing servers hold.
        TetherServer shared = start(sharing(0));
        int sharedPort = shared.address().getPort();
        assertThatThrownBy(() -> start(TetherServer.builder().host("127.0.0.1").port(sharedPort).eventLoopThreads(1)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("in use");
    }

    @Test
    void aPortHeldByAnotherProgramsPlainSocketIsRefusedOnBothEngines() throws Exception {
        assumeTrue(Transports.epoll(), "SO_REUSEPORT needs epoll");
        try (ServerSocket plain = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = plain.getLocalPort();
            String why = "(reusePort shares a port only with sockets that also set SO_REUSEPORT, opened by the same"
                    + " user; a socket that did not, or another user's, holds this one)";

            for (String engine : List.of("compact", "channel")) {
                assertThatThrownBy(() -> startOn(engine, sharing(port))).isInstanceOf(IOException.class)
                        .hasMessageStartingWith("cannot listen on 127.0.0.1:" + port + ": ").hasMessageEndingWith(why);
            }
            assertThatThrownBy(() -> start(sharing(0).legacyPort(port))).isInstanceOf(IOException.class)
                    .hasMessageStartingWith("cannot listen on 127.0.0.1:" + port + ": ").hasMessageEndingWith(why);
        }
    }

    @Test
    void onNioAskingToShareThePortFailsTheStartAndSaysWhy() throws Exception {
        assumeFalse(Transports.epoll(), "the NIO run");
        int port;
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }

        assertThatThrownBy(() -> start(sharing(port).legacyPort(0)))
                .isInstanceOf(IOException.class)
                .hasMessage("cannot share 127.0.0.1:" + port + " with other servers (reusePort, --reuse-port):"
                        + " SO_REUSEPORT needs the native epoll transport (Linux), and this server runs on NIO: "
                        + Transports.whyNio());
        assertThat(Transports.whyNio()).isEqualTo("-Dtether.transport=nio asks for NIO");
        try (ServerSocket free = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            assertThat(free.getLocalPort()).as("the failed start left the port free").isEqualTo(port);
        }
    }

    /**
     * Starts the server with {@code engine} on the Tether port: {@code compact}, or {@code channel} for a Netty
     * channel per connection (the property is read once, at start).
     */
    private TetherServer startOn(String engine, TetherServer.Builder builder) throws Exception {
        String before = System.getProperty("tether.server.engine");
        System.setProperty("tether.server.engine", engine);
        try {
            return start(builder);
        } finally {
            if (before == null) {
                System.clearProperty("tether.server.engine");
            } else {
                System.setProperty("tether.server.engine", before);
            }
        }
    }

    private void spreadsTetherClients(TetherServer first, TetherServer second) throws Exception {
        int[] made = {0};
        spread(first, second, () -> {
            RawPeer peer = new RawPeer(first.address());
            clients.add(peer);
            String id = "client-" + made[0]++;
            peer.hello(id, 0);
            return id;
        });
    }

    /** A client connected to the shared port; returns the id it is online under. */
    private interface Connect {
        String connect() throws IOException;
    }

    /**
     * Connects {@value #CLIENTS} clients to the port both servers share: each comes online on exactly one of
     * them. Then, should one server have none (a chance of 2 in 2^64 with the kernel's hash), more clients,
     * one at a time and at most {@value #MORE_TRIES}, until each server has one.
     */
    private static void spread(TetherServer first, TetherServer second, Connect connect) throws IOException {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            ids.add(connect.connect());
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(ids).allSatisfy(id ->
                assertThat(first.isOnline(id) ^ second.isOnline(id)).as(id + " online on exactly one server").isTrue()));
        assertThat(first.onlineCount() + second.onlineCount()).isEqualTo(CLIENTS);

        for (int i = 0; i < MORE_TRIES && (first.onlineCount() == 0 || second.onlineCount() == 0); i++) {
            String id = connect.connect();
            await().atMost(Duration.ofSeconds(10)).until(() -> first.isOnline(id) || second.isOnline(id));
        }
        assertThat(List.of(first.onlineCount(), second.onlineCount())).as("online on each server")
                .allSatisfy(online -> assertThat(online).isPositive());
    }
}
