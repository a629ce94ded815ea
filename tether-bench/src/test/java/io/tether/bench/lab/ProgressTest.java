package io.tether.bench.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.bench.lab.FaultsCommand.Scenario;
import io.tether.heartbeat.HeartbeatProfile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The progress lines of a long bench, on a clock the test moves. */
class ProgressTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final Progress progress = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), "faults",
            List.of(Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(30)), now::get);

    private void advance(long seconds) {
        now.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
    }

    private List<String> lines() {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void aLineSaysRunStepElapsedAndTimeLeft() {
        progress.begin(0, "silent (fixed)");
        assertThat(lines()).containsExactly("faults 1/3 silent (fixed): starting (0s); elapsed 0s, about 1m00s left");

        advance(4);
        progress.step("waiting for 100 silent peers to be declared offline");
        advance(3);
        assertThat(progress.line()).isEqualTo(
                "faults 1/3 silent (fixed): waiting for 100 silent peers to be declared offline (3s); elapsed 7s, about 53s left");
    }

    @Test
    void theEstimateLearnsThePaceOfTheRunsDone() {
        progress.begin(0, "a");
        advance(20); // twice the 10 s expected
        progress.end(true);
        progress.begin(1, "b");
        assertThat(progress.line()).endsWith("elapsed 20s, about 1m40s left"); // 2 x (20 s + 30 s)

        advance(60); // run b overruns its scaled 40 s: only run c is left
        assertThat(progress.line()).endsWith("elapsed 1m20s, about 1m00s left");
    }

    @Test
    void aSkippedRunDoesNotTeachThePace() {
        progress.begin(0, "cut (fixed)");
        progress.end(false); // over at once: nftables missing
        progress.begin(1, "b");
        assertThat(progress.line()).endsWith("about 50s left");
    }

    @Test
    void linesComeNoMoreOftenThanTheGapAndAtLeastEveryQuietGap() {
        progress.begin(0, "a");
        progress.step("one");
        progress.step("two");
        assertThat(lines()).hasSize(1).allMatch(l -> l.contains(": starting (0s)"));

        advance(Progress.MIN_GAP.toSeconds());
        progress.tick();
        assertThat(lines()).hasSize(2).last().asString().contains(": two (3s)");

        advance(Progress.MIN_GAP.toSeconds());
        progress.tick();
        assertThat(lines()).as("nothing new to say yet").hasSize(2);

        advance(Progress.QUIET_GAP.toSeconds() - Progress.MIN_GAP.toSeconds());
        progress.tick();
        assertThat(lines()).as("a long wait is seen to move").hasSize(3).last().asString().contains(": two (18s)");
    }

    @Test
    void clockReadsLikeAClock() {
        assertThat(Progress.clock(0)).isEqualTo("0s");
        assertThat(Progress.clock(-5)).isEqualTo("0s");
        assertThat(Progress.clock(TimeUnit.SECONDS.toNanos(59))).isEqualTo("59s");
        assertThat(Progress.clock(TimeUnit.SECONDS.toNanos(65))).isEqualTo("1m05s");
        assertThat(Progress.clock(TimeUnit.SECONDS.toNanos(3725))).isEqualTo("1h02m");
    }

    @Test
    void theWholeFaultsBenchIsExpectedToTakeAboutAQuarterOfAnHour() {
        Duration total = Arrays.stream(Scenario.values())
                .map(s -> FaultRun.expected(s, HeartbeatProfile.STANDARD.policy(), 10_000, 9_000))
                .reduce(Duration.ZERO, Duration::plus).multipliedBy(2);
        assertThat(total).isBetween(Duration.ofMinutes(12), Duration.ofMinutes(17));
    }
}
