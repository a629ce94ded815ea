package io.tether.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The wheel on a test clock: it is polled with the time, so every assertion is exact. */
class DeadlineWheelTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long START = 1_000_000 * MS; // any origin; nanoTime values need not be near zero

    private final DeadlineWheel wheel = new DeadlineWheel(START);
    private final List<String> fired = new ArrayList<>();
    private final List<Long> stalls = new ArrayList<>();
    private final Liveness.Stalls recordStalls = (late, now) -> stalls.add(late);

    /** An entry armed with a deadline that no traffic moves, that records when it fired. */
    private Liveness entry(String name, long deadline, Runnable onFire) {
        Liveness[] self = new Liveness[1];
        self[0] = new Liveness((silent, now) -> {
            fired.add(name + "@" + (now - START) / MS);
            onFire.run();
        }, START);
        self[0].arm(SilenceRule.until(deadline, START), START);
        wheel.schedule(self[0], deadline);
        return self[0];
    }

    private Liveness entry(String name, long deadline) {
        return entry(name, deadline, () -> { });
    }

    private void pollEachMsUntil(long endMs) {
        for (long t = 0; t <= endMs; t++) {
            wheel.poll(START + t * MS, recordStalls);
        }
    }

    @Test
    void firesEachEntryOnceAtTheFirstPollAtOrAfterItsDeadline() {
        entry("soon", START + 20 * MS);
        entry("later", START + 60 * MS + 1); // a nanosecond into the 61st ms: due at 61, never at 60
        entry("beyond a turn", START + 4200 * MS); // past the wheel's ~4 s revolution: waits out a turn

        pollEachMsUntil(5000);

        assertThat(fired).containsExactly("soon@20", "later@61", "beyond a turn@4200");
        assertThat(wheel.size()).isZero();
        assertThat(stalls).isEmpty();
    }

    @Test
    void aCancelledOrMovedEntryDoesNotFireAtItsOldDeadline() {
        Liveness cancelled = entry("cancelled", START + 10 * MS);
        Liveness moved = entry("moved", START + 10 * MS);
        entry("marker", START + 40 * MS);
        wheel.cancel(cancelled);
        moved.arm(SilenceRule.until(START + 80 * MS, START), START);
        wheel.schedule(moved, START + 80 * MS);

        pollEachMsUntil(100);

        assertThat(fired).containsExactly("marker@40", "moved@80");
    }

    @Test
    void aFiringMayCancelAnotherDueEntryOrRescheduleItself() {
        Liveness[] victim = new Liveness[1];
        int[] repeats = {0};
        Liveness[] repeating = new Liveness[1];
        long at = START + 15 * MS;
        victim[0] = entry("victim", at);
        repeating[0] = entry("repeating", at, () -> {
            if (++repeats[0] < 3) {
                long next = START + (15 + 5L * repeats[0]) * MS;
                repeating[0].arm(SilenceRule.until(next, START), next - 5 * MS);
                wheel.schedule(repeating[0], next);
            }
        });
        entry("first", at, () -> wheel.cancel(victim[0]));

        pollEachMsUntil(50);

        // All three are due in one tick; "victim" may fire only if it came before "first" cancelled it.
        assertThat(fired).contains("first@15", "repeating@15", "repeating@20", "repeating@25");
        if (fired.contains("victim@15")) {
            assertThat(fired.indexOf("victim@15")).isLessThan(fired.indexOf("first@15"));
        }
        assertThat(wheel.size()).isZero();
    }

    @Test
    void tellsTheEarliestDeadlineSoTheLoopNeedNotWakeBeforeIt() {
        assertThat(wheel.nextDeadlineNanos()).isEqualTo(Liveness.NO_DEADLINE);
        entry("distant", START + 400 * MS);
        assertThat(wheel.nextDeadlineNanos()).isEqualTo(START + 400 * MS);
        entry("earlier", START + 150 * MS + 1);
        assertThat(wheel.nextDeadlineNanos()).isEqualTo(START + 151 * MS);

        assertThat(wheel.poll(START + 150 * MS, recordStalls)).isZero();
        assertThat(wheel.poll(START + 151 * MS, recordStalls)).isOne();
        assertThat(wheel.nextDeadlineNanos()).isEqualTo(START + 400 * MS);
    }

    @Test
    void aPollAfterAStallCatchesUpAndGivesThePeersGraceInsteadOfAVerdict() {
        Liveness peer = new Liveness((silent, now) -> fired.add("peer@" + (now - START) / MS), START);
        wheel.schedule(peer, peer.arm(SilenceRule.fixed(100 * MS), START)); // silence, not a fixed deadline

        // The loop was stalled from 90 ms to 700 ms: the first poll after it is 600 ms late for the deadline.
        pollEachMsUntil(90);
        assertThat(wheel.poll(START + 700 * MS, recordStalls)).isOne();

        assertThat(fired).isEmpty();
        assertThat(stalls).containsExactly(600 * MS);
        // The peer's bytes, unread during the stall, arrive now: it is alive, and no verdict follows.
        for (long t = 701; t <= 1400; t++) {
            if (t % 50 == 1) {
                peer.stampRead(START + t * MS); // and it keeps pinging
            }
            wheel.poll(START + t * MS, recordStalls);
        }
        assertThat(fired).isEmpty();
    }

    @Test
    void aPeerThatIsReallySilentIsConvictedWhenTheGraceEnds() {
        entry("silent", START + 100 * MS);
        wheel.poll(START + 700 * MS, recordStalls); // 600 ms late: grace until 1300 ms

        pollEachMsUntil(1299);
        assertThat(fired).isEmpty();
        wheel.poll(START + 1300 * MS, recordStalls);
        assertThat(fired).containsExactly("silent@1300");
    }
}
