package io.tether.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What moves a {@link ServerConnection}'s bytes and nothing more: the compact epoll socket
 * ({@link CompactSocket}) or a Netty channel ({@link ChannelTransport}). It hands the connection what it
 * reads and reports its failures and its end; every decision about the bytes is the connection's. Every
 * method runs on the connection's event loop.
 */
interface Transport {
    EventExecutor executor();

    ByteBufAllocator alloc();

    /** The peer as {@code ip:port}. */
    String remote();

    /**
     * Sends {@code frame} after whatever is already waiting, taking ownership of it. {@code done}, if not null,
     * hears {@code null} once all of it has gone to the kernel, or the failure. A failure is also reported
     * to the connection's {@link ServerConnection#failed}.
     */
    void write(ByteBuf frame, Consumer<Throwable> done);

    /** Copies a PONG into the batch that {@link #flush} sends, so a read's PONGs leave in one send. */
    void pong(ByteBuf pong);

    /** Sends the batched PONGs, if any. */
    void flush();

    /**
     * Whether TLS is still being negotiated: nothing written now can reach the peer until it completes (and a
     * peer that stalls it never lets it complete). False on plain TCP.
     */
    boolean negotiatingTls();

    /** The client's TLS certificate, when TLS asked for one and it was sent; empty on plain TCP. */
    default Optional<X509Certificate> peerCertificate() {
        return Optional.empty();
    }

    /** Half-closes: the peer reads what was sent, then end of stream. */
    void shutdownOutput();

    /** Closes at once; a second call does nothing. The connection has already recorded its end. */
    void close();

    /** Makes the kernel give up on a vanished peer at about {@code timeout} (see Transports.boundDeadPeer). */
    void boundDeadPeer(Duration timeout);
}
