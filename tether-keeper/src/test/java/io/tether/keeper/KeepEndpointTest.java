package io.tether.keeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tether.testing.Upstream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class KeepEndpointTest extends KeeperHarness {

    @Test
    void closingALeaseHandsTheSameConnectionBack() throws Exception {
        Upstream upstream = upstream();
        Keeper keeper = keeper(endpoint("bank", upstream.port()).build());

        int firstPort;
        try (Lease lease = keeper.borrow("bank")) {
            assertThat(echo(lease, "hello")).isEqualTo("hello");
            firstPort = localPort(lease);
            assertThat(keeper.status("bank").borrowed()).isEqualTo(1);
        }
        try (Lease again = keeper.borrow("bank")) {
            assertThat(localPort(again)).isEqualTo(firstPort);
            assertThat(echo(again, "again")).isEqualTo("again");
        }
        EndpointStatus status = keeper.status("bank");
        assertThat(status.state()).isEqualTo(EndpointState.UP);
        assertThat(status.idle()).isEqualTo(1);
        assertThat(status.borrowed()).isZero();
        assertThat(upstream.accepted).hasValue(1);
        assertThat(upstream.open()).isEqualTo(1);
    }

    @Test
    void ioErrorOnALeaseRetiresItsConnectionAndAReplacementOpens() throws Exception {
        Upstream upstream = upstream();
        Keeper keeper = keeper(endpoint("bank", upstream.port()).checkInterval(Duration.ofMinutes(1)).build());

        Lease lease = keeper.borrow("bank");
        int brokenPort = localPort(lease);
        await().atMost(WAIT).until(() -> upstream.dropConnectionFrom(brokenPort));
        assertThatThrownBy(() -> {
            for (int i = 0; i < 100; i++) { // the first writes may still land in the socket buffer
                echo(lease, "anyone there?");
            }
        }).isInstanceOf(IOException.class);
        lease.close();

        await().atMost(WAIT).until(() -> upstream.accepted.get() == 2 && keeper.status("bank").idle() == 1);
        try (Lease fresh = keeper.borrow("bank")) {
            assertThat(localPort(fresh)).isNotEqualTo(brokenPort);
            assertThat(echo(fresh, "better")).isEqualTo("better");
        }
        assertThat(keeper.status("bank").failures()).isEqualTo(1);
    }

    @Test
    void connectionIdlePastTheThresholdIsCheckedBeforeItIsLent() throws Exception {
        Upstream upstream = upstream();
        // Probes are a minute away; only the check on borrow can notice what happens to the idle connection.
        Keeper keeper = keeper(endpoint("bank", upstream.port()).checkInterval(Duration.ofMinutes(1))
                .validateAfterIdle(Duration.ofMillis(50)).build());
        int stale;
        try (Lease lease = keeper.borrow("bank")) {
            stale = localPort(lease);
        }
        // The upstream drops the idle connection, as firewalls and servers do.
        await().atMost(WAIT).until(() -> upstream.dropConnectionFrom(stale) && upstream.open() == 0);

        try (Lease lease = keeper.borrow("bank")) {
            assertThat(localPort(lease)).as("never the dropped connection").isNotEqualTo(stale);
            assertThat(echo(lease, "still here")).isEqualTo("still here");
        }
        assertThat(keeper.status("bank").failures()).isEqualTo(1);
    }

    @Test
    void invalidatedLeaseIsReplacedNotReturned() throws Exception {
        Upstream upstream = upstream();
        Keeper keeper = keeper(endpoint("bank", upstream.port()).build());

        Lease lease = keeper.borrow("bank");
        int port = localPort(lease);
        lease.invalidate();
        lease.close();

        await().atMost(WAIT).until(() -> upstream.accepted.get() == 2);
        try (Lease next = keeper.borrow("bank")) {
            assertThat(localPort(next)).isNotEqualTo(port);
        }
        assertThatThrownBy(() -> lease.output().write(1)).isInstanceOf(IOException.class).hasMessageContaining("already closed");
    }

    @Test
    void killedUpstreamGoesDownAndComesBackUpOnItsOwn() throws Exception {
        Upstream upstream = upstream();
        Keeper keeper = keeper(endpoint("bank", upstream.port()).build());
        assertThat(keeper.status("bank").state()).isEqualTo(EndpointState.UP);
        await().atMost(WAIT).until(() -> sawEvent(EndpointState.UP, "bank")); // events arrive on their own thread

        upstream.kill();

        await().atMost(WAIT).until(() -> sawEvent(EndpointState.DOWN, "bank"));
        assertThat(keeper.status("bank").state()).isEqualTo(EndpointState.DOWN);
        assertThat(events).filteredOn(e -> e.state() == EndpointState.DOWN).first()
                .extracting(EndpointEvent::cause).asString().contains("connection refused");

        upstream.restart();

        await().atMost(WAIT).until(() -> keeper.status("bank").state() == EndpointState.UP && events.size() == 3);
        assertThat(events).extracting(EndpointEvent::state)
                .containsExactly(EndpointState.UP, EndpointState.DOWN, EndpointState.UP);
        try (Lease lease = keeper.borrow("bank")) {
            assertThat(echo(lease, "back")).isEqualTo("back");
        }
    }

    @Test
    void upstreamThatAcceptsButNeverAnswersTheExchangeProbeIsDown() throws Exception {
        Upstream upstream = upstream();
        Keeper keeper = keeper(endpoint("cache", upstream.port()).probe(REDIS_PING).build());
        assertThat(keeper.status("cache").state()).isEqualTo(EndpointState.UP);
        assertThat(keeper.status("cache").lastProbeRtt()).isNotNull();

        upstream.silence();

        await().atMost(WAIT).until(() -> sawEvent(EndpointState.DOWN, "cache"));
        assertThat(events).filteredOn(e -> e.state() == EndpointState.DOWN).first()
                .extracting(EndpointEvent::cause).asString().contains("no answer within 200 ms");
    }

    @Test
    void borrowingFromADownEndpointFailsNamingTheCauseAndTheNextRetry() throws Exception {
        int deadPort = unusedPort();
        Keeper keeper = keeper(endpoint("ledger", deadPort)
                .reconnect(new io.tether.retry.ReconnectBackoff(Duration.ofSeconds(5), Duration.ofSeconds(5), 1)).build());
        assertThat(keeper.status("ledger").state()).isEqualTo(EndpointState.DOWN);

        assertThatThrownBy(() -> keeper.borrow("ledger", Duration.ofMillis(200)))
                .isInstanceOf(EndpointUnavailableException.class)
                .hasMessageContaining("ledger (127.0.0.1:" + deadPort + ") is DOWN")
                .hasMessageContaining("waited 200 ms")
                .hasMessageContaining("last failure: connection refused")
                .hasMessageContaining("next retry in");
        assertThat(keeper.status("ledger").nextRetry()).isNotNull();
    }

    @Test
    void borrowerWaitsForADownEndpointToHeal() throws Exception {
        int port = unusedPort();
        Keeper keeper = keeper(endpoint("ledger", port).build());
        assertThat(keeper.status("ledger").state()).isEqualTo(EndpointState.DOWN);

        try (Upstream late = new Upstream(port); Lease lease = keeper.borrow("ledger", Duration.ofSeconds(10))) {
            assertThat(echo(lease, "finally")).isEqualTo("finally");
            assertThat(keeper.status("ledger").state()).isEqualTo(EndpointState.UP);
        }
    }

    @Test
    void borrowTimesOutWhenEveryConnectionIsLent() throws Exception {
        Upstream upstream = upstream();
        Keeper keeper = keeper(endpoint("bank", upstream.port()).build());
        try (Lease held = keeper.borrow("bank")) {
            assertThatThrownBy(() -> keeper.borrow("bank", Duration.ofMillis(150)))
                    .isInstanceOf(EndpointUnavailableException.class)
                    .hasMessageContaining("no connection free within 150 ms");
        }
    }

    @Test
    void unknownEndpointIsAClearError() throws Exception {
        Upstream upstream = upstream();
        Keeper keeper = keeper(endpoint("bank", upstream.port()).build());
        assertThatThrownBy(() -> keeper.borrow("bnak")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no endpoint named 'bnak' (configured: bank)");
    }

    static int localPort(Lease lease) {
        return lease.localAddress().getPort();
    }

    static int unusedPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return probe.getLocalPort();
        }
    }
}
