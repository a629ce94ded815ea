package io.tether.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HandshakeRateTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long START = 5_000 * MS;

    @Test
    void aFullBucketTakesOneSecondsWorthAtOnceThenOnePerToken() {
        HandshakeRate rate = new HandshakeRate(1_000, START);
        int taken = 0;
        while (rate.mayAccept(START)) {
            rate.accepted(START);
            taken++;
        }
        assertThat(taken).isEqualTo(1_000);
        assertThat(rate.nextAcceptNanos()).isEqualTo(START + MS);
        assertThat(rate.mayAccept(START + MS - 1)).isFalse();
        assertThat(rate.mayAccept(START + MS)).isTrue();
    }

    @Test
    void aBatchOverTheBucketIsOwedAndTheNextPausePaysIt() {
        HandshakeRate rate = new HandshakeRate(1_000, START);
        for (int i = 0; i < 1_500; i++) { // the listener handed over more than the bucket held
            rate.accepted(START);
        }
        assertThat(rate.mayAccept(START + 500 * MS)).isFalse();
        assertThat(rate.nextAcceptNanos()).isEqualTo(START + 501 * MS);
    }

    @Test
    void anIdleBucketRefillsToOneSecondsWorthAndNoMore() {
        HandshakeRate rate = new HandshakeRate(100, START);
        long later = START + 60_000 * MS;
        int taken = 0;
        while (rate.mayAccept(later)) {
            rate.accepted(later);
            taken++;
        }
        assertThat(taken).isEqualTo(100);
    }

    @Test
    void zeroIsNoLimit() {
        HandshakeRate rate = new HandshakeRate(0, START);
        for (int i = 0; i < 100_000; i++) {
            rate.accepted(START);
        }
        assertThat(rate.mayAccept(START)).isTrue();
    }
}
