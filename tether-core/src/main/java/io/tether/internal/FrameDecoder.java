package io.tether.internal;

import io.netty.buffer.ByteBuf;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import io.tether.protocol.Hello;
import io.tether.protocol.ProtocolException;
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
    /** Whether the first frame must be a HELLO (a server's side), held to a HELLO's size, not maxPayload. */
    private boolean awaitingHello;

    public FrameDecoder(int maxPayload) {
        this(maxPayload, false, null);
    }

    public FrameDecoder(int maxPayload, boolean awaitingHello, MemoryBudget budget) {
        super(budget);
        this.maxPayload = maxPayload;
        this.awaitingHello = awaitingHello;
    }

    @Override
    protected void decodeFrame(ByteBuf in, List<Object> out) {
        int frameLength;
        try {
            frameLength = awaitingHello ? wholeHelloLength(in) : wholeFrameLength(in, maxPayload);
        } catch (ProtocolException e) {
            throw fail(e.getMessage());
        }
        if (frameLength == 0) {
            return;
        }
        awaitingHello = false;
        out.add(in.retainedSlice(in.readerIndex(), frameLength));
        in.skipBytes(frameLength);
    }

    /**
     * {@link #wholeFrameLength} for the first frame a server reads, which must be a HELLO of at most
     * {@link Hello#MAX_PAYLOAD} bytes: anything else is refused from its first byte, and a HELLO that
     * announces more from its header, so a handshake never holds more than a valid HELLO's bytes.
     */
    public static int wholeHelloLength(ByteBuf in) {
        if (!in.isReadable()) {
            return 0;
        }
        int start = in.readerIndex();
        int typeCode = in.getUnsignedByte(start + Frames.TYPE_OFFSET);
        if (typeCode != FrameType.HELLO.code()) {
            FrameType type = FrameType.fromCode(typeCode);
            throw new ProtocolException(type == null ? String.format("unknown frame type 0x%02x", typeCode)
                    : "expected HELLO as the first frame, got " + type);
        }
        if (in.readableBytes() >= Frames.HEADER_LENGTH) {
            long length = in.getUnsignedInt(start + Frames.LENGTH_OFFSET);
            if (length > Hello.MAX_PAYLOAD) {
                throw new ProtocolException("HELLO announces " + length + " bytes; a HELLO is at most "
                        + Hello.MAX_PAYLOAD);
            }
        }
        return wholeFrameLength(in, Hello.MAX_PAYLOAD);
    }

    /**
     * The length, header included, of the frame at {@code in}'s reader index once all of it is readable, or
     * 0 while it is not. Bad input is refused as early as the first byte that proves it bad: an unknown type
     * before its length arrives, an oversized length before its payload.
     *
     * @throws ProtocolException for an unknown type, unsupported flags or a payload over {@code maxPayload}
     */
    public static int wholeFrameLength(ByteBuf in, int maxPayload) {
        int readable = in.readableBytes();
        if (readable == 0) {
            return 0;
        }
        int start = in.readerIndex();
        int typeCode = in.getUnsignedByte(start + Frames.TYPE_OFFSET);
        if (FrameType.fromCode(typeCode) == null) {
            throw new ProtocolException(String.format("unknown frame type 0x%02x", typeCode));
        }
        if (readable < Frames.HEADER_LENGTH) {
            return 0;
        }
        int flags = in.getUnsignedByte(start + Frames.FLAGS_OFFSET);
        if (flags != 0) {
            throw new ProtocolException(String.format("unsupported frame flags 0x%02x", flags));
        }
        long length = in.getUnsignedInt(start + Frames.LENGTH_OFFSET);
        if (length > maxPayload) {
            throw new ProtocolException("frame length " + length + " exceeds the maximum payload of " + maxPayload + " bytes");
        }
        int frameLength = Frames.HEADER_LENGTH + (int) length;
        return readable < frameLength ? 0 : frameLength;
    }

    /** The whole length, header included, of the frame {@code buffered} starts with; 0 until its header is in. */
    public static long announcedLength(ByteBuf buffered) {
        return buffered.readableBytes() < Frames.HEADER_LENGTH ? 0 : frameLengthAt(buffered);
    }

    /** Describes an incomplete frame left in {@code buffered} (readable from its reader index), or null. */
    public static String stall(ByteBuf buffered) {
        return FailFastDecoder.stall(buffered, Frames.HEADER_LENGTH, FrameDecoder::frameLengthAt, FrameDecoder::frameNameAt);
    }

    private static long frameLengthAt(ByteBuf buffered) {
        return Frames.HEADER_LENGTH + buffered.getUnsignedInt(buffered.readerIndex() + Frames.LENGTH_OFFSET);
    }

    private static String frameNameAt(ByteBuf buffered) {
        return " of a " + FrameType.fromCode(buffered.getUnsignedByte(buffered.readerIndex())) + " frame";
    }

    @Override
    protected int headerLength() {
        return Frames.HEADER_LENGTH;
    }

    @Override
    protected long frameLength(ByteBuf buffered) {
        return frameLengthAt(buffered);
    }

    @Override
    protected String frameName(ByteBuf buffered) {
        return frameNameAt(buffered);
    }
}
