package io.tether.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.heartbeat.PhiAccrual;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Phi accrual judging a peer through its liveness record and the timing wheel, on a test clock: a peer whose
 * heartbeats wander by ±50 % is never convicted, and one that stops is, sooner than the fixed timeout and
 * with the model in the verdict. (On real time, a test's own scheduling delays would be heartbeat gaps too.)
 */
class PhiAccrualLivenessTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final HeartbeatPolicy POLICY = HeartbeatPolicy.of(Duration.ofMillis(100), Duration.ofMillis(300));

    private final DeadlineWheel wheel = new DeadlineWheel(0);
    private final List<String> verdicts = new ArrayList<>();
    private final Liveness liveness = new Liveness((silent, now) -> verdicts.add(silent / MS + " ms at " + now / MS), 0);

    @Test
    void aJitteryPeerIsNeverConvictedAndOneThatStopsIs() {
        PhiAccrualRule rule = new PhiAccrualRule(new PhiAccrual(8, Duration.ofMillis(10), null, 32), POLICY, 0);
        wheel.schedule(liveness, liveness.arm(rule, 0));
        SplittableRandom random = new SplittableRandom(11);
        long t = 0;
        long next = 50 + random.nextInt(101);
        for (int beat = 0; beat < 500; ) { // gaps of 50 to 150 ms around the 100 ms interval
            t += MS;
            if (t >= next * MS) {
                liveness.stampRead(t);
                beat++;
                next += 50 + random.nextInt(101);
            }
            wheel.poll(t, Liveness.Stalls.IGNORED);
        }
        assertThat(verdicts).as("no verdict while it heartbeated, however irregularly").isEmpty();

        long lastBeat = liveness.lastReadNanos();
        String model = rule.explain();
        for (long end = t + 1000 * MS; t < end && verdicts.isEmpty(); ) {
            t += MS;
            wheel.poll(t, Liveness.Stalls.IGNORED);
        }
        assertThat(verdicts).hasSize(1);
        long silentMs = (t - lastBeat) / MS;
        assertThat(silentMs).as("convicted within twice the fixed timeout, the rule's cap").isLessThanOrEqualTo(600);
        assertThat(silentMs).as("and not before the longest gap it had seen").isGreaterThan(150);
        assertThat(model).startsWith("phi 8.0: allowed");
    }
}
