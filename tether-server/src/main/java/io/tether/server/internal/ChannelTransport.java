package io.tether.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.EventExecutor;
import io.tether.internal.Transports;
import io.tether.internal.WheelTicker;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty channel's byte mover for the Tether port (NIO, and epoll with a channel per connection): the one
 * handler in the pipeline. It hands the raw bytes it reads to its {@link ServerConnection} and reports the
 * channel's failures, writability and end; every decision about the bytes is the connection's. The PONGs of
 * one read gather in one buffer, and everything read in one batch is flushed once, at its end.
 */
final class ChannelTransport extends ChannelInboundHandlerAdapter implements Transport {
    private static final Logger log = LoggerFactory.getLogger(ChannelTransport.class);

    private final ServerConnection connection;
    private final String remote;
    private ChannelHandlerContext ctx;
    /** The channel's TLS, in front of this handler; null on plain TCP. */
    private SslHandler tls;
    private ByteBuf pongs;
    private boolean flushNeeded;

    /** {@code remote}: the peer as {@code ip:port}, as {@link ChannelLink#remoteOf} reads it at accept. */
    ChannelTransport(Admission admission, WheelTicker timer, String remote) {
        this.remote = remote;
        this.connection = new ServerConnection(this, admission, timer);
    }

    ServerConnection connection() {
        return connection;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.tls = ctx.pipeline().get(SslHandler.class);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        connection.opened();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            connection.received(in);
        } finally {
            in.release();
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

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releasePongs();
        connection.ended();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        connection.failed(cause);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (!ctx.channel().isWritable()) {
            connection.unwritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void write(ByteBuf frame, Consumer<Throwable> done) {
        flushNeeded = false; // this flush takes whatever was written before it
        ctx.writeAndFlush(frame).addListener(f -> {
            if (done != null) {
                done.accept(f.isSuccess() ? null : f.cause());
            }
            if (!f.isSuccess()) {
                connection.failed(f.cause());
            }
        });
    }

    @Override
    public void pong(ByteBuf pong) {
        if (pongs == null) {
            pongs = ctx.alloc().buffer(pong.readableBytes() * 4);
        }
        pongs.writeBytes(pong, pong.readerIndex(), pong.readableBytes());
    }

    /** Passes this read's PONGs to the channel; they leave with the read batch's flush, or before any later write. */
    @Override
    public void flush() {
        if (pongs != null) {
            ctx.write(pongs, ctx.voidPromise());
            pongs = null;
            flushNeeded = true;
        }
    }

    private void releasePongs() {
        if (pongs != null) {
            pongs.release();
            pongs = null;
        }
    }

    @Override
    public void shutdownOutput() {
        if (!(ctx.channel() instanceof DuplexChannel duplex)) {
            return;
        }
        if (tls == null) {
            duplex.shutdownOutput();
        } else { // TLS says its own goodbye (close_notify) before the socket's FIN
            tls.closeOutbound().addListener(done -> duplex.shutdownOutput());
        }
    }

    @Override
    public boolean negotiatingTls() {
        return tls != null && !tls.handshakeFuture().isSuccess();
    }

    @Override
    public void close() {
        ctx.close();
    }

    @Override
    public void boundDeadPeer(Duration timeout) {
        try {
            Transports.boundDeadPeer(ctx.channel(), timeout);
        } catch (ChannelException e) {
            // The socket closed under us (a reset right after the handshake): its end is reported on its own.
            log.debug("cannot bound dead-peer detection of {}: {}", remote(), e.getMessage());
        }
    }

    @Override
    public EventExecutor executor() {
        return ctx.executor();
    }

    @Override
    public ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    @Override
    public Optional<X509Certificate> peerCertificate() {
        if (tls == null) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = tls.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? Optional.of(leaf) : Optional.empty();
        } catch (SSLPeerUnverifiedException none) {
            return Optional.empty();
        }
    }

    @Override
    public String remote() {
        return remote;
    }

    static ChannelTransport of(Channel channel) {
        return channel.pipeline().get(ChannelTransport.class);
    }
}
