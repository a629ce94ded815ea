package io.tether.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tether.heartbeat.PhiAccrual;
import io.tether.protocol.CloseReason;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The server judges silence by phi accrual when told to: a peer that stops heartbeating is convicted with the
 * model in its verdict. (That an irregular but alive peer is never convicted is checked on a test clock, in
 * PhiAccrualLivenessTest: on real time the test's own scheduling delays would be heartbeat gaps too.)
 */
class PhiAccrualServerTest extends ServerHarness {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    @Test
    void aPeerThatStopsHeartbeatingIsConvictedByPhiWithTheModelInTheVerdict() throws Exception {
        TetherServer server = start(fastServer().phiAccrual(new PhiAccrual(8, Duration.ofMillis(10), null, 32)));
        try (RawPeer quitter = new RawPeer(server.address())) {
            quitter.hello("quitter", 100);
            AtomicInteger pings = new AtomicInteger();
            timer.scheduleAtFixedRate(() -> {
                try {
                    quitter.ping(2, 0);
                    pings.incrementAndGet();
                } catch (Exception ignored) {
                    // convicted and closed
                }
            }, 0, 100, TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> pings.get() >= 20);

            timer.shutdownNow();
            PresenceEvent offline = presence.awaitOffline("quitter", CloseReason.TIMEOUT);
            assertThat(offline.detail()).contains("phi 8.0: allowed");
        }
    }
}
