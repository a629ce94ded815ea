package io.tether.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tether.heartbeat.PhiAccrual;
import io.tether.protocol.CloseReason;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PhiAccrualServerTest extends ServerHarness {
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(1);
    private final ScheduledExecutorService quitterTimer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopTimers() {
        timer.shutdownNow();
        quitterTimer.shutdownNow();
    }

    @Test
    void jitteryButAlivePeerIsNeverConvictedAndASilentOneIs() throws Exception {
        TetherServer server = start(fastServer().phiAccrual(new PhiAccrual(8, Duration.ofMillis(10), null, 32)));
        try (RawPeer jittery = new RawPeer(server.address()); RawPeer quitter = new RawPeer(server.address())) {
            jittery.hello("jittery", 100);
            quitter.hello("quitter", 100);
            AtomicInteger pings = new AtomicInteger();
            SplittableRandom random = new SplittableRandom(11);
            // Heartbeat gaps vary by ±50 % around the 100 ms interval.
            Runnable[] beat = new Runnable[1];
            beat[0] = () -> {
                try {
                    jittery.ping(1, 0);
                    while (jittery.hasFrameWaiting()) {
                        jittery.read();
                    }
                    pings.incrementAndGet();
                    timer.schedule(beat[0], 50 + random.nextInt(101), TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            };
            timer.execute(beat[0]);
            quitterTimer.scheduleAtFixedRate(() -> {
                try {
                    quitter.ping(2, 0);
                } catch (Exception ignored) {
                    // convicted and closed: expected
                }
            }, 0, 100, TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> pings.get() >= 20);

            // The quitter stops (the jittery peer goes on): convicted by phi, with the model in the detail.
            quitterTimer.shutdownNow();
            PresenceEvent offline = presence.awaitOffline("quitter", CloseReason.TIMEOUT);
            assertThat(offline.detail()).contains("phi 8.0: allowed");
            int before = pings.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> pings.get() >= before + 20);
            assertThat(presence.find("jittery", PresenceEvent.Type.OFFLINE))
                    .as("no verdict while it heartbeated, however irregularly").isNull();
        }
    }
}
