package io.tether.internal;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Sits first in a channel's pipeline and keeps the channel's {@link Liveness}: it timestamps every read,
 * whole frames or not, so a large frame that trickles in slowly never looks like silence. Made by
 * {@link #readsAndWrites()}, it timestamps writes too.
 */
public class LivenessHandler extends ChannelDuplexHandler {
    private ChannelHandlerContext ctx;
    private final Liveness liveness = new Liveness() {
        @Override
        protected boolean isOpen() {
            return ctx.channel().isActive();
        }
    };

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
            liveness().stampWrite();
            ctx.write(msg, promise);
        }
    }

    private LivenessHandler() {
    }

    public final Liveness liveness() {
        return liveness;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        liveness.attach(ctx.executor());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        liveness.stampRead();
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        liveness.disarm();
        ctx.fireChannelInactive();
    }
}
