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

class DeadlineWheelTest {
    private final EventLoop loop = new DefaultEventLoop();
    private final List<String> fired = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }

    private final class Named extends DeadlineWheel.Entry {
        final String name;
        long deadline;
        long firedAt;
        Runnable onFire = () -> { };

        Named(String name) {
            this.name = name;
        }

        @Override
        void deadlineReached() {
            firedAt = System.nanoTime();
            fired.add(name);
            onFire.run();
        }
    }

    private void onLoop(Runnable task) {
        loop.submit(task).syncUninterruptibly();
    }

    @Test
    void firesEachEntryOnceAndNeverBeforeItsDeadline() {
        DeadlineWheel wheel = DeadlineWheel.of(loop);
        Named soon = new Named("soon");
        Named later = new Named("later");
        Named beyondATurn = new Named("beyond a turn"); // past the wheel's ~4 s revolution, must wait out a turn
        onLoop(() -> {
            long now = System.nanoTime();
            soon.deadline = now + TimeUnit.MILLISECONDS.toNanos(20);
            later.deadline = now + TimeUnit.MILLISECONDS.toNanos(60);
            beyondATurn.deadline = now + TimeUnit.MILLISECONDS.toNanos(4200);
            wheel.schedule(soon, soon.deadline);
            wheel.schedule(later, later.deadline);
            wheel.schedule(beyondATurn, beyondATurn.deadline);
        });

        await().atMost(Duration.ofSeconds(10)).until(() -> fired.size() == 3);
        assertThat(fired).containsExactly("soon", "later", "beyond a turn");
        for (Named entry : List.of(soon, later, beyondATurn)) {
            assertThat(entry.firedAt).isGreaterThanOrEqualTo(entry.deadline);
        }
        onLoop(() -> assertThat(wheel.size()).isZero());
    }

    @Test
    void aCancelledOrMovedEntryDoesNotFireAtItsOldDeadline() {
        DeadlineWheel wheel = DeadlineWheel.of(loop);
        Named cancelled = new Named("cancelled");
        Named moved = new Named("moved");
        Named marker = new Named("marker");
        onLoop(() -> {
            long now = System.nanoTime();
            wheel.schedule(cancelled, now + TimeUnit.MILLISECONDS.toNanos(10));
            wheel.schedule(moved, now + TimeUnit.MILLISECONDS.toNanos(10));
            wheel.cancel(cancelled);
            wheel.schedule(moved, now + TimeUnit.MILLISECONDS.toNanos(80));
            wheel.schedule(marker, now + TimeUnit.MILLISECONDS.toNanos(40));
        });

        await().atMost(Duration.ofSeconds(5)).until(() -> fired.contains("moved"));
        assertThat(fired).containsExactly("marker", "moved");
    }

    @Test
    void aFiringMayCancelAnotherDueEntryOrRescheduleItself() {
        DeadlineWheel wheel = DeadlineWheel.of(loop);
        Named first = new Named("first");
        Named victim = new Named("victim");
        Named repeating = new Named("repeating");
        int[] repeats = {0};
        first.onFire = () -> wheel.cancel(victim);
        repeating.onFire = () -> {
            if (++repeats[0] < 3) {
                wheel.schedule(repeating, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5));
            }
        };
        onLoop(() -> {
            // Same deadline, so all three are due in the same tick; whichever fires first, "victim" must not
            // fire after "first" cancelled it.
            long at = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(15);
            wheel.schedule(victim, at);
            wheel.schedule(repeating, at);
            wheel.schedule(first, at);
        });

        await().atMost(Duration.ofSeconds(5)).until(() -> repeats[0] == 3);
        onLoop(() -> assertThat(wheel.size()).isZero());
        assertThat(fired).contains("first").filteredOn("repeating"::equals).hasSize(3);
        if (fired.indexOf("victim") >= 0) {
            assertThat(fired.indexOf("victim")).isLessThan(fired.indexOf("first"));
        }
    }

    @Test
    void aFewDistantDeadlinesWakeTheLoopOnlyWhenDueAndAnEarlierOneIsNotMissed() {
        DeadlineWheel wheel = DeadlineWheel.of(loop);
        Named distant = new Named("distant");
        Named earlier = new Named("earlier");
        long[] runsBefore = new long[1];
        onLoop(() -> {
            runsBefore[0] = wheel.runs();
            distant.deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(400);
            wheel.schedule(distant, distant.deadline);
        });
        // Planned after the distant one, due before it: the wheel must wake for it, not sleep through.
        onLoop(() -> {
            earlier.deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(150);
            wheel.schedule(earlier, earlier.deadline);
        });

        await().atMost(Duration.ofSeconds(5)).until(() -> fired.size() == 2);
        assertThat(fired).containsExactly("earlier", "distant");
        assertThat(earlier.firedAt).isGreaterThanOrEqualTo(earlier.deadline);
        assertThat(distant.firedAt).isGreaterThanOrEqualTo(distant.deadline);
        // A 1 ms tick would have run some 400 times; a planned wake-up runs once per deadline.
        onLoop(() -> assertThat(wheel.runs() - runsBefore[0]).isLessThanOrEqualTo(4));
    }

    @Test
    void oneWheelPerLoop() {
        EventLoop other = new DefaultEventLoop();
        try {
            assertThat(DeadlineWheel.of(loop)).isSameAs(DeadlineWheel.of(loop)).isNotSameAs(DeadlineWheel.of(other));
        } finally {
            other.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
        }
    }
}
