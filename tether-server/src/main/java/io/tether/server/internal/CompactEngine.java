package io.tether.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.NativeInetAddress;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.tether.internal.MemoryBudget;
import io.tether.internal.WheelTicker;
import io.tether.protocol.CloseReason;
import io.tether.protocol.Frames;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's Tether port on native epoll without a Netty channel per connection: a listening socket on
 * the acceptor loop, and a {@link CompactSocket} per client on the worker loops, all registered directly
 * with Netty's epoll event loops. See docs/PERFORMANCE.md for what it saves. It takes plain values: the
 * server's {@link Admission} and each worker loop's timing wheel.
 */
final class CompactEngine implements EpollIoHandle {
    private static final Logger log = LoggerFactory.getLogger(CompactEngine.class);
    /** As many accepts per wake-up as the channel acceptor drains (ServerRuntime). */
    private static final int ACCEPTS_PER_WAKEUP = 1024;
    private static final long ACCEPT_PAUSE_MILLIS = 100;
    private static final long MIN_PAUSE_MILLIS = 10;

    private final Admission admission;
    private final IoEventLoop acceptLoop;
    private final CompactLoop[] loops;
    private final LinuxSocket listener;
    private final byte[] acceptedAddress = new byte[26];
    private final AtomicInteger open = new AtomicInteger();
    private IoRegistration registration;
    private int nextLoop;
    private long lastAcceptFailureLogged;

    private CompactEngine(Admission admission, EventLoopGroup acceptor, Map<EventExecutor, WheelTicker> workers,
                          LinuxSocket listener) {
        this.admission = admission;
        this.acceptLoop = (IoEventLoop) acceptor.next();
        List<CompactLoop> all = new ArrayList<>();
        workers.forEach((loop, timer) -> all.add(new CompactLoop((IoEventLoop) loop, timer, this)));
        this.loops = all.toArray(new CompactLoop[0]);
        this.listener = listener;
    }

    /**
     * Listens on {@code host:port} with a backlog of the kernel's maximum; {@code reusePort} shares the port
     * with other sockets that ask for it ({@link PortSharing}).
     */
    static CompactEngine listen(Admission admission, EventLoopGroup acceptor, Map<EventExecutor, WheelTicker> workers,
                                String host, int port, boolean reusePort) throws IOException {
        LinuxSocket socket = LinuxSocket.newSocketStream();
        try {
            socket.setReuseAddress(true);
            if (reusePort) {
                PortSharing.share(socket, host, port);
            }
            try {
                socket.bind(new InetSocketAddress(host, port));
                socket.listen(65_535); // the kernel caps this at net.core.somaxconn
            } catch (IOException e) {
                throw PortSharing.bindFailed(host, port, reusePort, e);
            }
            CompactEngine engine = new CompactEngine(admission, acceptor, workers, socket);
            IoRegistration registration = engine.acceptLoop.register(engine).sync().getNow();
            engine.acceptLoop.submit(() -> {
                engine.registration = registration;
                registration.submit(EpollIoOps.EPOLLIN);
            }).sync();
            return engine;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            socket.close();
            throw new IOException("interrupted while starting to listen", e);
        }
    }

    MemoryBudget buffers() {
        return admission.buffers();
    }

    InetSocketAddress address() {
        return listener.localAddress();
    }

