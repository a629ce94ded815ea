package io.tether.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.tether.internal.Failures;
import io.tether.internal.FrameDecoder;
import io.tether.internal.FrameRoutes;
import io.tether.internal.GracefulClose;
import io.tether.internal.Liveness;
import io.tether.internal.Transports;
import io.tether.protocol.CloseReason;
import io.tether.protocol.FrameType;
import io.tether.protocol.Hello;
import io.tether.protocol.ProtocolException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection of the compact epoll engine: the socket, its liveness record and its session's
 * link in one object, registered straight with Netty's epoll event loop (an {@link EpollIoHandle}) instead
 * of through a {@code Channel} and a pipeline. A Netty channel costs about 1.8 KB of objects per connection
 * before any application state; this costs a few hundred bytes (docs/PERFORMANCE.md).
 *
 * <p>It speaks exactly what the channel pipeline speaks and reuses its parts: frames are checked by
 * {@link FrameDecoder#wholeFrameLength}, the handshake ends in {@link Admission}, established frames go to
 * {@link ServerRoutes}, silence is judged by its {@link Liveness}. A PING is answered from the loop's
 * shared buffers and allocates nothing.
 *
 * <p>Level-triggered: each readiness event gets one {@code recv} of up to 64 KiB; anything left in the socket
 * raises the next event. Every method but {@link #write} runs on the connection's event loop.
 */
final class CompactConnection extends Liveness implements SessionLink, EpollIoHandle {
    private static final Logger log = LoggerFactory.getLogger(CompactConnection.class);
    /**
     * Frames other than PONG are rare and short-lived: plain heap buffers, copied through the loop's send
     * buffer. (A JDK direct buffer would cost a Cleaner and a zeroed allocation each; a pool, several MiB.)
     */
    static final ByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false);
    private static final EpollIoOps READ = EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLRDHUP);
    private static final EpollIoOps READ_AND_WRITE = READ.with(EpollIoOps.EPOLLOUT);
    private static final int WRITABLE = EpollIoOps.EPOLLOUT.value();
    private static final int PING = FrameType.PING.code();
    private static final byte PONG = (byte) FrameType.PONG.code();
    private static final Consumer<Throwable> NO_CALLBACK = failure -> { };

    private static final byte HANDSHAKE = 0;
    private static final byte ONLINE = 1;
    private static final byte DISCARDING = 2; // on its way out: input is dropped, output still flows
    private static final byte CLOSED = 3;

    private final CompactEngine engine;
    private final CompactLoop loop;
    private final Socket socket;
    private final String remote;
    private IoRegistration registration;
    CompactConnection previousInLoop;
    CompactConnection nextInLoop;
    private byte state = HANDSHAKE;
    private boolean halfCloseWhenFlushed;
    private ServerSession session;
    private ServerRoutes routes;
    /** The start of a frame that has not arrived whole; null between frames, which is almost always. */
    private ByteBuf partial;
    /** What the socket would not take yet; null when nothing waits. */
    private CompactBacklog unsent;
    private ScheduledFuture<?> linger;
    /** Bytes the server's buffer budget granted for the partial frame, and for what waits in {@link #unsent}. */
    private int heldForPartial;
    private int heldForUnsent;

    CompactConnection(CompactEngine engine, CompactLoop loop, Socket socket, String remote) {
        this.engine = engine;
        this.loop = loop;
        this.socket = socket;
        this.remote = remote;
        attach(loop.executor);
    }

    /** Runs on the loop once the socket is in its epoll set. */
    void registered(IoRegistration registration) {
        this.registration = registration;
        registration.submit(READ);
        loop.add(this);
        Admission.awaitHello(engine.runtime(), this);
    }

    boolean inHandshake() {
        return state == HANDSHAKE;
    }

    @Override
    public FileDescriptor fd() {
        return socket;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        int ops = ((EpollIoEvent) event).ops().value();
        if ((ops & WRITABLE) != 0) {
            flushUnsent();
        }
        if ((ops & ~WRITABLE) != 0) {
            read(); // input, an error or a hang-up: the read tells which
        }
    }

    private void read() {
        if (state == CLOSED) {
            return;
        }
        ByteBuf in = loop.in.clear();
        int received;
        try {
            received = socket.recvAddress(in.memoryAddress(), 0, in.capacity());
        } catch (IOException e) {
            broken(e);
            return;
        }
        if (received == 0) {
            return; // nothing after all
        }
        if (received < 0) {
            closeNow(); // the peer closed
            return;
        }
        stampRead();
        if (state == DISCARDING) {
            return;
        }
        in.writerIndex(received);
        ByteBuf frames = in;
        if (partial != null) {
            partial.writeBytes(in);
            frames = partial;
        }
        try {
            handleFrames(frames);
        } catch (RuntimeException e) {
            refuseInput(e);
        } finally {
            sendPongs();
        }
        keepRest(frames);
    }

    private void handleFrames(ByteBuf frames) {
        int maxPayload = engine.runtime().config().maxPayload();
        while (state == ONLINE || state == HANDSHAKE) {
            int length = state == HANDSHAKE ? FrameDecoder.wholeHelloLength(frames)
                    : FrameDecoder.wholeFrameLength(frames, maxPayload);
            if (length == 0) {
                return;
            }
            int start = frames.readerIndex();
            int end = frames.writerIndex();
            // The frame is handled in place: the buffer's indexes frame it, then move past it.
            frames.writerIndex(start + length);
            try {
                handleFrame(frames);
            } finally {
                frames.setIndex(start + length, end);
            }
        }
    }

    private void handleFrame(ByteBuf frame) {
        if (state == HANDSHAKE) {
            Hello hello = Hello.decode(frame);
            Admission.admit(engine.runtime(), this, hello, (admitted, frameRoutes) -> {
                session = admitted;
                routes = frameRoutes;
                leave(ONLINE);
            });
            return;
        }
        int type = frame.getUnsignedByte(frame.readerIndex());
        if (type != PING) {
            FrameRoutes.route(routes, FrameType.fromCode(type), frame);
        } else if (FrameRoutes.acceptPing(routes, frame)) {
            queuePong(frame);
        }
    }

    private void queuePong(ByteBuf ping) {
        ByteBuf out = loop.out;
        if (loop.outOwner != this) {
            if (loop.outOwner != null) {
                loop.outOwner.sendPongs();
            }
            loop.outOwner = this;
        }
        if (out.writableBytes() < ping.readableBytes()) {
            sendPongs();
            loop.outOwner = this;
        }
        int at = out.writerIndex();
        out.writeBytes(ping, ping.readerIndex(), ping.readableBytes());
        out.setByte(at, PONG); // the PONG is the PING's own bytes with the other type
    }

    /** Sends the PONGs gathered for this connection; what the socket will not take yet waits in order. */
    private void sendPongs() {
        if (loop.outOwner != this) {
            return;
        }
        ByteBuf out = loop.out;
        loop.outOwner = null;
        try {
            if (out.isReadable() && state != CLOSED) {
                if (unsent == null) {
                    send(out);
                }
                if (out.isReadable()) {
                    queue(ALLOC.heapBuffer(out.readableBytes()).writeBytes(out), NO_CALLBACK);
                }
            }
        } catch (IOException e) {
            broken(e);
        } finally {
            out.clear();
        }
    }

    /** Refuses what the peer sent: closes with PROTOCOL_ERROR and drops its further input. */
    private void refuseInput(RuntimeException e) {
        Throwable root = Failures.rootOf(e);
        byte was = state;
        if (was != CLOSED) {
            leave(DISCARDING);
        }
        if (was == HANDSHAKE) {
            if (root instanceof ProtocolException refused) {
                Admission.refuse(engine.runtime(), this, refused.reason(), root.getMessage());
            } else {
                log.error("unexpected failure during handshake with {}", remote, root);
                Admission.refuse(engine.runtime(), this, CloseReason.PROTOCOL_ERROR, "internal error");
            }
        } else if (was == ONLINE) {
            session.failed(root);
        }
    }

    /** Every change of state but the first: a handshake that ends, however it ends, is uncounted here. */
    private void leave(byte next) {
        if (state == HANDSHAKE) {
            engine.runtime().counts().handshakeEnded();
        }
        state = next;
    }

    private void keepRest(ByteBuf frames) {
        if (state == DISCARDING || state == CLOSED || !frames.isReadable()) {
            releasePartial();
            return;
        }
        long pending = FrameDecoder.announcedLength(frames);
        try {
            heldForPartial = (int) engine.runtime().buffers().adjust(heldForPartial, pending, "a partial frame");
        } catch (ProtocolException e) {
            releasePartial();
            refuseInput(e);
            return;
        }
        if (frames == partial) {
            partial.discardReadBytes();
        } else {
            // Sized for the whole frame once its header is known, so it never grows past it by doubling.
            partial = ALLOC.heapBuffer((int) Math.max(Math.max(256, pending), frames.readableBytes())).writeBytes(frames);
        }
    }

    private void releasePartial() {
        if (partial != null) {
            partial.release();
            partial = null;
        }
        if (heldForPartial != 0) {
            heldForPartial = (int) engine.runtime().buffers().adjust(heldForPartial, 0, "a partial frame");
        }
    }

    /** The socket failed (a reset, a refused write): the session ends with the cause, the socket closes. */
    private void broken(IOException e) {
        if (session != null) {
            session.failed(e);
        } else {
            log.debug("connection from {} failed before its handshake: {}", remote, e.getMessage());
        }
        closeNow();
    }

    @Override
    public void write(ByteBuf frame, Consumer<Throwable> done) {
        if (loop.executor.inEventLoop()) {
            writeNow(frame, done == null ? NO_CALLBACK : done);
        } else {
            loop.executor.execute(() -> writeNow(frame, done == null ? NO_CALLBACK : done));
        }
    }

    private void writeNow(ByteBuf frame, Consumer<Throwable> done) {
        if (state == CLOSED) {
            frame.release();
            done.accept(new ClosedChannelException());
            return;
        }
        sendPongs(); // PONGs gathered in this read were answered first; they leave first
        if (unsent == null) {
            try {
                send(frame);
            } catch (IOException e) {
                frame.release();
                done.accept(e);
                broken(e);
                return;
            }
            if (!frame.isReadable()) {
                frame.release();
                done.accept(null);
                afterFlushed();
                return;
            }
        }
        queue(frame, done);
    }

    /** Sends what the socket takes now; moves {@code buf}'s reader index past it. */
    void send(ByteBuf buf) throws IOException {
        if (buf.hasMemoryAddress()) {
            buf.skipBytes(socket.sendAddress(buf.memoryAddress(), buf.readerIndex(), buf.writerIndex()));
            return;
        }
        ByteBuf staging = loop.staging; // the kernel reads from native memory: heap bytes pass through here
        while (buf.isReadable()) {
            int chunk = Math.min(buf.readableBytes(), staging.capacity());
            buf.getBytes(buf.readerIndex(), staging, 0, chunk);
            int sent = socket.sendAddress(staging.memoryAddress(), 0, chunk);
            buf.skipBytes(sent);
            if (sent < chunk) {
                return;
            }
        }
    }

    private void queue(ByteBuf frame, Consumer<Throwable> done) {
        if (unsent == null) {
            unsent = new CompactBacklog();
            registration.submit(READ_AND_WRITE);
        }
        int waiting = unsent.add(frame, done);
        if (waiting > outboundLimit() && session != null) {
            session.becameUnwritable();
        } else {
            holdForUnsent(waiting);
        }
    }

    /** Moves the budget's grant for unsent frames to {@code waiting} bytes; over budget, the session ends. */
    private void holdForUnsent(int waiting) {
        try {
            heldForUnsent = (int) engine.runtime().buffers().adjust(heldForUnsent, waiting, "unsent frames");
        } catch (ProtocolException e) {
            if (session != null) {
                session.failed(e);
            } else {
                closeNow();
            }
        }
    }

    /** The socket can take more: sends what waits, in order, and stops asking once all of it is gone. */
    private void flushUnsent() {
        if (unsent == null || state == CLOSED) {
            return;
        }
        try {
            if (!unsent.drainInto(this)) {
                holdForUnsent(unsent.bytes());
                return;
            }
        } catch (IOException e) {
            broken(e);
            return;
        }
        unsent = null;
        holdForUnsent(0);
        registration.submit(READ);
        afterFlushed();
    }

    private void afterFlushed() {
        if (halfCloseWhenFlushed && state != CLOSED) {
            halfCloseWhenFlushed = false;
            try {
                socket.shutdown(false, true);
            } catch (IOException e) {
                closeNow();
            }
        }
    }

    @Override
    public void close(ByteBuf lastFrame, boolean halfClose) {
        if (!loop.executor.inEventLoop()) {
            loop.executor.execute(() -> close(lastFrame, halfClose));
            return;
        }
        if (lastFrame == null || state == CLOSED) {
            if (lastFrame != null) {
                lastFrame.release();
            }
            closeNow();
            return;
        }
        leave(DISCARDING);
        releasePartial();
        halfCloseWhenFlushed = halfClose;
        writeNow(lastFrame, failure -> {
            if (failure != null) {
                closeNow();
            }
        });
        if (state != CLOSED && linger == null) {
            linger = loop.executor.schedule(this::closeNow, GracefulClose.DEFAULT_LINGER_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Closes the socket at once and tells the session, if there is one, that its connection ended. */
    void closeNow() {
        if (state == CLOSED) {
            return;
        }
        leave(CLOSED);
        disarm();
        if (linger != null) {
            linger.cancel(false);
        }
        if (loop.outOwner == this) {
            loop.outOwner = null;
            loop.out.clear();
        }
        if (registration != null) {
            registration.cancel();
            loop.remove(this);
        }
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("closing the socket of {} failed: {}", remote, e.getMessage());
        }
        releasePartial();
        failUnsent();
        engine.closed(this);
        if (session != null) {
            session.connectionClosed();
        }
    }

    private void failUnsent() {
        if (unsent != null) {
            unsent.fail(new ClosedChannelException());
            unsent = null;
        }
        if (heldForUnsent != 0) {
            heldForUnsent = (int) engine.runtime().buffers().adjust(heldForUnsent, 0, "unsent frames");
        }
    }

    /** Netty closes the handles still registered when the loop shuts down. */
    @Override
    public void close() {
        closeNow();
    }

    @Override
    public boolean isOpen() {
        return state != CLOSED;
    }

    @Override
    public EventExecutor executor() {
        return loop.executor;
    }

    @Override
    public ByteBufAllocator alloc() {
        return ALLOC;
    }

    @Override
    public Liveness liveness() {
        return this;
    }

    @Override
    public String remote() {
        return remote;
    }

    @Override
    public String partialFrame() {
        return partial == null ? null : FrameDecoder.stall(partial);
    }

    @Override
    public int outboundLimit() {
        return engine.runtime().config().maxOutboundBytes();
    }

    @Override
    public void boundDeadPeer(Duration timeout) {
        try {
            Transports.boundDeadPeer(socket, timeout);
        } catch (IOException e) {
            log.debug("cannot bound dead-peer detection of {}: {}", remote, e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "connection from " + remote;
    }
}
