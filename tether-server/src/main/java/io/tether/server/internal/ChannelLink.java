package io.tether.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.util.concurrent.EventExecutor;
import io.tether.internal.Exchange;
import io.tether.internal.GracefulClose;
import io.tether.internal.Liveness;
import io.tether.internal.LivenessHandler;
import io.tether.internal.PartialFrameAware;
import io.tether.internal.Transports;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.Consumer;

/** A session carried by a Netty channel: the NIO transport, and the classic-header port. */
final class ChannelLink implements SessionLink {
    private final Channel channel;
    private final Liveness liveness;

    ChannelLink(Channel channel) {
        this.channel = channel;
        this.liveness = channel.pipeline().get(LivenessHandler.class).liveness();
    }

    static String remoteOf(Channel channel) {
        if (channel.remoteAddress() instanceof InetSocketAddress address) {
            return address.getAddress().getHostAddress() + ":" + address.getPort();
        }
        return String.valueOf(channel.remoteAddress());
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
        Exchange.writeAndFlush(channel, frame, done);
    }

    @Override
    public Liveness liveness() {
        return liveness;
    }

    @Override
    public String remote() {
        return remoteOf(channel);
    }

    @Override
    public String partialFrame() {
        return channel.pipeline().get("decoder") instanceof PartialFrameAware decoder ? decoder.partialFrame() : null;
    }

    @Override
    public int outboundLimit() {
        return channel.config().getWriteBufferHighWaterMark();
    }

    @Override
    public void boundDeadPeer(Duration timeout) {
        Transports.boundDeadPeer(channel, timeout);
    }

    @Override
    public void close(ByteBuf lastFrame, boolean halfClose) {
        if (lastFrame == null) {
            channel.close();
        } else if (halfClose) {
            GracefulClose.afterLastFrame(channel, lastFrame, GracefulClose.DEFAULT_LINGER_MILLIS);
        } else {
            GracefulClose.awaitPeerClose(channel, lastFrame, GracefulClose.DEFAULT_LINGER_MILLIS);
        }
    }
}
