package io.tether.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection so that its last frame (a GOAWAY) really arrives. Closing a socket that still has
 * unread input makes the kernel send a reset instead of a FIN, and a reset can destroy the GOAWAY before
 * the peer reads it. So: write the GOAWAY, shut down output (the FIN follows the GOAWAY), discard whatever
 * still arrives, and close when the peer closes — or after {@code lingerMillis}, whichever comes first.
 *
 * <p>{@link #awaitPeerClose} leaves the FIN to a peer that is alive and will close on GOAWAY. The side that
 * closes first keeps the connection in TIME_WAIT, and a server that closed first for each of 19,000 clients
 * it is leaving would hold 19,000 such entries: a client that reconnects from a port whose old connection
 * the server still holds has its SYN answered with a stale ACK and waits a second for the retransmission.
 */
public final class GracefulClose {
    public static final long DEFAULT_LINGER_MILLIS = 1000;

    private GracefulClose() {
    }

    /** Must run on the channel's event loop. Takes ownership of {@code lastFrame}. */
    public static void afterLastFrame(Channel channel, ByteBuf lastFrame, long lingerMillis) {
        close(channel, lastFrame, lingerMillis, true);
    }

    /**
     * Like {@link #afterLastFrame} but without the half-close: the peer reads the GOAWAY and closes first;
     * only one that has not done so within {@code lingerMillis} is closed from this side.
     */
    public static void awaitPeerClose(Channel channel, ByteBuf lastFrame, long lingerMillis) {
        close(channel, lastFrame, lingerMillis, false);
    }

    private static void close(Channel channel, ByteBuf lastFrame, long lingerMillis, boolean halfClose) {
        if (!channel.isActive()) {
            lastFrame.release();
            channel.close();
            return;
        }
        if (channel.pipeline().get(Discard.class) == null) {
            channel.pipeline().addFirst(Discard.INSTANCE);
        }
        channel.writeAndFlush(lastFrame).addListener(written -> {
            if (!written.isSuccess()) {
                channel.close();
            } else if (halfClose && channel instanceof DuplexChannel duplex) {
                duplex.shutdownOutput();
            }
        });
        channel.eventLoop().schedule(() -> channel.close(), lingerMillis, TimeUnit.MILLISECONDS);
    }

    /** Drops all input of a connection that is on its way out; its liveness no longer matters. */
    @ChannelHandler.Sharable
    static final class Discard extends ChannelInboundHandlerAdapter {
        static final Discard INSTANCE = new Discard();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }
}
