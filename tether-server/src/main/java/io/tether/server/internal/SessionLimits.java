package io.tether.server.internal;

import io.tether.internal.LogLimit;
import io.tether.protocol.CloseReason;
import io.tether.protocol.ErrorCode;
import io.tether.protocol.Frames;
import java.util.concurrent.TimeUnit;

/**
 * What one online session may send, in the spirit of gRPC's {@code too_many_pings}: pings per heartbeat
 * interval, and frames and bytes of every other kind per second. A well-behaved client stays far below
 * each. Each window over a limit is a strike, answered with an ERROR (TOO_MANY_PINGS or RATE_LIMITED) while
 * the excess goes unanswered and unprocessed; the {@value #MAX_STRIKES}rd strike of a kind ends the session
 * with GOAWAY of that reason. Also bounds the log lines the session can cause.
 *
 * <p>Time is an argument: the nanoTime of the read that brought the frame. Runs on the session's event
 * loop only; no allocation per frame.
 */
final class SessionLimits {
    static final int MAX_STRIKES = 3;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    /** Lines a session may cause in the log per minute (unsolicited errors, failing handlers). */
    private static final int LOG_LINES_PER_MINUTE = 10;

    private final ServerSession session;
    private final Limits limits;
    private final long pingWindowNanos;
    private long pingWindowStart;
    private int pings;
    private int pingStrikes;
    private long rateWindowStart;
    private int frames;
    private long bytes;
    private int rateStrikes;
    private boolean struckThisSecond;
    private LogLimit logLines; // made on the first line: most sessions never log one

    SessionLimits(ServerSession session, Limits limits, long nowNanos) {
        this.session = session;
        this.limits = limits;
        this.pingWindowNanos = session.heartbeat().interval().toNanos();
        this.pingWindowStart = nowNanos;
        this.rateWindowStart = nowNanos;
    }

    /** Counts one ping; returns whether it should be answered. */
    boolean allowPing(long nowNanos) {
        if (nowNanos - pingWindowStart >= pingWindowNanos) {
            pingWindowStart = nowNanos;
            pings = 0;
        }
        if (++pings <= limits.maxPingsPerInterval()) {
            return true;
        }
        if (pings == limits.maxPingsPerInterval() + 1) {
            pingStrikes = strike(pingStrikes, ErrorCode.TOO_MANY_PINGS, CloseReason.TOO_MANY_PINGS,
                    "too_many_pings: more than " + limits.maxPingsPerInterval() + " pings within "
                            + session.heartbeat().interval().toMillis() + " ms");
        }
        return false;
    }

    /** Counts one frame other than PING, {@code length} bytes with its header; returns whether to process it. */
    boolean allowFrame(int length, long nowNanos) {
        if (nowNanos - rateWindowStart >= SECOND) {
            rateWindowStart = nowNanos;
            frames = 0;
            bytes = 0;
            struckThisSecond = false;
        }
        frames++;
        bytes += length;
        if (frames <= limits.maxFramesPerSecond() && bytes <= limits.maxBytesPerSecond()) {
            return true;
        }
        if (!struckThisSecond) {
            struckThisSecond = true;
            String detail = frames > limits.maxFramesPerSecond()
                    ? "rate_limited: more than " + limits.maxFramesPerSecond() + " frames within 1 s"
                    : "rate_limited: more than " + limits.maxBytesPerSecond() + " bytes within 1 s";
            rateStrikes = strike(rateStrikes, ErrorCode.RATE_LIMITED, CloseReason.RATE_LIMITED, detail);
        }
        return false;
    }

    private int strike(int strikes, ErrorCode warning, CloseReason verdict, String what) {
        int strike = strikes + 1;
        String detail = what + " (strike " + strike + " of " + MAX_STRIKES + ")";
        if (strike >= MAX_STRIKES) {
            session.end(verdict, detail);
        } else {
            SessionLink link = session.link();
            link.write(Frames.error(link.alloc(), 0, warning, detail), null);
        }
        return strike;
    }

    /** See {@link LogLimit#take}: -1 when the session has caused enough log lines for now. */
    long takeLogLine(long nowNanos) {
        if (logLines == null) {
            logLines = new LogLimit(LOG_LINES_PER_MINUTE, TimeUnit.MINUTES.toNanos(1), nowNanos);
        }
        return logLines.take(nowNanos);
    }
}
