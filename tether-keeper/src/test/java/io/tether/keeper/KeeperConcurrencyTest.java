package io.tether.keeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tether.testing.Upstream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class KeeperConcurrencyTest extends KeeperHarness {

    @Test
    void manyThreadsBorrowingNeverShareAConnectionAndNoneIsLost() throws Exception {
        Upstream upstream = upstream();
        // Probes every 10 ms race the borrowers for the same idle connections the whole time.
        Keeper keeper = keeper(endpoint("bank", upstream.port()).poolSize(3).checkInterval(Duration.ofMillis(10))
                .probe(REDIS_PING).borrowTimeout(Duration.ofSeconds(10)).build());
        Map<Integer, AtomicBoolean> inUse = new ConcurrentHashMap<>();
        AtomicInteger shared = new AtomicInteger();
        AtomicInteger borrows = new AtomicInteger();
        int threads = 8;
        int perThread = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                work.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        try (Lease lease = keeper.borrow("bank")) {
                            AtomicBoolean flag = inUse.computeIfAbsent(lease.localAddress().getPort(), p -> new AtomicBoolean());
                            if (!flag.compareAndSet(false, true)) {
                                shared.incrementAndGet();
                            }
                            String text = "t" + thread + "-" + i;
                            if (!echo(lease, text).equals(text)) {
                                shared.incrementAndGet(); // someone else's bytes on our connection
                            }
                            borrows.incrementAndGet();
                            flag.set(false);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(shared).hasValue(0);
        assertThat(borrows).hasValue(threads * perThread);
        EndpointStatus status = keeper.status("bank");
        assertThat(status.borrowed()).isZero();
        assertThat(status.idle()).isEqualTo(3);
        assertThat(status.failures()).isZero();
        assertThat(upstream.accepted).as("no connection lost and replaced").hasValue(3);
        assertThat(inUse).hasSize(3);
    }

    @Test
    void aProbeNeverTouchesABorrowedConnection() throws Exception {
        Upstream upstream = upstream();
        Keeper keeper = keeper(endpoint("cache", upstream.port()).poolSize(2).checkInterval(Duration.ofMillis(20))
                .probe(REDIS_PING).build());
        await().atMost(WAIT).until(() -> upstream.pingsByClientPort.size() == 2); // both verified when opened
        Lease lease = keeper.borrow("cache");
        int lent = lease.localAddress().getPort();
        int other = upstream.pingsByClientPort.keySet().stream().filter(p -> p != lent).findFirst().orElseThrow();
        int lentPings = upstream.pingsFrom(lent);
        int otherPings = upstream.pingsFrom(other);

        // Five more probes of the idle twin prove five check rounds ran while this one was out on loan.
        await().atMost(WAIT).until(() -> upstream.pingsFrom(other) >= otherPings + 5);
        assertThat(upstream.pingsFrom(lent)).isEqualTo(lentPings);
        assertThat(echo(lease, "mine alone")).isEqualTo("mine alone");

        lease.close();
        await().atMost(WAIT).until(() -> upstream.pingsFrom(lent) > lentPings + 2);
    }

    @Test
    void closingTheKeeperFailsBorrowersThatAreWaiting() throws Exception {
        Upstream upstream = upstream();
        Keeper keeper = keeper(endpoint("bank", upstream.port()).borrowTimeout(Duration.ofMinutes(5)).build());
        Lease held = keeper.borrow("bank");
        ExecutorService waiters = Executors.newFixedThreadPool(3);
        try {
            List<Future<Lease>> waiting = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                waiting.add(waiters.submit(() -> keeper.borrow("bank")));
            }
            await().atMost(WAIT).until(() -> waiting.stream().noneMatch(Future::isDone));

            keeper.close();

            // Their borrow timeout is five minutes away; they must fail now, and say why.
            for (Future<Lease> f : waiting) {
                assertThat(f).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                        .havingCause().isInstanceOf(KeeperClosedException.class).withMessageContaining("keeper closed");
            }
            assertThat(upstream.open()).as("the lent connection is closed too").isZero();
            held.close(); // harmless after the keeper closed
        } finally {
            waiters.shutdownNow();
        }
    }
}
