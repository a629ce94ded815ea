package io.tether.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReconnectBackoffTest {
    private final ReconnectBackoff backoff = new ReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(2), 2.0);

    @Test
    void ceilingGrowsExponentiallyUpToTheMaximum() {
        assertThat(backoff.ceiling(0)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.ceiling(1)).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.ceiling(4)).isEqualTo(Duration.ofMillis(1600));
        assertThat(backoff.ceiling(5)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.ceiling(500)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void fullJitterSpreadsDelaysOverTheWholeRange() {
        SplittableRandom random = new SplittableRandom(7);
        long below = 0;
        long above = 0;
        for (int i = 0; i < 10_000; i++) {
            Duration delay = backoff.delay(3, random);
            assertThat(delay).isBetween(Duration.ZERO, Duration.ofMillis(800));
            if (delay.toMillis() < 200) {
                below++;
            } else if (delay.toMillis() >= 600) {
                above++;
            }
        }
        // Uniform over [0, 800]: each quarter holds about 2,500 of 10,000 draws.
        assertThat(below).isBetween(2_000L, 3_000L);
        assertThat(above).isBetween(2_000L, 3_000L);
    }

    @Test
    void aKnownOutageHoldsTheCeilingToHalfOfIt() {
        // 100 ms doubling to 2 s: attempt 4 alone would allow 1.6 s.
        assertThat(backoff.ceiling(4, Duration.ofMillis(1200))).isEqualTo(Duration.ofMillis(600));
        // Early on, the attempt's own ceiling is the smaller one.
        assertThat(backoff.ceiling(1, Duration.ofSeconds(10))).isEqualTo(Duration.ofMillis(200));
        // Never under the initial wait, however short the outage so far, and never over max.
        assertThat(backoff.ceiling(3, Duration.ofMillis(20))).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.ceiling(30, Duration.ofMinutes(10))).isEqualTo(Duration.ofSeconds(2));
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        for (int i = 0; i < 1000; i++) {
            assertThat(backoff.delay(6, Duration.ofMillis(900), random)).isBetween(Duration.ZERO, Duration.ofMillis(450));
        }
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new ReconnectBackoff(Duration.ZERO, Duration.ofSeconds(1), 2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(2), 0.5))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
