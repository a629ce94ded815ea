package io.tether.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A liveness record driven by hand with a test clock: deadlines, re-arms and verdicts are exact. */
class LivenessTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private final List<Long> verdicts = new ArrayList<>(); // silence at each verdict, in ms
    private final Liveness liveness = new Liveness((silent, now) -> verdicts.add(silent / MS), 0);

    @Test
    void theDeadlineCountsFromTheLastReadAndMovesWithTraffic() {
        liveness.stampRead(500 * MS);
        long due = liveness.arm(SilenceRule.fixed(3000 * MS), 1000 * MS);
        assertThat(due).isEqualTo(3500 * MS); // arming grants no extra time: silence began at the read

        liveness.stampRead(2000 * MS);
        long again = liveness.expire(3500 * MS, Liveness.Stalls.IGNORED);
        assertThat(again).isEqualTo(5000 * MS); // newer traffic: the remainder, not a verdict
        assertThat(verdicts).isEmpty();

        assertThat(liveness.expire(5000 * MS, Liveness.Stalls.IGNORED)).isEqualTo(Liveness.NO_DEADLINE);
        assertThat(verdicts).containsExactly(3000L);
    }

    @Test
    void aVerdictIsPassedOnceAndNotAfterDisarming() {
        liveness.arm(SilenceRule.fixed(100 * MS), 0);
        liveness.disarm();
        assertThat(liveness.expire(200 * MS, Liveness.Stalls.IGNORED)).isEqualTo(Liveness.NO_DEADLINE);
        assertThat(verdicts).isEmpty();

        liveness.arm(SilenceRule.fixed(100 * MS), 200 * MS);
        liveness.expire(200 * MS, Liveness.Stalls.IGNORED);
        liveness.expire(300 * MS, Liveness.Stalls.IGNORED);
        assertThat(verdicts).containsExactly(200L);
    }

    @Test
    void aHandshakeDeadlineIsNotMovedByBytesThatTrickleIn() {
        long due = liveness.arm(SilenceRule.until(6000 * MS, 0), 0);
        for (long t = 1000; t < 6000; t += 1000) {
            liveness.stampRead(t * MS);
        }
        assertThat(liveness.expire(due, Liveness.Stalls.IGNORED)).isEqualTo(Liveness.NO_DEADLINE);
        assertThat(verdicts).containsExactly(1000L); // silent 1 s since the last byte, at the 6 s deadline
    }

    @Test
    void aDeadlineArmedLongAfterTheLastReadStillFallsWhenItSays() {
        liveness.stampRead(100 * MS);
        // Armed at 5 s for 1 s later, after almost 5 s of silence: due at 6 s, not 1 s after the last read.
        long due = liveness.arm(SilenceRule.until(6000 * MS, liveness.lastReadNanos()), 5000 * MS);
        assertThat(due).isEqualTo(6000 * MS);
        assertThat(liveness.expire(due, Liveness.Stalls.IGNORED)).isEqualTo(Liveness.NO_DEADLINE);
        assertThat(verdicts).containsExactly(5900L);
    }

    @Test
    void aLateDeadlineIsAStallAndEarnsGraceAsLongAsTheStall() {
        List<Long> stalls = new ArrayList<>();
        long due = liveness.arm(SilenceRule.fixed(100 * MS), 0);
        long late = Liveness.PAUSE_TOLERANCE_MILLIS + 1;

        long next = liveness.expire(due + late * MS, (l, now) -> stalls.add(l / MS));
        assertThat(stalls).containsExactly(late);
        assertThat(next).isEqualTo(due + 2 * late * MS);
        assertThat(verdicts).isEmpty();

        // Met on time, a deadline just within the tolerance is no stall: the verdict comes.
        assertThat(liveness.expire(next + Liveness.PAUSE_TOLERANCE_MILLIS * MS, (l, now) -> stalls.add(l)))
                .isEqualTo(Liveness.NO_DEADLINE);
        assertThat(stalls).hasSize(1);
        assertThat(verdicts).hasSize(1);
    }
}
