package io.tether.server.internal;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * The frames a compact socket could not send yet, oldest first, each with its callback (which may be null).
 * It exists only while something waits, so an idle connection carries none of it. Used on the socket's loop.
 */
final class CompactBacklog {
    /** One frame waiting, and whom to tell when it has gone. */
    private static final class Waiting {
        final ByteBuf frame;
        final Consumer<Throwable> done;
        Waiting next;

        Waiting(ByteBuf frame, Consumer<Throwable> done) {
            this.frame = frame;
            this.done = done;
        }
    }

    private Waiting first;
    private Waiting last;
    private int bytes;

    /** Queues {@code frame}; returns how many bytes now wait. */
    int add(ByteBuf frame, Consumer<Throwable> done) {
        Waiting waiting = new Waiting(frame, done);
        if (last == null) {
            first = waiting;
        } else {
            last.next = waiting;
        }
        last = waiting;
        bytes += frame.readableBytes();
        return bytes;
    }

    int bytes() {
        return bytes;
    }

    /** Sends what the socket takes, oldest first; returns true once nothing waits. */
    boolean drainInto(CompactSocket socket) throws IOException {
        while (first != null) {
            ByteBuf frame = first.frame;
            int before = frame.readableBytes();
            socket.send(frame);
            bytes -= before - frame.readableBytes();
            if (frame.isReadable()) {
                return false;
            }
            Consumer<Throwable> done = first.done;
            first = first.next;
            if (first == null) {
                last = null;
            }
            frame.release();
            if (done != null) {
                done.accept(null);
            }
        }
        return true;
    }

    /** Drops everything that waits, telling each callback why. */
    void fail(Throwable cause) {
        for (Waiting waiting = first; waiting != null; waiting = waiting.next) {
            waiting.frame.release();
            if (waiting.done != null) {
                waiting.done.accept(cause);
            }
        }
        first = null;
        last = null;
        bytes = 0;
    }
}
