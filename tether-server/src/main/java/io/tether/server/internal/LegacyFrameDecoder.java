package io.tether.server.internal;

import io.netty.buffer.ByteBuf;
import io.tether.internal.FailFastDecoder;
import io.tether.internal.MemoryBudget;
import java.util.List;

/**
 * The classic C-style framing: an 8-byte header of a 32-bit type and a 32-bit length, both little-endian.
 * Type 0 is a heartbeat (length 0), type 1 is data followed by {@code length} bytes. Emits a byte array
 * per data frame; heartbeats need no output because the liveness handler has already seen their bytes.
 */
final class LegacyFrameDecoder extends FailFastDecoder {
    static final int HEADER_LENGTH = 8;
    static final int TYPE_HEARTBEAT = 0;
    static final int TYPE_DATA = 1;

    private final int maxPayload;

    LegacyFrameDecoder(int maxPayload, MemoryBudget budget) {
        super(budget);
        this.maxPayload = maxPayload;
    }

    @Override
    protected void decodeFrame(ByteBuf in, List<Object> out) {
        int readable = in.readableBytes();
        if (readable < 4) {
            return;
        }
        int start = in.readerIndex();
        long type = in.getUnsignedIntLE(start);
        if (type != TYPE_HEARTBEAT && type != TYPE_DATA) {
            throw fail("unknown classic frame type " + type);
        }
        if (readable < HEADER_LENGTH) {
            return;
        }
        long length = in.getUnsignedIntLE(start + 4);
        if (type == TYPE_HEARTBEAT) {
            if (length != 0) {
                throw fail("classic heartbeat with non-zero length " + length);
            }
            in.skipBytes(HEADER_LENGTH);
            return;
        }
        if (length > maxPayload) {
            throw fail("classic frame length " + length + " exceeds the maximum payload of " + maxPayload + " bytes");
        }
        if (readable < HEADER_LENGTH + length) {
            return;
        }
        byte[] payload = new byte[(int) length];
        in.getBytes(start + HEADER_LENGTH, payload);
        in.skipBytes(HEADER_LENGTH + (int) length);
        out.add(payload);
    }

    @Override
    protected int headerLength() {
        return HEADER_LENGTH;
    }

    @Override
    protected long frameLength(ByteBuf buffered) {
        return HEADER_LENGTH + buffered.getUnsignedIntLE(buffered.readerIndex() + 4);
    }
}
