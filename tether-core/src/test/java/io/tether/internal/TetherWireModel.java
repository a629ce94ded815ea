package io.tether.internal;

import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What docs/PROTOCOL.md says a receiver must make of a byte stream, written independently of
 * {@link FrameDecoder} so the property tests can hold the decoder to it: the whole frames in order, where
 * each one ends, and the offset of the first byte that proves the stream bad (an unknown type at its type
 * byte; bad flags or a length over the maximum at the last byte of the header, before any payload).
 */
final class TetherWireModel {
    final List<byte[]> frames = new ArrayList<>();
    /** {@code ends.get(i)} is the stream offset just past {@code frames.get(i)}. */
    final List<Integer> ends = new ArrayList<>();
    /** Offset of the byte that proves the stream bad, or -1 if nothing in it is bad. */
    final int errorAt;

    TetherWireModel(byte[] wire, long maxPayload) {
        int at = 0;
        int error = -1;
        while (at < wire.length) {
            if (FrameType.fromCode(wire[at] & 0xff) == null) {
                error = at;
                break;
            }
            if (wire.length - at < Frames.HEADER_LENGTH) {
                break;
            }
            long length = u32(wire, at + Frames.LENGTH_OFFSET);
            if (wire[at + Frames.FLAGS_OFFSET] != 0 || length > maxPayload) {
                error = at + Frames.HEADER_LENGTH - 1;
                break;
            }
            if (wire.length - at < Frames.HEADER_LENGTH + length) {
                break;
            }
            int end = at + Frames.HEADER_LENGTH + (int) length;
            frames.add(Arrays.copyOfRange(wire, at, end));
            ends.add(end);
            at = end;
        }
        errorAt = error;
    }

    /** How many frames are whole once the first {@code offset} bytes have arrived. */
    int framesWholeBy(int offset) {
        int n = 0;
        while (n < ends.size() && ends.get(n) <= offset) {
            n++;
        }
        return n;
    }

    /** Where the first frame that is not whole by {@code offset} starts. */
    int consumedBy(int offset) {
        int n = framesWholeBy(offset);
        return n == 0 ? 0 : ends.get(n - 1);
    }

    /** The decoder's description of the incomplete frame it holds after {@code offset} bytes, or null. */
    String stallAfter(byte[] wire, int offset) {
        int start = consumedBy(offset);
        int have = offset - start;
        if (have == 0) {
            return null;
        }
        if (have < Frames.HEADER_LENGTH) {
            return "stalled mid-header after " + have + " of " + Frames.HEADER_LENGTH + " bytes";
        }
        long frameLength = Frames.HEADER_LENGTH + u32(wire, start + Frames.LENGTH_OFFSET);
        return "stalled mid-frame after " + have + " of " + frameLength + " bytes of a "
                + FrameType.fromCode(wire[start] & 0xff) + " frame";
    }

    static long u32(byte[] b, int at) {
        return ((b[at] & 0xffL) << 24) | ((b[at + 1] & 0xffL) << 16) | ((b[at + 2] & 0xffL) << 8) | (b[at + 3] & 0xffL);
    }

    static byte[] frame(FrameType type, byte[] payload) {
        byte[] frame = new byte[Frames.HEADER_LENGTH + payload.length];
        frame[0] = (byte) type.code();
        putU32(frame, Frames.LENGTH_OFFSET, payload.length);
        System.arraycopy(payload, 0, frame, Frames.HEADER_LENGTH, payload.length);
        return frame;
    }

    static void putU32(byte[] b, int at, long value) {
        b[at] = (byte) (value >>> 24);
        b[at + 1] = (byte) (value >>> 16);
        b[at + 2] = (byte) (value >>> 8);
        b[at + 3] = (byte) value;
    }

    static byte[] concat(List<byte[]> parts) {
        int total = parts.stream().mapToInt(p -> p.length).sum();
        byte[] out = new byte[total];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }
}
