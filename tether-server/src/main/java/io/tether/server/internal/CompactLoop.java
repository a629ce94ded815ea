package io.tether.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.IoEventLoop;
import io.tether.internal.WheelTicker;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What one event loop's compact sockets share: a read buffer, a write buffer for PONGs and a staging buffer
 * for other frames, each used by one socket at a time, the loop's timing wheel, and the list of its open
 * sockets. Only the loop's thread touches it.
 *
 * <p>A socket owns no buffer while it is idle. A read lands in the shared buffer and its frames are handled
 * there; only the bytes of a frame that is still incomplete are copied out. The PONGs of one read are
 * gathered in the shared write buffer and leave in one send.
 */
final class CompactLoop {
    static final int BUFFER_BYTES = 64 * 1024;

    final IoEventLoop executor;
    final WheelTicker timer;
    final CompactEngine engine;
    // Plain direct buffers, not pooled ones: a pool's first 64 KiB buffer on a thread reserves a whole
    // chunk of several MiB for that thread's arena (docs/PERFORMANCE.md, memory per connection).
    final ByteBuf in = Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(BUFFER_BYTES)).clear();
    final ByteBuf out = Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(BUFFER_BYTES)).clear();
    /** Where a heap buffer's bytes are copied on their way to the kernel. */
    final ByteBuf staging = Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(BUFFER_BYTES)).clear();
    /** The socket whose PONGs {@link #out} holds, or null when it is empty. */
    CompactSocket outOwner;
    private CompactSocket first;

    CompactLoop(IoEventLoop executor, WheelTicker timer, CompactEngine engine) {
        this.executor = executor;
        this.timer = timer;
        this.engine = engine;
    }

    void add(CompactSocket socket) {
        socket.nextInLoop = first;
        if (first != null) {
            first.previousInLoop = socket;
        }
        first = socket;
    }

    void remove(CompactSocket socket) {
        CompactSocket previous = socket.previousInLoop;
        CompactSocket next = socket.nextInLoop;
        if (previous != null) {
            previous.nextInLoop = next;
        } else if (first == socket) {
            first = next;
        }
        if (next != null) {
            next.previousInLoop = previous;
        }
        socket.previousInLoop = null;
        socket.nextInLoop = null;
    }

    List<ServerConnection> connections() {
        List<ServerConnection> all = new ArrayList<>();
        for (CompactSocket s = first; s != null; s = s.nextInLoop) {
            all.add(s.connection());
        }
        return all;
    }
}
