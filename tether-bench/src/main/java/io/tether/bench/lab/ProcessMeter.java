package io.tether.bench.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads another process's CPU time and resident memory from /proc, as {@code ps} and {@code top} do.
 * CPU time counts every thread of the process, in the kernel's clock ticks of 10 ms.
 */
final class ProcessMeter {
    private static final long TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux architecture Tether runs on
    private final long pid;

    public ProcessMeter(long pid) {
        this.pid = pid;
    }

    public long pid() {
        return pid;
    }

    public boolean alive() {
        return Files.isDirectory(Path.of("/proc", Long.toString(pid)));
    }

    /** User plus system CPU time so far, in seconds. */
    public double cpuSeconds() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // The command name may hold spaces and parentheses, so fields are counted from the last ')'.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long utime = Long.parseLong(fields[11]);
        long stime = Long.parseLong(fields[12]);
        return (utime + stime) / (double) TICKS_PER_SECOND;
    }

    /** Resident set size, in KiB. */
    public long rssKib() throws IOException {
        return field("status", "VmRSS:");
    }

    /**
     * Proportional set size, in KiB: resident memory with each shared page divided among the mappings that
     * share it. It differs from RSS when pages are mapped more than once (a multi-mapped heap, shared
     * libraries), so the two side by side show whether RSS counts anything twice.
     */
    public long pssKib() throws IOException {
        return field("smaps_rollup", "Pss:");
    }

    private long field(String file, String name) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), file))) {
            if (line.startsWith(name)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no " + name + " line in /proc/" + pid + "/" + file);
    }

    /** One TcpExt counter of /proc/net/netstat (this network namespace, all sockets). */
    public static long tcpExt(String counter) throws IOException {
        var lines = Files.readAllLines(Path.of("/proc/net/netstat"));
        for (int i = 0; i + 1 < lines.size(); i += 2) {
            if (lines.get(i).startsWith("TcpExt:")) {
                String[] names = lines.get(i).split(" ");
                String[] values = lines.get(i + 1).split(" ");
                for (int k = 1; k < names.length; k++) {
                    if (names[k].equals(counter)) {
                        return Long.parseLong(values[k]);
                    }
                }
            }
        }
        throw new IOException("no " + counter + " counter in /proc/net/netstat");
    }
}
