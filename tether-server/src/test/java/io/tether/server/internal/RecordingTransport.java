package io.tether.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import io.tether.protocol.CloseReason;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A {@link Transport} that moves no bytes: it records, in order, what its {@link ServerConnection} asks of
 * it. What would reach the peer is kept as sends: each write is one send, and each flush of batched PONGs
 * another. Writes complete at once unless {@link #holdWrites} is set; then they wait, in order, for the test
 * to complete or fail them, as a socket that will not take them yet. Used on the connection's loop only.
 */
final class RecordingTransport implements Transport {
    /** A frame as the peer would read it. */
    record Frame(FrameType type, byte[] payload) {
        CloseReason goAwayReason() {
            return CloseReason.fromCode(((payload[0] & 0xff) << 8) | (payload[1] & 0xff));
        }

        String goAwayMessage() {
            return new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
        }
    }

    private record Pending(FrameType type, Consumer<Throwable> done) {
    }

    private final EventExecutor loop;
    private final String remote;
    ServerConnection connection;
    /** Every call, in order: "write GOAWAY", "pong", "flush", "shutdownOutput", "close", "written GOAWAY"... */
    final List<String> calls = new CopyOnWriteArrayList<>();
    /** What left for the peer, one entry per send, in order. */
    final List<byte[]> sends = new CopyOnWriteArrayList<>();
    boolean holdWrites;
    /** Whether the connection is to see a TLS handshake still in progress. */
    boolean negotiatingTls;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private ByteBuf pongs;
    private boolean closed;

    RecordingTransport(EventExecutor loop, String remote) {
        this.loop = loop;
        this.remote = remote;
    }

    @Override
    public EventExecutor executor() {
        return loop;
    }

    @Override
    public ByteBufAllocator alloc() {
        return UnpooledByteBufAllocator.DEFAULT;
    }

    @Override
    public String remote() {
        return remote;
    }

    @Override
    public void write(ByteBuf frame, Consumer<Throwable> done) {
        FrameType type = Frames.type(frame);
        calls.add("write " + type);
        if (closed) {
            frame.release();
            if (done != null) {
                done.accept(new ClosedChannelException());
            }
            return;
        }
        sends.add(bytesOf(frame));
        Pending write = new Pending(type, done);
        if (holdWrites || !pending.isEmpty()) {
            pending.add(write);
        } else {
            complete(write, null);
        }
    }

    @Override
    public void pong(ByteBuf pong) {
        calls.add("pong");
        if (pongs == null) {
            pongs = Unpooled.buffer();
        }
        pongs.writeBytes(pong, pong.readerIndex(), pong.readableBytes());
    }

    @Override
    public void flush() {
        calls.add("flush");
        if (pongs != null) {
            sends.add(bytesOf(pongs));
            pongs = null;
        }
    }

    @Override
    public boolean negotiatingTls() {
        return negotiatingTls;
    }

    @Override
    public void shutdownOutput() {
        calls.add("shutdownOutput");
    }

    /** As the real transports do: a write still waiting fails, and the connection has recorded its end. */
    @Override
    public void close() {
        calls.add("close");
        closed = true;
        if (pongs != null) {
            pongs.release();
            pongs = null;
        }
        for (Pending write = pending.poll(); write != null; write = pending.poll()) {
            complete(write, new ClosedChannelException());
        }
    }

    @Override
    public void boundDeadPeer(Duration timeout) {
        calls.add("boundDeadPeer " + timeout.toMillis() + " ms");
    }

    /** The socket took everything waiting: each held write completes, in order. */
    void completeWrites() {
        holdWrites = false;
        for (Pending write = pending.poll(); write != null; write = pending.poll()) {
            complete(write, null);
        }
    }

    /** The oldest held write fails, reported as a real transport reports it: to the write, then the connection. */
    void failWrite(IOException failure) {
        Pending write = pending.poll();
        if (write == null) {
            throw new IllegalStateException("no write is waiting");
        }
        complete(write, failure);
        connection.failed(failure);
    }

    private void complete(Pending write, Throwable failure) {
        calls.add((failure == null ? "written " : "failed ") + write.type());
        if (write.done() != null) {
            write.done().accept(failure);
        }
    }

    /** Every frame that left, in order. */
    List<Frame> frames() {
        List<Frame> frames = new ArrayList<>();
        for (byte[] send : sends) {
            frames.addAll(framesIn(send));
        }
        return frames;
    }

    List<FrameType> types() {
        return frames().stream().map(Frame::type).toList();
    }

    /** The last frame that left, which must be a GOAWAY. */
    Frame goAway() {
        List<Frame> frames = frames();
        Frame last = frames.isEmpty() ? null : frames.get(frames.size() - 1);
        if (last == null || last.type() != FrameType.GOAWAY) {
            throw new AssertionError("no GOAWAY sent; sent " + types());
        }
        return last;
    }

    static List<Frame> framesIn(byte[] send) {
        ByteBuf in = Unpooled.wrappedBuffer(send);
        List<Frame> frames = new ArrayList<>();
        while (in.isReadable()) {
            FrameType type = FrameType.fromCode(in.readUnsignedByte());
            in.readUnsignedByte();
            byte[] payload = new byte[in.readInt()];
            in.readBytes(payload);
            frames.add(new Frame(type, payload));
        }
        return frames;
    }

    private static byte[] bytesOf(ByteBuf buf) {
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        buf.release();
        return bytes;
    }

    @Override
    public String toString() {
        return "recording transport of " + remote;
    }
}