    @Override
    public FileDescriptor fd() {
        return listener;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        HandshakeRate rate = admission.handshakeRate();
        for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
            long now = System.nanoTime();
            if (!rate.mayAccept(this, now)) {
                // The rest wait in the kernel's accept queue; the level-triggered listener would wake this loop
                // at once, so it stops asking until the bucket has a token again.
                pause(rate.nextAcceptNanos() - now);
                return;
            }
            int fd;
            try {
                fd = listener.accept(acceptedAddress);
            } catch (IOException e) {
                pauseAccepting(e);
                return;
            }
            if (fd < 0) {
                return;
            }
            rate.accepted(this, now);
            admit(fd);
        }
    }

    private void admit(int fd) {
        Socket socket = new Socket(fd);
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
        } catch (IOException e) {
            log.debug("cannot set options on an accepted socket: {}", e.getMessage());
        }
        InetSocketAddress peer = NativeInetAddress.address(acceptedAddress, 1, acceptedAddress[0]);
        String host = peer.getAddress().getHostAddress();
        String remote = host + ":" + peer.getPort();
        admission.registry().countAccepted();
        String refusal = admission.counts().tryOpen(host, true);
        if (refusal != null) {
            refuseOverLimit(socket, remote, refusal);
            return;
        }
        CompactLoop loop = loops[nextLoop];
        nextLoop = (nextLoop + 1) % loops.length;
        CompactSocket connection = new CompactSocket(loop, socket, remote, admission);
        open.incrementAndGet();
        Future<IoRegistration> registered = loop.executor.register(connection);
        registered.addListener(f -> {
            if (f.isSuccess()) {
                connection.registered(registered.getNow());
            } else {
                log.warn("cannot register the connection from {}: {}", remote, f.cause().toString());
                connection.close();
            }
        });
    }

    /**
     * Tells a connection over a limit GOAWAY OVERLOADED in one non-blocking send, and closes it: it costs
     * no connection object, no registration and no linger. (If the client had already sent its HELLO, the
     * close resets the connection and the GOAWAY may be lost; the client sees the refusal either way.)
     */
    private void refuseOverLimit(Socket socket, String remote, String why) {
        admission.rejected(remote, CloseReason.OVERLOADED, why, System.nanoTime());
        ByteBuf goAway = Frames.goAway(PooledByteBufAllocator.DEFAULT, CloseReason.OVERLOADED, why);
        ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(goAway.readableBytes()).writeBytes(goAway);
        goAway.release();
        try {
            socket.sendAddress(direct.memoryAddress(), direct.readerIndex(), direct.writerIndex());
        } catch (IOException e) {
            log.debug("cannot tell {} it is refused: {}", remote, e.getMessage());
        } finally {
            direct.release();
            try {
                socket.close();
            } catch (IOException e) {
                log.debug("closing a refused socket failed: {}", e.getMessage());
            }
        }
    }

    /** Out of file descriptors, say: stop accepting for a moment rather than spin on the ready listener. */
    private void pauseAccepting(IOException e) {
        long now = System.nanoTime();
        if (now - lastAcceptFailureLogged >= TimeUnit.SECONDS.toNanos(1)) {
            lastAcceptFailureLogged = now;
            log.warn("accept failed, pausing accepts for {} ms: {}", ACCEPT_PAUSE_MILLIS, e.getMessage());
        }
        pause(TimeUnit.MILLISECONDS.toNanos(ACCEPT_PAUSE_MILLIS));
    }

    /**
     * Stops taking connections off the listener for {@code nanos}, at least {@value #MIN_PAUSE_MILLIS} ms so
     * that a paced listener takes its connections in batches rather than waking for each token. The listener
     * stays in the epoll set asking only for EPOLLRDHUP, which a listening socket never reports: Netty's
     * {@code submit(NONE)} takes a handle out of the set for good, after which asking for EPOLLIN again fails.
     */
    private void pause(long nanos) {
        registration.submit(EpollIoOps.EPOLLRDHUP);
        acceptLoop.schedule(() -> {
            if (registration.isValid()) {
                registration.submit(EpollIoOps.EPOLLIN);
            }
        }, Math.max(nanos, TimeUnit.MILLISECONDS.toNanos(MIN_PAUSE_MILLIS)), TimeUnit.NANOSECONDS);
    }

    /** A socket closed (its connection already counted out). */
    void closed() {
        if (open.decrementAndGet() == 0) {
            synchronized (open) {
                open.notifyAll();
            }
        }
    }

    /** Netty closes the handles still registered when the loop shuts down. */
    @Override
    public void close() throws IOException {
        listener.close();
    }

    /** Stops listening; connections stay open. */
    void stopListening() {
        acceptLoop.submit(() -> {
            if (registration != null) {
                registration.cancel();
            }
            try {
                listener.close();
            } catch (IOException e) {
                log.debug("closing the listener failed: {}", e.getMessage());
            }
        }).awaitUninterruptibly();
    }

    /** Refuses, on their loops, the connections that have not said HELLO yet. */
    void refuseHandshakes() {
        forEach(ServerConnection::serverStopping);
    }

    /** Waits until every connection has closed; returns false when {@code millis} ran out first. */
    boolean awaitClosed(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (open) {
            while (open.get() > 0) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                open.wait(left);
            }
        }
        return true;
    }

    /** Closes whatever is still open, at once. */
    void closeAll() {
        forEach(ServerConnection::closeNow);
    }

    private void forEach(Consumer<ServerConnection> action) {
        for (CompactLoop loop : loops) {
            loop.executor.execute(() -> loop.connections().forEach(action));
        }
    }
}
