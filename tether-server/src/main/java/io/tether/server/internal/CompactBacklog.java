package io.tether.server.internal;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The frames a compact connection could not send yet, oldest first, each with its callback. It exists
 * only while something waits, so an idle connection carries none of it. Used on the connection's loop.
 */
final class CompactBacklog {
    private final ArrayDeque<Object> frames = new ArrayDeque<>(); // a frame, then its callback
    private int bytes;

    /** Queues {@code frame}; returns how many bytes now wait. */
    int add(ByteBuf frame, Consumer<Throwable> done) {
        frames.add(frame);
        frames.add(done);
        bytes += frame.readableBytes();
        return bytes;
    }

    int bytes() {
        return bytes;
    }

    /** Sends what the socket takes, oldest first; returns true once nothing waits. */
    @SuppressWarnings("unchecked")
    boolean drainInto(CompactConnection connection) throws IOException {
        for (ByteBuf frame = (ByteBuf) frames.peek(); frame != null; frame = (ByteBuf) frames.peek()) {
            int before = frame.readableBytes();
            connection.send(frame);
            bytes -= before - frame.readableBytes();
            if (frame.isReadable()) {
                return false;
            }
            frames.poll();
            Consumer<Throwable> done = (Consumer<Throwable>) frames.poll();
            frame.release();
            done.accept(null);
        }
        return true;
    }

    /** Drops everything that waits, telling each callback why. */
    @SuppressWarnings("unchecked")
    void fail(Throwable cause) {
        for (Object frame = frames.poll(); frame != null; frame = frames.poll()) {
            ((ByteBuf) frame).release();
            ((Consumer<Throwable>) frames.poll()).accept(cause);
        }
        bytes = 0;
    }
}
