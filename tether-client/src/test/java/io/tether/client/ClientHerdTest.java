package io.tether.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.internal.Transports;
import io.tether.server.TetherServer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/** Clients attacked where the reconnect-storm work left new edges: a local address, a shared loop's pacer. */
class ClientHerdTest extends ClientHarness {
    private static final HeartbeatPolicy CALM = HeartbeatPolicy.of(Duration.ofSeconds(1), Duration.ofSeconds(10));

    private final Logger connectorLog = (Logger) LoggerFactory.getLogger("io.tether.client.internal.ClientConnector");
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeEach
    void watchTheLog() {
        lines.start();
        connectorLog.addAppender(lines);
    }

    @AfterEach
    void stopWatching() {
        connectorLog.detachAppender(lines);
        connectorLog.setLevel(null);
    }

    /** One loop for the clients started after it; shut down after they are closed (the harness closes in reverse). */
    private EventLoopGroup sharedLoop(String transport) {
        EventLoopGroup shared = transport.equals("nio") ? new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory())
                : Transports.newGroup(1, "shared", true);
        toClose.add(() -> shared.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS));
        return shared;
    }

    /** The lines logged so far for {@code clientId}, in order (a copy taken under the appender's own lock). */
    private List<String> linesOf(String clientId) {
        List<ILoggingEvent> copy;
        synchronized (lines) {
            copy = new ArrayList<>(lines.list);
        }
        return copy.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.startsWith(clientId + ": ")).toList();
    }

    /**
     * A local address the machine does not have (TEST-NET-1), and one of the other family than the server's:
     * each attempt fails with a reason that names the address and the system's own words for the failure,
     * the client keeps retrying, and the loop it shares goes on serving a client that can connect.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"native", "nio"})
    void aLocalAddressThatCannotBeUsedIsNamedInEveryFailureAndRetriedWithoutHarmingTheLoop(String transport) throws Exception {
        TetherServer server = startServer(server(0).heartbeat(CALM));
        EventLoopGroup loop = sharedLoop(transport);
        StateLog unbound = new StateLog();
        TetherClient foreign = startClient(client("foreign", server.address().getPort()).heartbeat(CALM)
                .localAddress(InetAddress.getByName("192.0.2.1")).eventLoopGroup(loop).listener(unbound));
        TetherClient otherFamily = startClient(client("v6", server.address().getPort()).heartbeat(CALM)
                .localAddress(InetAddress.getByName("::1")).eventLoopGroup(loop));
        StateLog good = new StateLog();
        startClient(client("good", server.address().getPort()).heartbeat(CALM).eventLoopGroup(loop).listener(good));

        await().atMost(Duration.ofSeconds(10)).until(() -> linesOf("foreign").stream().filter(l -> l.contains("retrying")).count() >= 3
                && linesOf("v6").stream().filter(l -> l.contains("retrying")).count() >= 3);
        await().atMost(Duration.ofSeconds(10)).until(() -> good.rtts.size() >= 1); // the loop serves the good one
        assertThat(linesOf("foreign")).filteredOn(l -> l.contains("retrying")).allSatisfy(line -> assertThat(line)
                .contains("cannot connect to 127.0.0.1:" + server.address().getPort() + " from 192.0.2.1: ")
                .containsIgnoringCase("Cannot assign requested address").doesNotContain("null"));
        assertThat(linesOf("v6")).filteredOn(l -> l.contains("retrying")).allSatisfy(line -> assertThat(line)
                .contains(" from 0:0:0:0:0:0:0:1: ").doesNotContain("null"));
        assertThat(foreign.state()).isEqualTo(ClientState.RECONNECTING);
        assertThat(unbound.reasons).last().asString().contains("from 192.0.2.1");

        foreign.close();
        otherFamily.close();
        assertThat(foreign.state()).isEqualTo(ClientState.CLOSED);
        assertThat(presence).allSatisfy(e -> assertThat(e.clientId()).isEqualTo("good"));
    }

    /**
     * A herd of clients on one loop, every other one closed while its attempt waits in the loop's
     * ConnectPacer: no attempt runs after its client closed, the server ends up with exactly the connections
     * of the clients still open, and the pacer goes on to connect the rest. The loop is held while the herd
     * starts and the closes are queued behind it, so most closes find their attempt still waiting.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"native", "nio"})
    void aClientClosedWhileItsAttemptWaitsInThePacerNeverConnects(String transport) throws Exception {
        int herd = 301; // the last one is kept: once it is online, every attempt queued before it has run
        TetherServer server = startServer(server(0).heartbeat(CALM));
        EventLoopGroup loop = sharedLoop(transport);
        connectorLog.setLevel(Level.DEBUG); // "connecting to" is logged as each attempt runs, on the loop
        CountDownLatch gate = new CountDownLatch(1);
        loop.execute(() -> {
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        List<TetherClient> clients = new ArrayList<>();
        for (int i = 0; i < herd; i++) {
            clients.add(startClient(client("c" + i, server.address().getPort()).heartbeat(CALM).eventLoopGroup(loop)));
        }
        loop.execute(() -> { // on the loop, close() closes at once
            for (int i = 1; i < herd; i += 2) {
                clients.get(i).close();
            }
        });
        gate.countDown();

        for (int i = 0; i < herd; i += 2) {
            assertThat(clients.get(i).awaitOnline(Duration.ofSeconds(20))).as("c" + i).isTrue();
        }
        int closedBeforeTheirAttempt = 0;
        int attemptsOfClosed = 0;
        for (int i = 1; i < herd; i += 2) {
            List<String> of = linesOf("c" + i);
            int closedAt = indexOf(of, "-> CLOSED");
            int attemptAt = indexOf(of, "connecting to");
            assertThat(closedAt).as("c" + i + " closed: " + of).isNotNegative();
            assertThat(attemptAt).as("c" + i + " attempted after it closed: " + of).isLessThan(closedAt);
            if (attemptAt < 0) {
                closedBeforeTheirAttempt++;
            } else {
                attemptsOfClosed++;
            }
            assertThat(clients.get(i).state()).isEqualTo(ClientState.CLOSED);
        }
        assertThat(closedBeforeTheirAttempt).as("clients closed while their attempt waited").isPositive();
        int kept = (herd + 1) / 2;
        await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().connections() == kept);
        // An attempt that ran before its client closed may or may not reach the server's accept; no other may.
        assertThat(server.stats().accepted()).isBetween((long) kept, (long) kept + attemptsOfClosed);
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }
}
