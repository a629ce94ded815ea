package io.tether.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogLimitTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void allowsABurstPerWindowAndCountsWhatItLeftOut() {
        LogLimit limit = new LogLimit(3, SECOND, 0);
        assertThat(limit.take(1)).isZero();
        assertThat(limit.take(2)).isZero();
        assertThat(limit.take(3)).isZero();
        for (int i = 0; i < 1000; i++) {
            assertThat(limit.take(4 + i)).isEqualTo(-1);
        }
        assertThat(limit.take(SECOND)).isEqualTo(1000);
        assertThat(limit.take(SECOND + 1)).isZero();
        assertThat(LogLimit.note(1000)).isEqualTo(" (1000 similar lines suppressed)");
        assertThat(LogLimit.note(0)).isEmpty();
    }
}
