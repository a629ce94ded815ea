package io.tether.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.tether.internal.ChannelOutlet;
import io.tether.internal.Liveness;
import io.tether.internal.PartialFrameAware;
import io.tether.internal.SilenceRule;
import io.tether.internal.Transports;
import io.tether.internal.WheelTicker;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A classic client's session carried by a Netty channel (the classic port, which has no handshake and to
 * which nothing is ever written). Its silence deadline sits in its loop's timing wheel like a Tether
 * connection's; {@link #stamper()} goes first in the pipeline and stamps every read, whole frames or not.
 */
final class ChannelLink extends ChannelOutlet implements SessionLink, Liveness.Expiry {
    private static final Logger log = LoggerFactory.getLogger(ChannelLink.class);
    private final WheelTicker timer;
    private final Liveness liveness;
    private final String remote;
    private ServerSession session;

    /** {@code remote}: the peer as {@code ip:port}, as {@link #remoteOf} reads it at accept. */
    ChannelLink(Channel channel, WheelTicker timer, String remote) {
        super(channel);
        this.timer = timer;
        this.remote = remote;
        this.liveness = new Liveness(this, timer.now());
    }

    static String remoteOf(Channel channel) {
        if (channel.remoteAddress() instanceof InetSocketAddress address) {
            return address.getAddress().getHostAddress() + ":" + address.getPort();
        }
        return String.valueOf(channel.remoteAddress());
    }

    /** The handler that stamps this link's reads and stops its deadline when the channel closes. */
    ChannelInboundHandlerAdapter stamper() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                liveness.stampRead(timer.now());
                ctx.fireChannelRead(msg);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                timer.disarm(liveness);
                ctx.fireChannelInactive();
            }
        };
    }

    void carry(ServerSession carried) {
        this.session = carried;
    }

    @Override
    public void watch(SilenceRule rule) {
        if (channel.isActive()) {
            timer.arm(liveness, rule);
        }
    }

    @Override
    public void expired(long silentNanos, long nowNanos) {
        if (channel.isActive() && session != null) {
            session.timedOut(silentNanos);
        }
    }

    @Override
    public long lastReadNanos() {
        return liveness.lastReadNanos();
    }

    @Override
    public String silenceRule() {
        return liveness.rule().explain();
    }

    @Override
    public String remote() {
        return remote;
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

    /** A classic client never reads, so there is no last frame to send: it is closed at once. */
    @Override
    public void close(ByteBuf lastFrame, Goodbye goodbye) {
        if (lastFrame != null) {
            lastFrame.release();
        }
        timer.disarm(liveness);
        channel.close();
    }
}
