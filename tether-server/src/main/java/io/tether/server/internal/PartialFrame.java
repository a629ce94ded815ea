package io.tether.server.internal;

import io.netty.buffer.ByteBuf;
import io.tether.internal.FrameDecoder;
import io.tether.internal.MemoryBudget;
import io.tether.protocol.ProtocolException;

/**
 * The start of a frame that has not arrived whole, and what the server's buffer budget granted for it. It
 * exists only while a frame is incomplete, which is almost never, so an idle connection carries none of it.
 * Used on the connection's event loop.
 */
final class PartialFrame {
    private static final String WHAT = "a partial frame";
    private final ByteBuf bytes;
    private int held;

    private PartialFrame(ByteBuf bytes, int held) {
        this.bytes = bytes;
        this.held = held;
    }

    /**
     * Keeps what is left of {@code frames}, the start of a frame, for the next read: in {@code current}'s own
     * buffer when that is what {@code frames} is, else copied into a buffer sized for the whole frame once its
     * header is known, so that it never grows past it by doubling. The budget is asked for the frame's
     * announced length.
     *
     * @throws ProtocolException (OVERLOADED) when the budget refuses; {@code current} is left as it was
     */
    static PartialFrame keep(PartialFrame current, ByteBuf frames, MemoryBudget budget) {
        long pending = FrameDecoder.announcedLength(frames);
        int held = (int) budget.adjust(current == null ? 0 : current.held, pending, WHAT);
        if (current != null && frames == current.bytes) {
            current.bytes.discardReadBytes();
            current.held = held;
            return current;
        }
        int size = (int) Math.max(Math.max(256, pending), frames.readableBytes());
        return new PartialFrame(ServerConnection.ALLOC.heapBuffer(size).writeBytes(frames), held);
    }

    /** Adds a read's bytes behind the kept ones; returns the buffer to cut frames from. */
    ByteBuf append(ByteBuf in) {
        return bytes.writeBytes(in);
    }

    /** Frees the bytes and returns the budget's grant. */
    void release(MemoryBudget budget) {
        bytes.release();
        if (held != 0) {
            held = (int) budget.adjust(held, 0, WHAT);
        }
    }

    /** How far the frame had got, e.g. "stalled mid-frame after 506 of 1006 bytes of a DATA frame". */
    String describe() {
        return FrameDecoder.stall(bytes);
    }
}
