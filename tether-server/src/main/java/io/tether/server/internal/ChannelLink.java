package io.tether.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.tether.internal.ChannelOutlet;
import io.tether.internal.GracefulClose;
import io.tether.internal.Liveness;
import io.tether.internal.LivenessHandler;
import io.tether.internal.PartialFrameAware;
import io.tether.internal.Transports;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A session carried by a Netty channel: the NIO transport, and the classic-header port. */
final class ChannelLink extends ChannelOutlet implements SessionLink {
    private static final Logger log = LoggerFactory.getLogger(ChannelLink.class);
    private final Liveness liveness;

    ChannelLink(Channel channel) {
        super(channel);
        this.liveness = channel.pipeline().get(LivenessHandler.class).liveness();
    }

    static String remoteOf(Channel channel) {
        if (channel.remoteAddress() instanceof InetSocketAddress address) {
            return address.getAddress().getHostAddress() + ":" + address.getPort();
        }
        return String.valueOf(channel.remoteAddress());
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
        try {
            Transports.boundDeadPeer(channel, timeout);
        } catch (ChannelException e) {
            // The socket closed under us (a reset right after the handshake): its end is reported on its own.
            log.debug("cannot bound dead-peer detection of {}: {}", remote(), e.getMessage());
        }
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
