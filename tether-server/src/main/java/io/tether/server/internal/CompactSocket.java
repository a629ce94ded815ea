package io.tether.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.EventExecutor;
import io.tether.internal.Transports;
import io.tether.protocol.ProtocolException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compact engine's byte mover: one accepted socket registered straight with Netty's epoll event loop (an
 * {@link EpollIoHandle}) instead of through a {@code Channel} and a pipeline, which costs a fraction of a
 * channel's memory (docs/PERFORMANCE.md). It moves bytes and nothing more; its {@link ServerConnection}
 * decides what they mean.
 *
 * <p>Level-triggered: each readiness event gets one {@code recv} into the loop's shared buffer; anything left
 * in the socket raises the next event. PONGs gather in the loop's shared write buffer and leave in one send;
 * what the socket will not take waits in order in a {@link CompactBacklog}, counted against the server's
 * buffer budget, and the socket asks for {@code EPOLLOUT} until it is gone.
 */
final class CompactSocket implements EpollIoHandle, Transport {
    private static final Logger log = LoggerFactory.getLogger(CompactSocket.class);
    private static final EpollIoOps READ = EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLRDHUP);
    private static final EpollIoOps READ_AND_WRITE = READ.with(EpollIoOps.EPOLLOUT);
    private static final int WRITABLE = EpollIoOps.EPOLLOUT.value();

    private final CompactLoop loop;
    private final Socket socket;
    private final String remote;
    private final ServerConnection connection;
    private IoRegistration registration;
    CompactSocket previousInLoop;
    CompactSocket nextInLoop;
    /** What the socket would not take yet; null when nothing waits. */
    private CompactBacklog unsent;
    /** Bytes the server's buffer budget granted for what waits in {@link #unsent}. */
    private int heldForUnsent;
    private boolean closed;

    CompactSocket(CompactLoop loop, Socket socket, String remote, Admission admission) {
        this.loop = loop;
        this.socket = socket;
        this.remote = remote;
        this.connection = new ServerConnection(this, admission, loop.timer);
    }

    ServerConnection connection() {
        return connection;
    }

    /** Runs on the loop once the socket is in its epoll set. */
    void registered(IoRegistration registration) {
        this.registration = registration;
        registration.submit(READ);
        loop.add(this);
        connection.opened();
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
        if (closed) {
            return;
        }
        ByteBuf in = loop.in.clear();
        int received;
        try {
            received = socket.recvAddress(in.memoryAddress(), 0, in.capacity());
        } catch (IOException e) {
            connection.failed(e);
            return;
        }
        if (received == 0) {
            return; // nothing after all
        }
        if (received < 0) {
            connection.ended(); // the peer closed
            return;
        }
        in.writerIndex(received);
        connection.received(in);
    }

    @Override
    public void pong(ByteBuf pong) {
        ByteBuf out = loop.out;
        if (loop.outOwner != this) {
            if (loop.outOwner != null) {
                loop.outOwner.flush();
            }
            loop.outOwner = this;
        }
        if (out.writableBytes() < pong.readableBytes()) {
            flush();
            loop.outOwner = this;
        }
        out.writeBytes(pong, pong.readerIndex(), pong.readableBytes());
    }

    /** Sends the PONGs gathered for this socket; what the socket will not take yet waits in order. */
    @Override
    public void flush() {
        if (loop.outOwner != this) {
            return;
        }
        ByteBuf out = loop.out;
        loop.outOwner = null;
        try {
            if (out.isReadable() && !closed) {
                if (unsent == null) {
                    send(out);
                }
                if (out.isReadable()) {
                    queue(ServerConnection.ALLOC.heapBuffer(out.readableBytes()).writeBytes(out), null);
                }
            }
        } catch (IOException e) {
            connection.failed(e);
        } finally {
            out.clear();
        }
    }

    @Override
    public void write(ByteBuf frame, Consumer<Throwable> done) {
        if (closed) {
            frame.release();
            if (done != null) {
                done.accept(new ClosedChannelException());
            }
            return;
        }
        if (unsent == null) {
            try {
                send(frame);
            } catch (IOException e) {
                frame.release();
                if (done != null) {
                    done.accept(e);
                }
                connection.failed(e);
                return;
            }
            if (!frame.isReadable()) {
                frame.release();
                if (done != null) {
                    done.accept(null);
                }
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
        if (waiting > connection.outboundLimit()) {
            connection.unwritable();
        } else {
            holdForUnsent(waiting);
        }
    }

    /** Moves the budget's grant for unsent frames to {@code waiting} bytes; over budget, the connection fails. */
    private void holdForUnsent(int waiting) {
        try {
            heldForUnsent = (int) loop.engine.buffers().adjust(heldForUnsent, waiting, "unsent frames");
        } catch (ProtocolException e) {
            connection.failed(e);
        }
    }

    /** The socket can take more: sends what waits, in order, and stops asking once all of it is gone. */
    private void flushUnsent() {
        if (unsent == null || closed) {
            return;
        }
        try {
            if (!unsent.drainInto(this)) {
                holdForUnsent(unsent.bytes());
                return;
            }
        } catch (IOException e) {
            connection.failed(e);
            return;
        }
        unsent = null;
        holdForUnsent(0);
        if (!closed) {
            registration.submit(READ);
        }
    }

    @Override
    public boolean negotiatingTls() {
        return false; // plain TCP only
    }

    @Override
    public void shutdownOutput() {
        try {
            socket.shutdown(false, true);
        } catch (IOException e) {
            connection.failed(e);
        }
    }

    /**
     * Closes the socket. Also the handle API's close, which Netty calls for handles still registered when the
     * loop shuts down: then the connection is told first, so that its session ends as well.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (connection.isOpen()) {
            connection.closeNow(); // which comes back here
            return;
        }
        closed = true;
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
        if (unsent != null) {
            unsent.fail(new ClosedChannelException());
            unsent = null;
        }
        if (heldForUnsent != 0) {
            heldForUnsent = (int) loop.engine.buffers().adjust(heldForUnsent, 0, "unsent frames");
        }
        loop.engine.closed();
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
    public EventExecutor executor() {
        return loop.executor;
    }

    @Override
    public ByteBufAllocator alloc() {
        return ServerConnection.ALLOC;
    }

    @Override
    public String remote() {
        return remote;
    }

    @Override
    public String toString() {
        return "compact socket of " + remote;
    }
}
