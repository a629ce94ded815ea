package io.tether.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TrafficTest {
    @Test
    void roundTripsFallInPowerOfTwoMicrosecondBuckets() {
        Traffic traffic = new Traffic();
        long[] micros = {0, 1, 2, 3, 4, 5, 1024, 1025, 8_388_608L, 8_388_609L, Long.MAX_VALUE};
        for (long m : micros) {
            traffic.rtt(m);
        }
        assertThat(traffic.rttBucket(0)).as("0 and 1 µs").isEqualTo(2);
        assertThat(traffic.rttBucket(1)).as("2 µs").isEqualTo(1);
        assertThat(traffic.rttBucket(2)).as("3 and 4 µs").isEqualTo(2);
        assertThat(traffic.rttBucket(3)).as("5 µs").isEqualTo(1);
        assertThat(traffic.rttBucket(10)).as("1024 µs").isEqualTo(1);
        assertThat(traffic.rttBucket(11)).as("1025 µs").isEqualTo(1);
        assertThat(traffic.rttBucket(23)).as("2^23 µs").isEqualTo(1);
        assertThat(traffic.rttBucket(Traffic.RTT_BUCKETS - 1)).as("longer").isEqualTo(2);
    }

    @Test
    void framesAndBytesOnlyGrow() {
        Traffic traffic = new Traffic();
        traffic.read(100);
        traffic.frameIn();
        traffic.frameOut(14);
        traffic.frameOut(20);
        assertThat(new long[] {traffic.framesIn(), traffic.bytesIn(), traffic.framesOut(), traffic.bytesOut()})
                .containsExactly(1, 100, 2, 34);
    }
}
