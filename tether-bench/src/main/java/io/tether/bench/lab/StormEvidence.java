package io.tether.bench.lab;

import io.tether.bench.lab.Processes.Child;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the storm bench reads out of its children's files afterwards, so a regression explains itself: the
 * workers' loop lag and convictions (see {@link StormClients}) and every child's collector pauses.
 */
final class StormEvidence {
    private StormEvidence() {
    }

    /** The workers' worst loop lag in each 500 ms from {@code fromMillis} to {@code toMillis}, in ms. */
    static List<Long> loopLag(List<Child> workers, long fromMillis, long toMillis) {
        List<Long> worst = new ArrayList<>();
        for (Child worker : workers) {
            for (String line : lines(worker.out())) {
                String[] f = line.split(" ");
                if (f.length == 3 && f[0].equals("lag")) {
                    long at = Long.parseLong(f[1]);
                    if (at > fromMillis && at <= toMillis + 500) {
                        int slot = (int) ((at - fromMillis - 1) / 500);
                        while (worst.size() <= slot) {
                            worst.add(0L);
                        }
                        worst.set(slot, Math.max(worst.get(slot), Long.parseLong(f[2])));
                    }
                }
            }
        }
        return worst;
    }

    /**
     * How long the clients that the server convicted of silence had been ONLINE by their own clock, counted
     * in bands: under a second means the WELCOME reached them late; a whole timeout means they were online
     * all along and the server did not read what they sent, or they sent nothing.
     */
    static String convictedAfter(List<Child> workers, long fromMillis, long toMillis) {
        long[] bounds = {500, 1000, 2000, 3000, Long.MAX_VALUE};
        String[] names = {"<0.5s", "0.5-1s", "1-2s", "2-3s", ">=3s"};
        long[] counts = new long[bounds.length];
        for (Child worker : workers) {
            for (String line : lines(worker.out())) {
                String[] f = line.split(" ");
                if (f[0].equals("convicted") && Long.parseLong(f[1]) > fromMillis && Long.parseLong(f[1]) <= toMillis + 500) {
                    for (int j = 2; j < f.length; j++) {
                        long ms = Long.parseLong(f[j]);
                        int band = 0;
                        while (ms >= bounds[band]) {
                            band++;
                        }
                        counts[band]++;
                    }
                }
            }
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            text.append(i == 0 ? "" : ", ").append(names[i]).append(": ").append(counts[i]);
        }
        return text.toString();
    }

    private static final Pattern PAUSE = Pattern.compile("^\\[(\\d+)ms\\].*Pause.* ([0-9.]+)ms$");

    /** The child's collector pauses from {@code fromMillis} to {@code toMillis}: how many, their sum and the longest. */
    static String gcPauses(Child child, long fromMillis, long toMillis) {
        int count = 0;
        double total = 0;
        double longest = 0;
        for (String line : lines(child.gcLog())) {
            Matcher m = PAUSE.matcher(line);
            if (m.find()) {
                long at = Long.parseLong(m.group(1));
                if (at >= fromMillis && at <= toMillis) {
                    double ms = Double.parseDouble(m.group(2));
                    count++;
                    total += ms;
                    longest = Math.max(longest, ms);
                }
            }
        }
        return String.format(Locale.ROOT, "%d pauses, %.0f ms in all, longest %.0f ms", count, total, longest);
    }

    static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }
}
