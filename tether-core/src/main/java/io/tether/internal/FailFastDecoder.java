package io.tether.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.tether.protocol.ProtocolException;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * A decoder that stops at the first protocol error: the connection is about to be closed with a reason,
 * and whatever follows bad input cannot be trusted to line up with frame boundaries, so it is discarded
 * rather than misread as more frames (and more errors).
 */
public abstract class FailFastDecoder extends ByteToMessageDecoder implements PartialFrameAware {
    /**
     * Netty's merge cumulator grows the buffer without first dropping the bytes of frames already decoded, so
     * a peer that ends a frame just short of half the buffer and then sends the largest frame allowed makes it
     * hold four times the maximum frame. Dropping them first (when no decoded frame still shares the buffer)
     * keeps what a connection holds under twice an incomplete frame plus one read.
     */
    private static final Cumulator COMPACTING = (alloc, cumulation, in) -> {
        if (cumulation.readerIndex() > 0 && cumulation.writableBytes() < in.readableBytes()
                && cumulation.refCnt() == 1 && !cumulation.isReadOnly()) {
            cumulation.discardReadBytes();
        }
        return MERGE_CUMULATOR.cumulate(alloc, cumulation, in);
    };

    private final MemoryBudget budget;
    /** Bytes granted by the budget for the frame that has not arrived whole (its announced length). */
    private long held;
    private boolean failed;

    /** {@code budget} bounds what all connections together hold for partial frames; null for no bound. */
    protected FailFastDecoder(MemoryBudget budget) {
        this.budget = budget;
        setCumulator(COMPACTING);
    }

    @Override
    protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        decodeFrame(in, out);
        if (budget != null) {
            long pending = in.readableBytes() >= headerLength() ? frameLength(in) : 0;
            if (pending != held) {
                try {
                    held = budget.adjust(held, pending, "a partial frame");
                } catch (ProtocolException e) {
                    failed = true;
                    throw e;
                }
            }
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (budget != null && held != 0) {
            held = budget.adjust(held, 0, "a partial frame");
        }
    }

    /** Decodes at most one frame from {@code in}, or returns with it untouched when one is not complete. */
    protected abstract void decodeFrame(ByteBuf in, List<Object> out);

    /** Marks the stream broken and returns the exception to throw. */
    protected final ProtocolException fail(String message) {
        failed = true;
        return new ProtocolException(message);
    }

    @Override
    public final String partialFrame() {
        return failed ? null : stall(internalBuffer(), headerLength(), this::frameLength, this::frameName);
    }

    /**
     * Describes an incomplete frame left in {@code buffered} (readable from its reader index), or returns null
     * when nothing is left: how far a frame that stopped arriving had got, e.g. "stalled mid-frame after 506
     * of 1006 bytes of a DATA frame". The one wording for every framing and every kind of connection.
     */
    public static String stall(ByteBuf buffered, int headerLength, ToLongFunction<ByteBuf> frameLength,
                               Function<ByteBuf, String> frameName) {
        int have = buffered.readableBytes();
        if (have == 0) {
            return null;
        }
        if (have < headerLength) {
            return "stalled mid-header after " + have + " of " + headerLength + " bytes";
        }
        return "stalled mid-frame after " + have + " of " + frameLength.applyAsLong(buffered) + " bytes"
                + frameName.apply(buffered);
    }

    protected abstract int headerLength();

    /** Total length, header included, of the frame whose complete header starts {@code buffered}. */
    protected abstract long frameLength(ByteBuf buffered);

    /** Names the frame in a stall report, e.g. {@code " of a DATA frame"}; empty by default. */
    protected String frameName(ByteBuf buffered) {
        return "";
    }
}
