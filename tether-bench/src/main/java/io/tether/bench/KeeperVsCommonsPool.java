package io.tether.bench;

import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link KeeperBorrowBenchmark} (both pools, one and two threads, in the same invocation) and prints
 * the throughputs, allocation per operation and the keeper-to-commons-pool2 ratio.
 */
public final class KeeperVsCommonsPool {
    private KeeperVsCommonsPool() {
    }

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Options options = new OptionsBuilder()
                .include(KeeperBorrowBenchmark.class.getName())
                .forks(1)
                .warmupIterations(3)
                .warmupTime(TimeValue.seconds(2))
                .measurementIterations(iterations)
                .measurementTime(TimeValue.seconds(2))
                .addProfiler("gc")
                .build();
        Collection<RunResult> results = new Runner(options).run();

        Map<String, double[]> byName = new HashMap<>();
        for (RunResult result : results) {
            String name = result.getParams().getBenchmark().replaceAll(".*\\.", "");
            double score = result.getPrimaryResult().getScore();
            double error = result.getPrimaryResult().getScoreError();
            var alloc = result.getSecondaryResults().get("gc.alloc.rate.norm");
            byName.put(name, new double[] {score, error, alloc == null ? Double.NaN : alloc.getScore()});
        }
        System.out.println();
        System.out.println("borrow + return of an open connection, million operations per second (higher is better)");
        System.out.printf(Locale.ROOT, "%-12s %26s %26s %8s%n", "threads", "Tether keeper", "commons-pool2", "ratio");
        row("1", byName.get("keeperOneThread"), byName.get("commonsPoolOneThread"));
        row("2", byName.get("keeperTwoThreads"), byName.get("commonsPoolTwoThreads"));
        System.out.printf(Locale.ROOT, "%s cores, %s %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"));
    }

    private static void row(String threads, double[] keeper, double[] commons) {
        System.out.printf(Locale.ROOT, "%-12s %10.2f ± %5.2f (%3.0f B/op) %10.2f ± %5.2f (%3.0f B/op) %7.1fx%n", threads,
                keeper[0], keeper[1], keeper[2], commons[0], commons[1], commons[2], keeper[0] / commons[0]);
    }
}
