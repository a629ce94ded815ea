package io.tether.keeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.server.PresenceEvent;
import io.tether.server.TetherServer;
import io.tether.testing.Upstream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class KeeperFeaturesTest extends KeeperHarness {
    @TempDir
    Path dir;

    @Test
    void leaseHeldPastTheLeakThresholdIsReportedWithWhereItWasBorrowed() throws Exception {
        Upstream upstream = upstream();
        Keeper keeper = keeper(endpoint("bank", upstream.port()).leakThreshold(Duration.ofMillis(100)).build());
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger runtimeLog = (Logger) LoggerFactory.getLogger("io.tether.keeper.internal.KeeperRuntime");
        runtimeLog.addAppender(log);
        try {
            try (Lease forgotten = keeper.borrow("bank")) {
                await().atMost(WAIT).until(() -> !log.list.isEmpty());
            }
            ILoggingEvent warning = log.list.get(0);
            assertThat(warning.getFormattedMessage()).contains("lease of 'bank' has been held for more than 100 ms");
            assertThat(warning.getThrowableProxy().getStackTraceElementProxyArray())
                    .anyMatch(frame -> frame.getSTEAsString().contains(
                            "leaseHeldPastTheLeakThresholdIsReportedWithWhereItWasBorrowed"));

            log.list.clear();
            try (Lease quick = keeper.borrow("bank")) {
                echo(quick, "in and out");
            }
            assertThat(log.list).as("a lease returned in time is never reported").isEmpty();
        } finally {
            runtimeLog.detachAppender(log);
        }
    }

    @Test
    void shortEndpointOpensAFreshConnectionPerBorrowAndReallyClosesIt() throws Exception {
        Upstream upstream = upstream();
        Keeper keeper = keeper(endpoint("report", upstream.port()).mode(EndpointMode.SHORT).build());
        assertThat(upstream.accepted).as("nothing is held open for a short endpoint").hasValue(0);

        for (int i = 1; i <= 3; i++) {
            try (Lease lease = keeper.borrow("report")) {
                assertThat(echo(lease, "run " + i)).isEqualTo("run " + i);
            }
            int expected = i;
            await().atMost(WAIT).until(() -> upstream.accepted.get() == expected && upstream.open() == 0);
        }
        assertThat(keeper.status("report").mode()).isEqualTo(EndpointMode.SHORT);
    }

    @Test
    void theClassicPropertiesFileLoadsAndWorksAsWritten() throws Exception {
        Upstream bank = upstream();
        Upstream partner = upstream();
        Path file = dir.resolve("socket.properties");
        Files.writeString(file, """
                socketConnCount=2
                commonCheckTime=1
                socket1=bank
                socket1_ip=127.0.0.1
                socket1_port=%d
                socket1_isKeep=1
                socket2=partner
                socket2_ip=127.0.0.1
                socket2_port=%d
                socket2_isKeep=0
                """.formatted(bank.port(), partner.port()), StandardCharsets.UTF_8);

        try (Keeper keeper = Keeper.load(file, events::add)) {
            assertThat(keeper.status()).extracting(EndpointStatus::name, EndpointStatus::mode, EndpointStatus::state)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("bank", EndpointMode.KEEP, EndpointState.UP),
                            org.assertj.core.groups.Tuple.tuple("partner", EndpointMode.SHORT, EndpointState.UP));
            try (Lease lease = keeper.borrow("bank")) {
                assertThat(echo(lease, "balance?")).isEqualTo("balance?");
            }
            try (Lease lease = keeper.borrow("partner")) {
                assertThat(echo(lease, "order")).isEqualTo("order");
            }
            assertThat(bank.accepted).hasValue(1);
            assertThat(partner.accepted).hasValue(1);
            assertThat(keeper.status("partner").state()).isEqualTo(EndpointState.UP);
        }
    }

    @Test
    void tetherProbeKeepsAConnectionToATetherServerAliveAndNoticesItGo() throws Exception {
        List<PresenceEvent> presence = new CopyOnWriteArrayList<>();
        TetherServer server = TetherServer.builder().host("127.0.0.1").port(0)
                .heartbeat(HeartbeatPolicy.of(Duration.ofMillis(100), Duration.ofMillis(300)))
                .allowedIntervals(Duration.ofMillis(10), Duration.ofSeconds(1))
                .listener(presence::add).build().start();
        toClose.add(server);
        Keeper keeper = keeper(endpoint("hub", server.address().getPort()).probe(ProbeSpec.of(ProbeKind.TETHER))
                .checkInterval(Duration.ofMillis(50)).build());
        assertThat(keeper.status("hub").state()).isEqualTo(EndpointState.UP);
        await().atMost(WAIT).until(() -> !presence.isEmpty());
        String id = presence.get(0).clientId();
        assertThat(id).startsWith("keeper/hub/");

        // Six of the server's 300 ms timeouts pass with only the keeper's probes to keep it online.
        await().atMost(WAIT).until(() -> keeper.status("hub").lastProbeRtt() != null
                && server.sessions().get(0).lastSeenAt().isAfter(server.sessions().get(0).connectedAt().plusMillis(1800)));
        assertThat(presence).extracting(PresenceEvent::type).containsExactly(PresenceEvent.Type.ONLINE);

        server.close();
        await().atMost(WAIT).until(() -> sawEvent(EndpointState.DOWN, "hub"));
    }

    @Test
    void urgentProbeIsAcceptedForCompatibility() throws Exception {
        Upstream upstream = upstream();
        Keeper keeper = keeper(endpoint("legacy", upstream.port()).probe(ProbeSpec.of(ProbeKind.URGENT)).build());
        await().atMost(WAIT).until(() -> keeper.status("legacy").lastProbeRtt() != null);
        assertThat(keeper.status("legacy").state()).isEqualTo(EndpointState.UP);
        assertThat(keeper.status("legacy").failures()).isZero();
    }

    @Test
    void connectionsPastTheirMaxLifetimeAreRenewedWhileIdle() throws Exception {
        Upstream upstream = upstream();
        Keeper keeper = keeper(endpoint("bank", upstream.port()).maxLifetime(Duration.ofMillis(300)).build());

        await().atMost(WAIT).until(() -> upstream.accepted.get() >= 3 && !events.isEmpty());
        assertThat(keeper.status("bank").failures()).as("renewal is not a failure").isZero();
        assertThat(events).extracting(EndpointEvent::state).containsOnly(EndpointState.UP);
        try (Lease lease = keeper.borrow("bank")) {
            assertThat(echo(lease, "fresh")).isEqualTo("fresh");
        }
    }
}
