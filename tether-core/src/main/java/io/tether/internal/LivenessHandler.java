package io.tether.internal;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits first in the pipeline and timestamps every read, whole frames or not: any inbound byte proves the
 * peer alive, so a large frame that trickles in slowly never looks like silence. Made by
 * {@link #readsAndWrites()}, it timestamps writes too.
 *
 * <p>When armed it keeps one deadline per connection at {@code lastRead + timeout}, in its event loop's
 * {@link DeadlineWheel}. A firing that finds newer traffic re-arms for the remainder, so the deadline fires
 * about once per timeout, not once per read — the same trick as Netty's IdleStateHandler, with the
 * deadline measured from the last byte, and without a task object per re-arm.
 *
 * <p>Pause guard: a timer that fires more than {@value #PAUSE_TOLERANCE_MILLIS} ms after it was due means
 * this process was not running its event loop (a GC pause, CPU starvation, a handler that blocked). Bytes
 * the peer sent meanwhile may still be unread, so its silence cannot be trusted yet: instead of a verdict
 * the peer gets a grace period as long as the stall, time for the loop to read what piled up, and the
 * stall is logged with how long it was. A peer that is really silent is convicted when the grace ends.
 */
public class LivenessHandler extends ChannelDuplexHandler {
    static final long PAUSE_TOLERANCE_MILLIS = 50;
    private static final long PAUSE_TOLERANCE_NANOS = TimeUnit.MILLISECONDS.toNanos(PAUSE_TOLERANCE_MILLIS);
    private static final Logger log = LoggerFactory.getLogger(LivenessHandler.class);
    private static final FastThreadLocal<long[]> LAST_STALL_LOGGED = new FastThreadLocal<>() {
        @Override
        protected long[] initialValue() {
            return new long[] {System.nanoTime() - TimeUnit.SECONDS.toNanos(10)};
        }
    };

    /** Called on the event loop when the peer has been silent for the whole timeout. */
    @FunctionalInterface
    public interface Expiry {
        void expired(ChannelHandlerContext ctx, long silentNanos);
    }

    private volatile long lastReadNanos;
    private volatile long lastWriteNanos;
    private ChannelHandlerContext ctx;
    private SilenceRule rule = SilenceRule.NEVER; // until armed; shared, as every connection starts with it
    private Expiry expiry;
    private DeadlineWheel wheel;
    private final DeadlineWheel.Entry deadline = new DeadlineWheel.Entry() {
        @Override
        void deadlineReached() {
            check();
        }
    };
    private long dueNanos;
    private long graceUntilNanos;

    /** Stamps reads only: every write then skips this handler (the server has no use for write times). */
    public static LivenessHandler readsOnly() {
        return new LivenessHandler();
    }

    /** Stamps reads and writes, for a side that pings when its own writes go idle (the client). */
    public static LivenessHandler readsAndWrites() {
        return new WriteStamping();
    }

    private static final class WriteStamping extends LivenessHandler {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            stampWrite();
            ctx.write(msg, promise);
        }
    }

    final void stampWrite() {
        lastWriteNanos = System.nanoTime();
    }

    private LivenessHandler() {
        long now = System.nanoTime();
        lastReadNanos = now;
        lastWriteNanos = now;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.wheel = DeadlineWheel.of(ctx.executor());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        long now = System.nanoTime();
        lastReadNanos = now;
        rule.arrived(now);
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disarm();
        ctx.fireChannelInactive();
    }

    public long lastReadNanos() {
        return lastReadNanos;
    }

    /** The last write, for a handler made by {@link #readsAndWrites()}; otherwise the time it was made. */
    public long lastWriteNanos() {
        return lastWriteNanos;
    }

    /** The rule in force, for the verdict's explanation. */
    public SilenceRule rule() {
        return rule;
    }

    /** Starts (or restarts) a fixed silence deadline. Must run on the channel's event loop. */
    public void arm(long timeoutNanos, Expiry expiry) {
        arm(SilenceRule.fixed(timeoutNanos), expiry);
    }

    /**
     * Starts (or restarts) the silence deadline under {@code rule}. Must run on the channel's event loop.
     * Silence is counted from the last read, so arming never grants extra time.
     */
    public void arm(SilenceRule rule, Expiry expiry) {
        disarm();
        this.rule = rule;
        this.expiry = expiry;
        schedule(lastReadNanos + rule.allowedSilenceNanos() - System.nanoTime());
    }

    public void disarm() {
        if (wheel != null) {
            wheel.cancel(deadline);
        }
        expiry = null;
    }

    private void schedule(long delayNanos) {
        long delay = Math.max(0, delayNanos);
        dueNanos = System.nanoTime() + delay;
        wheel.schedule(deadline, dueNanos);
    }

    private void check() {
        if (expiry == null || !ctx.channel().isActive()) {
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
            fired.expired(ctx, silent);
        } else {
            schedule(Math.max(allowed - silent, graceUntilNanos - now));
        }
    }

    /** One line per stall per event loop (at most one a second), not one per peer. */
    private void reportStall(long lateNanos) {
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
