package io.tether.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.concurrent.EventExecutor;
import java.util.function.Consumer;

/** An {@link Exchange.Outlet} that is a Netty channel. */
public class ChannelOutlet implements Exchange.Outlet {
    protected final Channel channel;

    public ChannelOutlet(Channel channel) {
        this.channel = channel;
    }

    @Override
    public EventExecutor executor() {
        return channel.eventLoop();
    }

    @Override
    public ByteBufAllocator alloc() {
        return channel.alloc();
    }

    @Override
    public boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public void write(ByteBuf frame, Consumer<Throwable> done) {
        if (done == null) {
            // A failed write (a reset peer) reaches the pipeline as the failure it is, ahead of the close that
            // follows it, so the connection's end is reported as CONNECTION_RESET and not as a quiet close.
            channel.writeAndFlush(frame).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
        } else {
            channel.writeAndFlush(frame).addListener(f -> done.accept(f.isSuccess() ? null : f.cause()));
        }
    }
}
