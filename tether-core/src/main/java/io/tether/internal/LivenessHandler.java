package io.tether.internal;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sits first in the pipeline and timestamps every read and write, whole frames or not: any inbound byte
 * proves the peer alive, so a large frame that trickles in slowly never looks like silence.
 *
 * <p>When armed it keeps one timer per connection that fires at {@code lastRead + timeout}. A firing that
 * finds newer traffic re-arms for the remainder, so the timer runs about once per timeout, not once per
 * read — the same trick as Netty's IdleStateHandler, with the deadline measured from the last byte.
 */
public final class LivenessHandler extends ChannelDuplexHandler {

    /** Called on the event loop when the peer has been silent for the whole timeout. */
    @FunctionalInterface
    public interface Expiry {
        void expired(ChannelHandlerContext ctx, long silentNanos);
    }

    private volatile long lastReadNanos;
    private volatile long lastWriteNanos;
    private ChannelHandlerContext ctx;
    private long timeoutNanos;
    private Expiry expiry;
    private ScheduledFuture<?> timer;

    public LivenessHandler() {
        long now = System.nanoTime();
        lastReadNanos = now;
        lastWriteNanos = now;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lastReadNanos = System.nanoTime();
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        lastWriteNanos = System.nanoTime();
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        disarm();
        ctx.fireChannelInactive();
    }

    public long lastReadNanos() {
        return lastReadNanos;
    }

    public long lastWriteNanos() {
        return lastWriteNanos;
    }

    public long timeoutNanos() {
        return timeoutNanos;
    }

    /**
     * Starts (or restarts with new settings) the silence deadline. Must run on the channel's event loop.
     * Silence is counted from the last read, so arming never grants extra time.
     */
    public void arm(long timeoutNanos, Expiry expiry) {
        disarm();
        this.timeoutNanos = timeoutNanos;
        this.expiry = expiry;
        schedule(lastReadNanos + timeoutNanos - System.nanoTime());
    }

    public void disarm() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        expiry = null;
    }

    private void schedule(long delayNanos) {
        timer = ctx.executor().schedule(this::check, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    private void check() {
        timer = null;
        if (expiry == null || !ctx.channel().isActive()) {
            return;
        }
        long silent = System.nanoTime() - lastReadNanos;
        if (silent >= timeoutNanos) {
            Expiry fired = expiry;
            expiry = null;
            fired.expired(ctx, silent);
        } else {
            schedule(timeoutNanos - silent);
        }
    }
}
