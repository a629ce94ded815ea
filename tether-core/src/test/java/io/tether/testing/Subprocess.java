package io.tether.testing;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/** Short-lived commands the tests run (kill, redis-cli), each bounded in time. */
public final class Subprocess {
    private Subprocess() {
    }

    /**
     * Runs {@code command} to its end and returns its output (stdout and stderr). Its output goes to a file, not
     * a pipe, so a talkative command cannot block on a full pipe; one that fails or outlasts {@code timeout}
     * (then killed) is thrown, with its output.
     */
    static String run(Duration timeout, List<String> command) throws IOException {
        Path output = Files.createTempFile("tether-command-", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            boolean ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!ended) {
                process.destroyForcibly();
            }
            String said = Files.readString(output).strip();
            if (!ended || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + (ended ? " failed with code "
                        + process.exitValue() : " did not end within " + timeout.toMillis() + " ms") + ": " + said);
            }
            return said;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while running " + String.join(" ", command));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /**
     * Sends SIGSTOP or SIGCONT (which Java cannot) with kill(1), then waits until the kernel reports the process
     * stopped, or no longer stopped: kill(1) returns once the signal is sent, not once it has taken effect. Where
     * there is no /proc to ask, it returns once the signal is sent.
     */
    public static void signal(long pid, String signal, boolean stopped, Duration timeout) throws IOException {
        run(timeout, List.of("kill", "-" + signal, String.valueOf(pid)));
        Path stat = Path.of("/proc", String.valueOf(pid), "stat");
        if (Files.isReadable(stat)) {
            Awaitility.await("process " + pid + (stopped ? " stopped" : " running") + " after SIG" + signal)
                    .atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2))
                    .until(() -> stoppedState(stat) == stopped);
        }
    }

    /** Whether /proc/PID/stat's state field, after the command name in parentheses, is T (stopped by a signal). */
    private static boolean stoppedState(Path stat) throws IOException {
        String line = Files.readString(stat);
        return line.charAt(line.lastIndexOf(')') + 2) == 'T';
    }
}
