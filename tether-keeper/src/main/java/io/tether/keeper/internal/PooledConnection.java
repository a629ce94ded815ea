package io.tether.keeper.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;

/**
 * One open upstream connection. Who may touch it is decided by its {@link ConnectionBag} state: whoever moves
 * it out of IDLE owns it until they put it back, so a connection is never lent twice and a probe never
 * touches a borrowed one. A short endpoint's connection is never in a bag, and belongs to its one lease.
 */
final class PooledConnection extends ConnectionBag.Entry {
    final SocketChannel channel;
    final Socket socket;
    /** TLS over the socket, or {@code null} for plain TCP; {@link #in} and {@link #out} are its plaintext. */
    final TlsConnection tls;
    final InputStream in;
    final OutputStream out;
    final InetSocketAddress remote;
    final long expiresAtNanos;
    /** When it was last known good: opened, probed, checked before lending, or returned by a borrower. */
    volatile long lastCheckedNanos;

    PooledConnection(SocketChannel channel, long expiresAtNanos) throws IOException {
        this(channel, null, expiresAtNanos);
    }

    PooledConnection(SocketChannel channel, TlsConnection tls, long expiresAtNanos) throws IOException {
        this.channel = channel;
        this.socket = channel.socket();
        this.tls = tls;
        this.in = tls != null ? tls.in : socket.getInputStream();
        this.out = tls != null ? tls.out : socket.getOutputStream();
        this.remote = (InetSocketAddress) channel.getRemoteAddress();
        this.expiresAtNanos = expiresAtNanos;
        this.lastCheckedNanos = System.nanoTime();
    }

    boolean isExpired(long now) {
        return expiresAtNanos != 0 && now - expiresAtNanos >= 0;
    }

    /**
     * Closes the socket; closing again does nothing. TLS ends without a close_notify: the connection may be in
     * another thread's read or write at this moment (the keeper's close closes lent connections too), where a
     * message of its own could interleave, and the peer sees the end of the connection either way.
     */
    void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a broken socket may fail; it is gone either way
        }
        if (tls != null) {
            tls.release();
        }
    }
}
