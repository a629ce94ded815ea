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
    void rejectsNonsense() {
        assertThatThrownBy(() -> new ReconnectBackoff(Duration.ZERO, Duration.ofSeconds(1), 2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(2), 0.5))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
