package io.tether.keeper.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One open upstream connection. Who may touch it is decided by one atomic state: whoever moves it out of
 * IDLE owns it until they put it back, so a connection is never lent twice and a probe never touches a
 * borrowed one.
 */
final class PooledConnection {
    static final int IDLE = 0;
    static final int BORROWED = 1;
    static final int PROBING = 2;
    static final int RETIRED = 3;

    final SocketChannel channel;
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    final InetSocketAddress remote;
    final long expiresAtNanos;
    private final AtomicInteger state = new AtomicInteger(IDLE);
    volatile long lastCheckedNanos;

    PooledConnection(SocketChannel channel, long expiresAtNanos) throws IOException {
        this.channel = channel;
        this.socket = channel.socket();
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.remote = (InetSocketAddress) channel.getRemoteAddress();
        this.expiresAtNanos = expiresAtNanos;
        this.lastCheckedNanos = System.nanoTime();
    }

    boolean claim(int from, int to) {
        return state.compareAndSet(from, to);
    }

    /** Puts an owned connection back to IDLE. */
    void release() {
        lastCheckedNanos = System.nanoTime();
        state.set(IDLE);
    }

    int state() {
        return state.get();
    }

    boolean isExpired(long now) {
        return expiresAtNanos != 0 && now - expiresAtNanos >= 0;
    }

    /** Marks the connection retired and closes it; returns false if it already was. */
    boolean retire() {
        if (state.getAndSet(RETIRED) == RETIRED) {
            return false;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a broken socket may fail; it is gone either way
        }
        return true;
    }
}
