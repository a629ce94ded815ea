package io.tether.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Feeds an established channel's decoded frames to the {@link FrameRouter} for its side (the client's), and
 * sends the PONGs it makes without a flush, flushing once per read batch, so a burst of pings costs one
 * syscall.
 */
public class FrameDispatcher extends ChannelInboundHandlerAdapter {
    private final FrameRouter.Side side;
    private boolean flushNeeded;

    public FrameDispatcher(FrameRouter.Side side) {
        this.side = side;
    }

    /** For a handler that is its own side. */
    protected FrameDispatcher() {
        this.side = (FrameRouter.Side) this;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        boolean pong = false;
        try {
            pong = FrameRouter.route(side, frame, System.nanoTime());
        } finally {
            if (pong) {
                ctx.write(frame, ctx.voidPromise()); // the PONG is the PING's own buffer: nothing allocated
                flushNeeded = true;
            } else {
                frame.release();
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (flushNeeded) {
            flushNeeded = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }
}
