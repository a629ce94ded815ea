package io.tether.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tether.protocol.CloseReason;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A handler that blocks the event loop for over three timeouts: the peers' bytes pile up unread in the kernel,
 * and right after the stall the loop runs its due timers before it reads again. Without the pause guard
 * every peer on that loop would be convicted; with it, none is, and the stall is logged.
 */
class PauseGuardTest extends ServerHarness {

    @Test
    void peersAreNotConvictedForSilenceTheServerCouldNotHaveSeen() throws Exception {
        CountDownLatch neverReleased = new CountDownLatch(1);
        TetherServer server = start(fastServer().eventLoopThreads(1).messageHandler((session, payload) -> {
            if (new String(payload, StandardCharsets.UTF_8).equals("stall")) {
                try {
                    neverReleased.await(2, TimeUnit.SECONDS); // the stall itself: the loop does nothing for 2 s
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }));
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger liveness = (Logger) LoggerFactory.getLogger("io.tether.internal.WheelTicker");
        liveness.addAppender(log);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (RawPeer pinger = new RawPeer(server.address()); RawPeer staller = new RawPeer(server.address())) {
            // A 600 ms timeout, heartbeats every 100 ms: 500 ms of margin for this machine's hiccups outside the
            // stall. The guard's exact arithmetic is ServerConnectionTest's and DeadlineWheelTest's, on a test clock.
            pinger.hello("pinger", 200);
            staller.hello("staller", 200);
            AtomicInteger pongs = new AtomicInteger();
            timer.scheduleAtFixedRate(() -> {
                try {
                    pinger.ping(1, 0);
                    staller.ping(2, 0); // both keep heartbeating, so any conviction would be false
                    while (pinger.hasFrameWaiting()) {
                        if (pinger.read().type() == FrameType.PONG) {
                            pongs.incrementAndGet();
                        }
                    }
                    while (staller.hasFrameWaiting()) {
                        staller.read();
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, 0, 100, TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(5)).until(() -> pongs.get() >= 3);

            staller.send(Frames.data(UnpooledByteBufAllocator.DEFAULT, "stall".getBytes(StandardCharsets.UTF_8)));
            int before = pongs.get();
            // Well after the stall: the pinger has had 10 more answers.
            await().atMost(Duration.ofSeconds(10)).until(() -> pongs.get() >= before + 10);

            assertThat(presence.find("pinger", PresenceEvent.Type.OFFLINE)).isNull();
            assertThat(presence.find("staller", PresenceEvent.Type.OFFLINE)).isNull();
            assertThat(log.list).anyMatch(e -> e.getFormattedMessage().contains("ms late")
                    && e.getFormattedMessage().contains("get as long again before any verdict"));

            // The guard delays verdicts; it does not cancel them: a peer that really goes quiet still goes.
            timer.shutdownNow();
            assertThat(presence.awaitOffline("pinger", CloseReason.TIMEOUT)).isNotNull();
        } finally {
            timer.shutdownNow();
            liveness.detachAppender(log);
        }
    }
}
