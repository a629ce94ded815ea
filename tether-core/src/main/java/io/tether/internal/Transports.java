package io.tether.internal;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.time.Duration;

/**
 * Picks native epoll when the platform has it and NIO otherwise. {@code -Dtether.transport=nio} forces NIO,
 * which is how the NIO path is exercised on Linux.
 */
public final class Transports {
    private static final boolean NIO_ASKED_FOR = "nio".equalsIgnoreCase(System.getProperty("tether.transport", ""));
    private static final boolean EPOLL = !NIO_ASKED_FOR && Epoll.isAvailable();

    private Transports() {
    }

    /**
     * The buffer allocator of every Tether channel: Netty's pooled allocator, whose buffers and slices are
     * recycled, so a heartbeat (read, split into a frame, answered in place) allocates nothing. Netty 4.2's
     * default, the adaptive allocator, allocates a new object for each slice, so garbage for every PING
     * (HeartbeatPathBenchmark, docs/PERFORMANCE.md).
     */
    public static final ByteBufAllocator ALLOCATOR = PooledByteBufAllocator.DEFAULT;

    public static String name() {
        return EPOLL ? "epoll" : "nio";
    }

    /** Whether this process uses native epoll. */
    public static boolean epoll() {
        return EPOLL;
    }

    /** Why this process runs on NIO, for a message about what needs epoll; null when it runs on epoll. */
    public static String whyNio() {
        if (EPOLL) {
            return null;
        }
        return NIO_ASKED_FOR ? "-Dtether.transport=nio asks for NIO"
                : "Netty's native epoll transport is unavailable here (" + Epoll.unavailabilityCause() + ")";
    }

    public static EventLoopGroup newGroup(int threads, String threadPrefix, boolean daemon) {
        IoHandlerFactory factory = EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadPrefix, daemon), factory);
    }

    public static Class<? extends ServerChannel> serverChannelType() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public static Class<? extends Channel> socketChannelType() {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /**
     * Makes the kernel agree with the heartbeat about when a peer is gone (Linux epoll only; elsewhere a
     * no-op): unacknowledged writes fail after {@code timeout} (TCP_USER_TIMEOUT) instead of retrying for
     * about 15 minutes, and keepalive probes on an idle socket conclude within about the same bound.
     */
    public static void boundDeadPeer(Channel channel, Duration timeout) {
        if (!(channel instanceof EpollSocketChannel epoll)) {
            return;
        }
        DeadPeerBound bound = DeadPeerBound.of(timeout);
        epoll.config().setOption(EpollChannelOption.TCP_USER_TIMEOUT, bound.userTimeoutMillis());
        epoll.config().setOption(ChannelOption.SO_KEEPALIVE, true);
        epoll.config().setOption(EpollChannelOption.TCP_KEEPIDLE, bound.keepIdleSeconds());
        epoll.config().setOption(EpollChannelOption.TCP_KEEPINTVL, bound.keepIntervalSeconds());
        epoll.config().setOption(EpollChannelOption.TCP_KEEPCNT, bound.keepCount());
    }

    /** {@link #boundDeadPeer(Channel, Duration)} for a bare Linux socket (setsockopt levels and names of Linux). */
    public static void boundDeadPeer(Socket socket, Duration timeout) throws IOException {
        final int ipProtoTcp = 6;
        final int tcpKeepIdle = 4;
        final int tcpKeepIntvl = 5;
        final int tcpKeepCnt = 6;
        final int tcpUserTimeout = 18;
        DeadPeerBound bound = DeadPeerBound.of(timeout);
        socket.setIntOpt(ipProtoTcp, tcpUserTimeout, bound.userTimeoutMillis());
        socket.setKeepAlive(true);
        socket.setIntOpt(ipProtoTcp, tcpKeepIdle, bound.keepIdleSeconds());
        socket.setIntOpt(ipProtoTcp, tcpKeepIntvl, bound.keepIntervalSeconds());
        socket.setIntOpt(ipProtoTcp, tcpKeepCnt, bound.keepCount());
    }

    /** Unacknowledged writes fail after the timeout; keepalive probes on an idle socket conclude within it. */
    private record DeadPeerBound(int userTimeoutMillis, int keepIdleSeconds, int keepIntervalSeconds, int keepCount) {
        static DeadPeerBound of(Duration timeout) {
            int seconds = (int) Math.max(1, timeout.toSeconds());
            return new DeadPeerBound((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()), Math.max(1, seconds / 2),
                    Math.max(1, seconds / 6), 3);
        }
    }

    /**
     * The socket channel type that can register with {@code loop}: an application may hand the client an
     * event loop group of either kind, whatever this process would pick by itself.
     */
    public static Class<? extends Channel> socketChannelTypeFor(EventLoop loop) {
        if (loop instanceof IoEventLoop io) {
            return io.isIoType(EpollIoHandler.class) ? EpollSocketChannel.class : NioSocketChannel.class;
        }
        return socketChannelType();
    }
}
