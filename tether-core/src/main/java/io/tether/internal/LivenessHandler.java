package io.tether.internal;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits first in a client channel's pipeline and keeps the channel's {@link Liveness}: it timestamps every
 * read, whole frames or not, so a large frame that trickles in slowly never looks like silence, and every
 * write, for a heartbeat that pings when writes go idle. One connection per client: its deadline is a task
 * on the loop, scheduled once per timeout.
 */
public final class LivenessHandler extends ChannelDuplexHandler implements Liveness.Stalls {
    private static final Logger log = LoggerFactory.getLogger(LivenessHandler.class);

    private ChannelHandlerContext ctx;
    private Liveness liveness;
    private Liveness.Expiry onSilence;
    private ScheduledFuture<?> deadline;
    private volatile long lastWriteNanos = System.nanoTime();

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.liveness = new Liveness((silent, now) -> {
            if (ctx.channel().isActive()) {
                onSilence.expired(silent, now);
            }
        }, System.nanoTime());
    }

    public long lastReadNanos() {
        return liveness.lastReadNanos();
    }

    /** The last write, or the time this handler was made if there was none. */
    public long lastWriteNanos() {
        return lastWriteNanos;
    }

    /** Starts (or restarts) a fixed silence deadline; {@code onSilence} runs on the loop at the verdict. */
    public void arm(long timeoutNanos, Liveness.Expiry onSilence) {
        this.onSilence = onSilence;
        schedule(liveness.arm(SilenceRule.fixed(timeoutNanos), System.nanoTime()));
    }

    private void schedule(long deadlineNanos) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        deadline = ctx.executor().schedule(this::deadlineCame, deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    private void deadlineCame() {
        long next = liveness.expire(System.nanoTime(), this);
        if (next != Liveness.NO_DEADLINE) {
            schedule(next);
        }
    }

    @Override
    public void stalled(long lateNanos, long nowNanos) {
        StallLog.stalled(log, lateNanos, nowNanos, "the server gets as long again before it counts as silent");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        liveness.stampRead(System.nanoTime());
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        lastWriteNanos = System.nanoTime();
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        liveness.disarm();
        if (deadline != null) {
            deadline.cancel(false);
        }
        ctx.fireChannelInactive();
    }
}
