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
import java.util.List;
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

    private List<String> linesOf(String clientId) {
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.startsWith(clientId + ": ")).toList();
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
}
