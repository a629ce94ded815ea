package io.tether.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.IoEventLoop;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What one event loop's compact connections share: a read buffer, a write buffer for PONGs and a staging
 * buffer for other frames, each used by one connection at a time, and the list of the loop's open connections. Only the loop's thread touches it.
 *
 * <p>A connection owns no buffer while it is idle. A read lands in the shared buffer and its frames are
 * handled there; only the bytes of a frame that is still incomplete are copied out. The PONGs of one read
 * are gathered in the shared write buffer and leave in one send.
 */
final class CompactLoop {
    static final int BUFFER_BYTES = 64 * 1024;

    final IoEventLoop executor;
    // Plain direct buffers, not pooled ones: a pool's first 64 KiB buffer on a thread reserves a whole
    // chunk of several MiB for that thread's arena (docs/PERFORMANCE.md, memory per connection).
    final ByteBuf in = Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(BUFFER_BYTES)).clear();
    final ByteBuf out = Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(BUFFER_BYTES)).clear();
    /** Where a heap buffer's bytes are copied on their way to the kernel. */
    final ByteBuf staging = Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(BUFFER_BYTES)).clear();
    /** The connection whose PONGs {@link #out} holds, or null when it is empty. */
    CompactConnection outOwner;
    private CompactConnection first;

    CompactLoop(IoEventLoop executor) {
        this.executor = executor;
    }

    void add(CompactConnection connection) {
        connection.nextInLoop = first;
        if (first != null) {
            first.previousInLoop = connection;
        }
        first = connection;
    }

    void remove(CompactConnection connection) {
        CompactConnection previous = connection.previousInLoop;
        CompactConnection next = connection.nextInLoop;
        if (previous != null) {
            previous.nextInLoop = next;
        } else if (first == connection) {
            first = next;
        }
        if (next != null) {
            next.previousInLoop = previous;
        }
        connection.previousInLoop = null;
        connection.nextInLoop = null;
    }

    List<CompactConnection> connections() {
        List<CompactConnection> all = new ArrayList<>();
        for (CompactConnection c = first; c != null; c = c.nextInLoop) {
            all.add(c);
        }
        return all;
    }
}
