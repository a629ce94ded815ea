package io.tether.bench.lab;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Where a long bench is, on stderr: the run (of how many), its step, the time elapsed and an estimate of the
 * time left. A line goes out when the step changes, but never sooner than {@link #MIN_GAP} after the last
 * one, and at least every {@link #QUIET_GAP} while a step waits, so the clock is seen to move.
 *
 * <p>The estimate starts from each run's expected duration, which the bench works out from what the run
 * waits for, and scales it by how long the finished runs took against their expectation: the machine's
 * speed at starting processes is learnt as the bench goes.
 */
final class Progress implements AutoCloseable {
    static final Duration MIN_GAP = Duration.ofSeconds(3);
    static final Duration QUIET_GAP = Duration.ofSeconds(15);

    private final PrintStream out;
    private final String bench;
    private final List<Duration> expected;
    private final LongSupplier nanos;
    private final long startedAt;
    private ScheduledExecutorService ticker;

    private int run = -1;
    private String name = "";
    private String step = "";
    private long runStartedAt;
    private long stepStartedAt;
    /** Expected and actual nanoseconds of the finished runs that count for the estimate. */
    private long doneExpected;
    private long doneActual;
    private long lastLineAt = Long.MIN_VALUE;
    private boolean changed;

    /** {@code expected}: each run's expected duration, in the order the runs will go. */
    Progress(PrintStream out, String bench, List<Duration> expected, LongSupplier nanos) {
        this.out = out;
        this.bench = bench;
        this.expected = List.copyOf(expected);
        this.nanos = nanos;
        this.startedAt = nanos.getAsLong();
    }

    /** Prints lines due while a step waits, from a daemon thread, until {@link #close}. */
    Progress start() {
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "bench-progress");
            thread.setDaemon(true);
            return thread;
        });
        ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
        return this;
    }

    /** Run {@code index} (from 0) begins; {@code name} says which, e.g. "frozen (phi)". */
    synchronized void begin(int index, String name) {
        this.run = index;
        this.name = name;
        this.runStartedAt = nanos.getAsLong();
        step("starting");
    }

    synchronized void step(String what) {
        step = what;
        stepStartedAt = nanos.getAsLong();
        changed = true;
        tick();
    }

    /** The current run is over; {@code counts} is false for one that did not really run (skipped). */
    synchronized void end(boolean counts) {
        if (counts && run >= 0) {
            doneExpected += expected.get(run).toNanos();
            doneActual += nanos.getAsLong() - runStartedAt;
        }
    }

    /** Prints the line if one is due. */
    synchronized void tick() {
        long now = nanos.getAsLong();
        long since = now - lastLineAt;
        if (lastLineAt == Long.MIN_VALUE || changed && since >= MIN_GAP.toNanos() || since >= QUIET_GAP.toNanos()) {
            out.println(line());
            out.flush();
            lastLineAt = now;
            changed = false;
        }
    }

    synchronized String line() {
        long now = nanos.getAsLong();
        return String.format(Locale.ROOT, "%s %d/%d %s: %s (%s); elapsed %s, about %s left", bench, run + 1,
                expected.size(), name, step, clock(now - stepStartedAt), clock(now - startedAt), clock(remaining(now)));
    }

    /** The expected time left: this run's and the later ones' expectations, scaled by the finished runs' pace. */
    synchronized long remaining(long now) {
        double scale = doneExpected > 0 ? (double) doneActual / doneExpected : 1.0;
        long left = 0;
        for (int i = Math.max(run, 0); i < expected.size(); i++) {
            left += (long) (expected.get(i).toNanos() * scale);
        }
        if (run >= 0) {
            left -= Math.min(now - runStartedAt, (long) (expected.get(run).toNanos() * scale));
        }
        return left;
    }

    /** A duration as a clock would give it, to the second: 45s, 4m05s, 1h02m. */
    static String clock(long nanos) {
        long seconds = Math.max(0, TimeUnit.NANOSECONDS.toSeconds(nanos));
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
    }

    @Override
    public void close() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
    }
}
