package io.tether.keeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tether.testing.Upstream;
import java.time.Duration;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What an endpoint counts, against a real upstream on loopback. */
class KeeperCountersTest extends KeeperHarness {
    private static EndpointCounters counters(Keeper keeper, String name) {
        return keeper.status(name).counters();
    }

    @Test
    void borrowsWaitsAndTimeoutsAreCountedAsTheyHappen() throws Exception {
        Upstream upstream = upstream();
        Keeper keeper = keeper(endpoint("bank", upstream.port()).checkInterval(Duration.ofMinutes(1)).build());
        try (Lease lease = keeper.borrow("bank")) {
            echo(lease, "at once");
        }
        EndpointCounters once = counters(keeper, "bank");
        assertThat(once.borrows()).isEqualTo(1);
        assertThat(once.borrowWait()).as("a free connection is no wait").isZero();
        assertThat(once.opened()).isEqualTo(1);
        assertThat(once.retired()).isZero();
        assertThat(once.wentUp()).isEqualTo(1);

        Lease held = keeper.borrow("bank");
        assertThatThrownBy(() -> keeper.borrow("bank", Duration.ofMillis(50)))
                .isInstanceOf(EndpointUnavailableException.class);
        assertThat(counters(keeper, "bank").borrowTimeouts()).isEqualTo(1);

        FutureTask<Lease> waiting = new FutureTask<>(() -> keeper.borrow("bank", WAIT));
        Thread waiter = new Thread(waiting, "waiting-borrower");
        waiter.start();
        await().atMost(WAIT).until(() -> waiter.getState() == Thread.State.TIMED_WAITING);
        long seenWaiting = System.nanoTime();
        echo(held, "still mine"); // a real round trip while the waiter is blocked
        long returned = System.nanoTime();
        held.close();
        try (Lease handedOver = waiting.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            echo(handedOver, "after a wait");
        }
        long lower = returned - seenWaiting;
        EndpointCounters after = counters(keeper, "bank");
        assertThat(after.borrows()).isEqualTo(3);
        assertThat(after.borrowWait()).as("only the waiter waited").isEqualTo(after.longestBorrowWait())
                .isGreaterThanOrEqualTo(Duration.ofNanos(lower)).isLessThan(WAIT);
        assertThat(after.borrowTimeouts()).as("the wait ended in a lease").isEqualTo(1);
        assertThat(after.opened()).isEqualTo(1);
    }

    @Test
    void aLeakIsCountedOnceAndStaysCountedWhenTheLeaseComesBack() throws Exception {
        Upstream upstream = upstream();
        Keeper keeper = keeper(endpoint("bank", upstream.port()).leakThreshold(Duration.ofMillis(50)).build());
        try (Lease forgotten = keeper.borrow("bank")) {
            await().atMost(WAIT).until(() -> counters(keeper, "bank").leaks() == 1);
        }
        try (Lease quick = keeper.borrow("bank")) {
            echo(quick, "in and out");
        }
        assertThat(counters(keeper, "bank").leaks()).isEqualTo(1);
    }

    @Test
    void probeFailuresAreCountedByKindAndEveryConnectionOpenedIsRetiredOnce() throws Exception {
        Upstream upstream = upstream();
        Keeper keeper = keeper(endpoint("bank", upstream.port()).build(),
                endpoint("cache", upstream.port()).probe(REDIS_PING).build());
        int bankPort;
        try (Lease lease = keeper.borrow("bank")) {
            bankPort = lease.localAddress().getPort();
        }
        await().atMost(WAIT).until(() -> upstream.dropConnectionFrom(bankPort));
        await().atMost(WAIT).until(() -> counters(keeper, "bank").opened() == 2 && keeper.status("bank").idle() == 1);
        EndpointCounters bank = counters(keeper, "bank");
        assertThat(bank.probeFailures()).containsEntry(ProbeFailureKind.CLOSED, 1L)
                .containsEntry(ProbeFailureKind.TIMEOUT, 0L).hasSize(ProbeFailureKind.values().length);
        assertThat(bank.retired()).isEqualTo(1);
        assertThat(bank.wentDown()).as("a dropped idle connection is reconnected, not DOWN").isZero();

        upstream.silence();
        await().atMost(WAIT).until(() -> counters(keeper, "cache").probeFailures().get(ProbeFailureKind.TIMEOUT) >= 1);
        await().atMost(WAIT).until(() -> counters(keeper, "cache").wentDown() == 1);
        assertThat(keeper.status("cache").state()).isEqualTo(EndpointState.DOWN);

        keeper.close();
        for (String name : new String[] {"bank", "cache"}) {
            // A refill in flight at close discards what it opens; it ends within the connect and probe timeouts.
            await().atMost(WAIT).until(() -> counters(keeper, name).retired() == counters(keeper, name).opened());
            assertThat(counters(keeper, name).opened()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void aShortEndpointCountsItsConnectAsTheWaitAndItsCloseAsARetirement() throws Exception {
        Upstream upstream = upstream();
        Keeper keeper = keeper(endpoint("report", upstream.port()).mode(EndpointMode.SHORT).build());
        try (Lease lease = keeper.borrow("report")) {
            echo(lease, "one");
            EndpointCounters open = counters(keeper, "report");
            assertThat(open.opened()).isEqualTo(1);
            assertThat(open.retired()).isZero();
            assertThat(open.borrowWait()).isPositive().isEqualTo(open.longestBorrowWait());
        }
        EndpointCounters closed = counters(keeper, "report");
        assertThat(closed.borrows()).isEqualTo(1);
        assertThat(closed.retired()).isEqualTo(1);
        keeper.close();
        assertThat(counters(keeper, "report").retired()).as("not counted again at close").isEqualTo(1);
    }
}
