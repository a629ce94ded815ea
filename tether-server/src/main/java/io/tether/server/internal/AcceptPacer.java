package io.tether.server.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * A channel listener's side of the {@link HandshakeRate}: sits in the listening channel's pipeline and passes
 * an accepted connection on (to be registered and served) only for a token. While the bucket is empty the
 * listening channel stops reading, so the rest wait in the kernel's accept queue; the few that one read had
 * already accepted (NIO accepts a batch before handing any over) wait here, unregistered, costing nothing
 * but their descriptor. The compact engine applies the same rate itself. Used on the listener's loop.
 */
final class AcceptPacer extends ChannelInboundHandlerAdapter {
    private static final long MIN_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final HandshakeRate rate;
    private final ArrayDeque<Object> held = new ArrayDeque<>();

    AcceptPacer(HandshakeRate rate) {
        this.rate = rate;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object child) {
        long now = System.nanoTime();
        if (held.isEmpty() && rate.mayAccept(this, now)) {
            rate.accepted(this, now);
            ctx.fireChannelRead(child);
            return;
        }
        if (held.isEmpty()) {
            ctx.channel().config().setAutoRead(false);
            planRelease(ctx, now);
        }
        held.add(child);
    }

    private void planRelease(ChannelHandlerContext ctx, long now) {
        ctx.executor().schedule(() -> release(ctx), Math.max(MIN_PAUSE_NANOS, rate.nextAcceptNanos() - now),
                TimeUnit.NANOSECONDS);
    }

    /** Passes on what the bucket now allows; reads again once nothing is held. */
    private void release(ChannelHandlerContext ctx) {
        long now = System.nanoTime();
        while (!held.isEmpty() && rate.mayAccept(this, now)) {
            rate.accepted(this, now);
            ctx.fireChannelRead(held.poll());
        }
        if (held.isEmpty()) {
            ctx.channel().config().setAutoRead(true);
        } else if (ctx.channel().isOpen()) {
            planRelease(ctx, now);
        } else {
            closeHeld();
        }
    }

    /** The listener closed: what it held will never be served. */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeHeld();
        ctx.fireChannelInactive();
    }

    /**
     * Closes the held connections through their unsafe, as Netty's own acceptor closes a child it cannot
     * register: a held child has no event loop yet, so {@code Channel.close()} throws instead of closing, and
     * every connection behind the first would keep its descriptor with nobody to serve or close it.
     */
    private void closeHeld() {
        for (Object child; (child = held.poll()) != null; ) {
            ((Channel) child).unsafe().closeForcibly();
        }
    }
}
