package io.tether.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.tether.internal.PhiAccrualRule;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PhiAccrualTest {
    private static final long MS = 1_000_000;
    private final HeartbeatPolicy policy = HeartbeatPolicy.of(Duration.ofSeconds(1), Duration.ofSeconds(3));

    @Test
    void thresholdBecomesStandardDeviationsPastTheMean() {
        // Reference values of the standard normal upper tail.
        assertThat(PhiAccrual.upperTailQuantile(1e-8)).isCloseTo(5.6120, within(1e-3));
        assertThat(PhiAccrual.upperTailQuantile(1e-3)).isCloseTo(3.0902, within(1e-3));
        assertThat(PhiAccrual.defaults().deviations()).isCloseTo(5.6120, within(1e-3));
    }

    @Test
    void aSteadyPeerIsAllowedLessSilenceThanTheFixedTimeout() {
        PhiAccrualRule rule = feed(new SplittableRandom(1), 0.0);
        // mean 1 s + pause 1 s + 5.61 × 100 ms (the deviation floor) ≈ 2.56 s, under the fixed 3 s.
        assertThat(rule.allowedSilenceNanos() / MS).isBetween(2_500L, 2_620L);
    }

    @Test
    void aJitteryPeerIsAllowedMoreUpToTwiceTheFixedTimeout() {
        PhiAccrualRule rule = feed(new SplittableRandom(2), 0.5);
        // Gaps uniform in 0.5..1.5 s: std ≈ 289 ms, so ≈ 1 + 1 + 5.61 × 0.289 ≈ 3.6 s, above the fixed 3 s.
        assertThat(rule.allowedSilenceNanos() / MS).isBetween(3_300L, 4_000L);
        assertThat(rule.explain()).startsWith("phi 8.0: allowed");

        PhiAccrualRule wild = feed(new SplittableRandom(3), 5.0);
        assertThat(wild.allowedSilenceNanos()).isEqualTo(Duration.ofSeconds(6).toNanos());
    }

    @Test
    void aPeerThatStreamsDataIsStillAllowedAFullIntervalOfQuiet() {
        PhiAccrualRule rule = new PhiAccrualRule(PhiAccrual.defaults(), policy, 0);
        long t = 0;
        for (int i = 0; i < 200; i++) {
            t += 100_000; // a read every 0.1 ms
            rule.arrived(t);
        }
        // After the data stops, the client pings within one interval: that gap must stay allowed.
        assertThat(rule.allowedSilenceNanos()).isGreaterThan(Duration.ofSeconds(1).toNanos());
    }

    @Test
    void theRandomlyPlacedFirstPingDoesNotWidenAYoungSessionsEstimate() {
        PhiAccrualRule rule = new PhiAccrualRule(PhiAccrual.defaults(), policy, 0);
        long t = 37 * MS; // first ping at a random phase, 37 ms after the handshake
        rule.arrived(t);
        for (int i = 0; i < 3; i++) {
            t += 1000 * MS;
            rule.arrived(t);
        }
        // Only the seed and the three regular gaps count: ≈ 1 + 1 + 5.61 × 0.1 s, as for an old steady session.
        assertThat(rule.allowedSilenceNanos() / MS).isBetween(2_500L, 2_620L);
    }

    @Test
    void settingsOutsideTheirRangeAreRefused() {
        assertThatThrownBy(() -> new PhiAccrual(1, Duration.ofMillis(100), null, 32)).hasMessageContaining("2..20");
        assertThatThrownBy(() -> new PhiAccrual(8, Duration.ZERO, null, 32)).hasMessageContaining("positive");
        assertThatThrownBy(() -> new PhiAccrual(8, Duration.ofMillis(100), null, 2)).hasMessageContaining("4..1000");
    }

    private PhiAccrualRule feed(SplittableRandom random, double jitter) {
        PhiAccrualRule rule = new PhiAccrualRule(PhiAccrual.defaults(), policy, 0);
        long t = 0;
        for (int i = 0; i < 100; i++) {
            t += (long) (1000 * MS * (1 + jitter * (2 * random.nextDouble() - 1)));
            rule.arrived(t);
        }
        return rule;
    }
}
