package io.tether.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ticker on a real loop and the real clock: what it must get right is when it wakes the loop, which
 * DeadlineWheelTest (the wheel alone, on a test clock) cannot see.
 */
class WheelTickerTest {
    private final EventLoop loop = new DefaultEventLoop();
    private final WheelTicker ticker = new WheelTicker(loop, System::nanoTime);
    private final List<String> fired = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }

    private void onLoop(Runnable task) {
        loop.submit(task).syncUninterruptibly();
    }

    /** A record armed with a deadline {@code millis} from now, which records when it fired. */
    private Liveness deadlineIn(String name, long millis, long[] deadline, long[] firedAt) {
        Liveness liveness = new Liveness((silent, now) -> {
            firedAt[0] = now;
            fired.add(name);
        }, System.nanoTime());
        deadline[0] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        ticker.arm(liveness, SilenceRule.until(deadline[0], liveness.lastReadNanos()));
        return liveness;
    }

    @Test
    void aFewDistantDeadlinesWakeTheLoopOnlyWhenDueAndAnEarlierOneIsNotMissed() {
        long[] distantDue = new long[1];
        long[] distantAt = new long[1];
        long[] earlierDue = new long[1];
        long[] earlierAt = new long[1];
        long[] pollsBefore = new long[1];
        onLoop(() -> {
            pollsBefore[0] = ticker.polls();
            deadlineIn("distant", 400, distantDue, distantAt);
        });
        // Armed after the distant one, due before it: the ticker must wake for it, not sleep through.
        onLoop(() -> deadlineIn("earlier", 150, earlierDue, earlierAt));

        await().atMost(Duration.ofSeconds(5)).until(() -> fired.size() == 2);
        assertThat(fired).containsExactly("earlier", "distant");
        assertThat(earlierAt[0]).isGreaterThanOrEqualTo(earlierDue[0]);
        assertThat(distantAt[0]).isGreaterThanOrEqualTo(distantDue[0]);
        // A 1 ms tick would have polled some 400 times; a planned wake-up polls once per deadline.
        onLoop(() -> assertThat(ticker.polls() - pollsBefore[0]).isLessThanOrEqualTo(4));
    }

    @Test
    void aDisarmedRecordPassesNoVerdict() {
        long[] due = new long[1];
        long[] at = new long[1];
        Liveness[] cancelled = new Liveness[1];
        onLoop(() -> {
            cancelled[0] = deadlineIn("cancelled", 20, due, at);
            ticker.disarm(cancelled[0]);
            deadlineIn("marker", 60, new long[1], new long[1]);
        });

        await().atMost(Duration.ofSeconds(5)).until(() -> fired.contains("marker"));
        assertThat(fired).containsExactly("marker");
        onLoop(() -> assertThat(cancelled[0].armed()).isFalse());
    }
}
