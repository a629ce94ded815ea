package io.tether.internal;

import io.netty.buffer.ByteBuf;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import java.util.List;

/**
 * Splits the byte stream into whole frames, each a retained slice of the input (header included), so
 * decoding copies nothing and, with a pooled allocator, allocates nothing.
 *
 * <p>Bad input is rejected as early as the first byte that proves it bad: an unknown type is refused before
 * its length arrives, an oversized length before its payload. After the first error the rest of the
 * connection's input is discarded (see {@link FailFastDecoder}).
 */
public final class FrameDecoder extends FailFastDecoder {
    private final int maxPayload;

    public FrameDecoder(int maxPayload) {
        this.maxPayload = maxPayload;
    }

    @Override
    protected void decodeFrame(ByteBuf in, List<Object> out) {
        int readable = in.readableBytes();
        if (readable == 0) {
            return;
        }
        int start = in.readerIndex();
        int typeCode = in.getUnsignedByte(start + Frames.TYPE_OFFSET);
        if (FrameType.fromCode(typeCode) == null) {
            throw fail(String.format("unknown frame type 0x%02x", typeCode));
        }
        if (readable < Frames.HEADER_LENGTH) {
            return;
        }
        int flags = in.getUnsignedByte(start + Frames.FLAGS_OFFSET);
        if (flags != 0) {
            throw fail(String.format("unsupported frame flags 0x%02x", flags));
        }
        long length = in.getUnsignedInt(start + Frames.LENGTH_OFFSET);
        if (length > maxPayload) {
            throw fail("frame length " + length + " exceeds the maximum payload of " + maxPayload + " bytes");
        }
        int frameLength = Frames.HEADER_LENGTH + (int) length;
        if (readable < frameLength) {
            return;
        }
        out.add(in.retainedSlice(start, frameLength));
        in.skipBytes(frameLength);
    }

    @Override
    protected int headerLength() {
        return Frames.HEADER_LENGTH;
    }

    @Override
    protected long frameLength(ByteBuf buffered) {
        return Frames.HEADER_LENGTH + buffered.getUnsignedInt(buffered.readerIndex() + Frames.LENGTH_OFFSET);
    }

    @Override
    protected String frameName(ByteBuf buffered) {
        return " of a " + FrameType.fromCode(buffered.getUnsignedByte(buffered.readerIndex())) + " frame";
    }
}
