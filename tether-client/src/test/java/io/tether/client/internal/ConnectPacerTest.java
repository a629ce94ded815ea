package io.tether.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConnectPacerTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final long[] now = {1_000 * MS};
    private final List<Integer> ran = new ArrayList<>();
    // A loop whose scheduled tasks run only when asked: the test calls drain() itself, at the times it chooses.
    private final ConnectPacer pacer = new ConnectPacer(new EmbeddedChannel().eventLoop(), () -> now[0]);

    /** An attempt that costs the loop {@code ms} of kernel time, as connect() on a crowded port range does. */
    private Runnable attempt(int index, long ms) {
        return () -> {
            ran.add(index);
            now[0] += ms * MS;
        };
    }

    @Test
    void aHerdOfAttemptsTakesAtMostTheBudgetOfEachSliceInOrder() {
        assertThat(ConnectPacer.BUDGET_MILLIS).isEqualTo(3); // the figures below are for 3 ms of every 10
        for (int i = 0; i < 12; i++) {
            pacer.submit(attempt(i, 1));
        }
        assertThat(ran).containsExactly(0, 1, 2);
        assertThat(pacer.waiting()).isEqualTo(9);

        now[0] = 1_010 * MS; // the next slice: the planned drain runs
        pacer.drain();
        assertThat(ran).containsExactly(0, 1, 2, 3, 4, 5);

        pacer.drain(); // early (say, a second drain in the same slice): the slice's budget is spent
        assertThat(ran).hasSize(6);

        now[0] = 1_020 * MS;
        pacer.drain();
        now[0] = 1_030 * MS;
        pacer.drain();
        assertThat(ran).hasSize(12).isSorted();
        assertThat(pacer.waiting()).isZero();
    }

    @Test
    void aLoneAttemptNeverWaitsAndAnExpensiveOneIsPaidForWithRest() {
        pacer.submit(attempt(0, 0));
        assertThat(ran).containsExactly(0);

        pacer.submit(attempt(1, 40)); // 40 ms in the kernel: over thirteen budgets' worth
        pacer.submit(attempt(2, 0));
        assertThat(ran).containsExactly(0, 1);
        assertThat(pacer.waiting()).isEqualTo(1);

        now[0] = 1_120 * MS; // 120 ms of loop time, 40 of them spent connecting: over the budget's share
        pacer.drain();
        assertThat(ran).containsExactly(0, 1);

        now[0] = 1_130 * MS;
        pacer.drain();
        assertThat(ran).containsExactly(0, 1, 2);
    }
}
