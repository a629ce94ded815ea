package io.tether.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.tether.protocol.ProtocolException;
import java.util.List;

/**
 * A decoder that stops at the first protocol error: the connection is about to be closed with a reason,
 * and whatever follows bad input cannot be trusted to line up with frame boundaries, so it is discarded
 * rather than misread as more frames (and more errors).
 */
public abstract class FailFastDecoder extends ByteToMessageDecoder implements PartialFrameAware {
    private boolean failed;

    @Override
    protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        decodeFrame(in, out);
    }

    /** Decodes at most one frame from {@code in}, or returns with it untouched when one is not complete. */
    protected abstract void decodeFrame(ByteBuf in, List<Object> out);

    /** Marks the stream broken and returns the exception to throw. */
    protected final ProtocolException fail(String message) {
        failed = true;
        return new ProtocolException(message);
    }

    /** The bytes of a frame that has started to arrive, or {@code null} when there are none worth reporting. */
    protected final ByteBuf pendingBytes() {
        ByteBuf buffered = internalBuffer();
        return failed || !buffered.isReadable() ? null : buffered;
    }
}
