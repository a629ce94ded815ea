package io.tether.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;

class StallLogTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** One stall seen by 10,000 peers' deadlines on one loop is one line, and the next line counts the rest. */
    @Test
    void aStallIsOneLinePerLoopPerSecondHoweverManyPeersItDelayed() throws Exception {
        Lines log = new Lines();
        long start = 1_000_000 * MS;
        for (int peer = 0; peer < 10_000; peer++) {
            StallLog.stalled(log, 1700 * MS, start + peer / 100 * MS, "the server gets as long again");
        }
        assertThat(log.lines).hasSize(1);
        assertThat(log.lines.get(0)).contains("ran 1700 ms late").contains("the server gets as long again")
                .doesNotContain("suppressed");

        StallLog.stalled(log, 60 * MS, start + 1000 * MS, "the server gets as long again");
        assertThat(log.lines).hasSize(2);
        assertThat(log.lines.get(1)).contains("ran 60 ms late").contains("(9999 similar lines suppressed)");

        // Another loop's stall is its own line.
        Thread other = new Thread(() -> StallLog.stalled(log, 80 * MS, start + 1001 * MS, "x"));
        other.start();
        other.join();
        assertThat(log.lines).hasSize(3);
    }

    /** Collects formatted WARN lines. */
    private static final class Lines extends AbstractLogger {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args,
                                                   Throwable throwable) {
            if (level == Level.WARN) {
                lines.add(MessageFormatter.basicArrayFormat(pattern, args));
            }
        }

        @Override public boolean isTraceEnabled() { return false; }
        @Override public boolean isTraceEnabled(Marker marker) { return false; }
        @Override public boolean isDebugEnabled() { return false; }
        @Override public boolean isDebugEnabled(Marker marker) { return false; }
        @Override public boolean isInfoEnabled() { return true; }
        @Override public boolean isInfoEnabled(Marker marker) { return true; }
        @Override public boolean isWarnEnabled() { return true; }
        @Override public boolean isWarnEnabled(Marker marker) { return true; }
        @Override public boolean isErrorEnabled() { return true; }
        @Override public boolean isErrorEnabled(Marker marker) { return true; }
    }
}
