package io.tether.internal;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's liveness: when it last read (and wrote), and a silence deadline under a
 * {@link SilenceRule}. Transport-neutral: {@link LivenessHandler} drives it from a Netty pipeline, and the
 * server's compact epoll connections drive it directly.
 *
 * <p>When armed it keeps one deadline per connection at {@code lastRead + allowed silence}, in its event
 * loop's {@link DeadlineWheel}. A firing that finds newer traffic re-arms for the remainder, so the deadline
 * fires about once per timeout, not once per read — the same trick as Netty's IdleStateHandler, with the
 * deadline measured from the last byte, and without a task object per re-arm.
 *
 * <p>Pause guard: a timer that fires more than {@value #PAUSE_TOLERANCE_MILLIS} ms after it was due means
 * this process was not running its event loop (a GC pause, CPU starvation, a handler that blocked). Bytes
 * the peer sent meanwhile may still be unread, so its silence cannot be trusted yet: instead of a verdict
 * the peer gets a grace period as long as the stall, time for the loop to read what piled up, and the
 * stall is logged with how long it was. A peer that is really silent is convicted when the grace ends.
 *
 * <p>Every method but the timestamps' getters runs on the connection's event loop.
 */
public class Liveness extends DeadlineWheel.Entry {
    static final long PAUSE_TOLERANCE_MILLIS = 50;
    private static final long PAUSE_TOLERANCE_NANOS = TimeUnit.MILLISECONDS.toNanos(PAUSE_TOLERANCE_MILLIS);
    private static final Logger log = LoggerFactory.getLogger(Liveness.class);
    private static final FastThreadLocal<long[]> LAST_STALL_LOGGED = new FastThreadLocal<>() {
        @Override
        protected long[] initialValue() {
            return new long[] {System.nanoTime() - TimeUnit.SECONDS.toNanos(10)};
        }
    };

    /** Called on the event loop when the peer has been silent for as long as the rule allows. */
    @FunctionalInterface
    public interface Expiry {
        void expired(long silentNanos);
    }

    private volatile long lastReadNanos;
    private volatile long lastWriteNanos;
    private SilenceRule rule = SilenceRule.NEVER; // until armed; shared, as every connection starts with it
    private Expiry expiry;
    private DeadlineWheel wheel;
    private long dueNanos;
    private long graceUntilNanos;

    public Liveness() {
        long now = System.nanoTime();
        lastReadNanos = now;
        lastWriteNanos = now;
    }

    /** Binds this record to the event loop whose wheel will hold its deadline; before the first arm. */
    public final void attach(EventExecutor loop) {
        this.wheel = DeadlineWheel.of(loop);
    }

    /** Whether the connection is still open; a deadline of a closed one passes no verdict. */
    protected boolean isOpen() {
        return true;
    }

    /** Inbound bytes arrived: any byte proves the peer alive, whole frame or not. */
    public final void stampRead() {
        long now = System.nanoTime();
        lastReadNanos = now;
        rule.arrived(now);
    }

    public final void stampWrite() {
        lastWriteNanos = System.nanoTime();
    }

    public final long lastReadNanos() {
        return lastReadNanos;
    }

    /** The last write, when writes are stamped; otherwise the time this record was made. */
    public final long lastWriteNanos() {
        return lastWriteNanos;
    }

    /** The rule in force, for the verdict's explanation. */
    public final SilenceRule rule() {
        return rule;
    }

    /** Starts (or restarts) a fixed silence deadline. */
    public final void arm(long timeoutNanos, Expiry expiry) {
        arm(SilenceRule.fixed(timeoutNanos), expiry);
    }

    /** Starts (or restarts) the deadline under {@code rule}. Silence counts from the last read, so arming never grants extra time. */
    public final void arm(SilenceRule rule, Expiry expiry) {
        disarm();
        this.rule = rule;
        this.expiry = expiry;
        schedule(lastReadNanos + rule.allowedSilenceNanos() - System.nanoTime());
    }

    public final void disarm() {
        if (wheel != null) {
            wheel.cancel(this);
        }
        expiry = null;
    }

    private void schedule(long delayNanos) {
        long delay = Math.max(0, delayNanos);
        dueNanos = System.nanoTime() + delay;
        wheel.schedule(this, dueNanos);
    }

    @Override
    final void deadlineReached() {
        if (expiry == null || !isOpen()) {
            return;
        }
        long now = System.nanoTime();
        long late = now - dueNanos;
        if (late > PAUSE_TOLERANCE_NANOS) {
            graceUntilNanos = now + late;
            reportStall(late);
            schedule(late);
            return;
        }
        long allowed = rule.allowedSilenceNanos();
        long silent = now - lastReadNanos;
        if (silent >= allowed && now - graceUntilNanos >= 0) {
            Expiry fired = expiry;
            expiry = null;
            fired.expired(silent);
        } else {
            schedule(Math.max(allowed - silent, graceUntilNanos - now));
        }
    }

    /** One line per stall per event loop (at most one a second), not one per peer. */
    private static void reportStall(long lateNanos) {
        long[] lastLogged = LAST_STALL_LOGGED.get();
        long now = System.nanoTime();
        if (now - lastLogged[0] >= TimeUnit.SECONDS.toNanos(1)) {
            lastLogged[0] = now;
            log.warn("event loop {} ran {} ms late (GC pause, CPU starvation or a blocking handler?): peers whose"
                            + " deadline fell in the stall get as long again before any verdict",
                    Thread.currentThread().getName(), TimeUnit.NANOSECONDS.toMillis(lateNanos));
        }
    }
}
