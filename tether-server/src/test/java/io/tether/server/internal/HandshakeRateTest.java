package io.tether.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HandshakeRateTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long START = 5_000 * MS;
    private static final Object A = "tether port";
    private static final Object B = "classic port";

    @Test
    void aFullBucketTakesOneSecondsWorthAtOnceThenOnePerToken() {
        HandshakeRate rate = new HandshakeRate(1_000, START);
        int taken = 0;
        while (rate.mayAccept(A, START)) {
            rate.accepted(A, START);
            taken++;
        }
        assertThat(taken).isEqualTo(1_000);
        assertThat(rate.nextAcceptNanos()).isEqualTo(START + MS);
        assertThat(rate.mayAccept(A, START + MS - 1)).isFalse();
        assertThat(rate.mayAccept(A, START + MS)).isTrue();
    }

    @Test
    void aBatchOverTheBucketIsOwedAndTheNextPausePaysIt() {
        HandshakeRate rate = new HandshakeRate(1_000, START);
        for (int i = 0; i < 1_500; i++) { // the listener handed over more than the bucket held
            rate.accepted(A, START);
        }
        assertThat(rate.mayAccept(A, START + 500 * MS)).isFalse();
        assertThat(rate.nextAcceptNanos()).isEqualTo(START + 501 * MS);
    }

    @Test
    void anIdleBucketRefillsToOneSecondsWorthAndNoMore() {
        HandshakeRate rate = new HandshakeRate(100, START);
        long later = START + 60_000 * MS;
        int taken = 0;
        while (rate.mayAccept(A, later)) {
            rate.accepted(A, later);
            taken++;
        }
        assertThat(taken).isEqualTo(100);
    }

    @Test
    void zeroIsNoLimit() {
        HandshakeRate rate = new HandshakeRate(0, START);
        for (int i = 0; i < 100_000; i++) {
            rate.accepted(A, START);
        }
        assertThat(rate.mayAccept(A, START)).isTrue();
    }

    @Test
    void aListenerTurnedAwayHasTheNextTokensBeforeTheOneThatTookTheLast() {
        HandshakeRate rate = new HandshakeRate(1_000, START);
        while (rate.mayAccept(A, START)) { // A's wake-up came first and took the whole bucket
            rate.accepted(A, START);
        }
        assertThat(rate.mayAccept(B, START)).isFalse(); // B is turned away: the next tokens are B's
        long due = START + 2 * MS;
        assertThat(rate.mayAccept(A, due)).as("A again, while B has its turn").isFalse();
        assertThat(rate.mayAccept(B, due)).isTrue();
        rate.accepted(B, due);
        rate.accepted(B, due);
        assertThat(rate.mayAccept(A, due)).as("A, with the bucket empty again, has the next turn").isFalse();
        assertThat(rate.mayAccept(B, due + MS)).isFalse();
        assertThat(rate.mayAccept(A, due + MS)).isTrue();
    }

    @Test
    void aTurnNotTakenLapsesSoAListenerThatWentAwayCannotBlockTheOther() {
        HandshakeRate rate = new HandshakeRate(1_000, START);
        while (rate.mayAccept(A, START)) {
            rate.accepted(A, START);
        }
        assertThat(rate.mayAccept(B, START)).isFalse(); // B's turn, which B never comes back for
        long lapsed = START + MS + TimeUnit.MILLISECONDS.toNanos(HandshakeRate.TURN_MILLIS);
        assertThat(rate.mayAccept(A, lapsed - 1)).isFalse();
        assertThat(rate.mayAccept(A, lapsed)).isTrue();
    }
}
