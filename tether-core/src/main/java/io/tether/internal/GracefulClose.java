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
 * Closes a client's connection so that its last frame (a GOAWAY) really arrives. Closing a socket that
 * still has unread input makes the kernel send a reset instead of a FIN, and a reset can destroy the GOAWAY
 * before the peer reads it. So: write the GOAWAY, shut down output (the FIN follows the GOAWAY), discard
 * whatever still arrives, and close when the peer closes — or after {@code lingerMillis}, whichever comes
 * first. (The server's connections do the same in their own state machine.)
 */
public final class GracefulClose {
    public static final long DEFAULT_LINGER_MILLIS = 1000;

    private GracefulClose() {
    }

    /** Must run on the channel's event loop. Takes ownership of {@code lastFrame}. */
    public static void afterLastFrame(Channel channel, ByteBuf lastFrame, long lingerMillis) {
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
            } else if (channel instanceof DuplexChannel duplex) {
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
