package io.tether.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;

/**
 * Feeds an established channel's frames to its {@link FrameRoutes}, answering PING in place.
 *
 * <p>PONGs are written without a flush and flushed once per read batch, so a burst of pings costs one
 * syscall.
 */
public class FrameDispatcher extends ChannelInboundHandlerAdapter {
    private final FrameRoutes routes;
    private boolean flushNeeded;

    public FrameDispatcher(FrameRoutes routes) {
        this.routes = routes;
    }

    /** For a handler that is its own routes. */
    protected FrameDispatcher() {
        this.routes = (FrameRoutes) this;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        FrameType type = Frames.type(frame);
        if (type == FrameType.PING) {
            boolean answer;
            try {
                answer = FrameRoutes.acceptPing(routes, frame);
            } catch (RuntimeException e) {
                frame.release();
                throw e;
            }
            if (answer) {
                Frames.turnPingIntoPong(frame); // the PONG is the PING's own buffer: nothing allocated
                ctx.write(frame, ctx.voidPromise());
                flushNeeded = true;
            } else {
                frame.release();
            }
            return;
        }
        try {
            FrameRoutes.route(routes, type, frame);
        } finally {
            frame.release();
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
