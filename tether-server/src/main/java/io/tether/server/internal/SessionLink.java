package io.tether.server.internal;

import io.netty.buffer.ByteBuf;
import io.tether.internal.Exchange;
import io.tether.internal.Liveness;
import java.time.Duration;

/**
 * What a server session needs from the connection that carries it, whichever kind it is: a Netty channel
 * ({@link ChannelLink}: NIO, the classic port) or a compact epoll connection ({@link CompactConnection}).
 */
interface SessionLink extends Exchange.Outlet {
    Liveness liveness();

    /** The peer as {@code ip:port}. */
    String remote();

    /** Describes a frame the peer left half-sent, or null. Runs on the event loop. */
    String partialFrame();

    /** Bytes that may wait to be sent before the client counts as a slow consumer. */
    int outboundLimit();

    /** Makes the kernel give up on a vanished peer at about {@code timeout} (see Transports.boundDeadPeer). */
    void boundDeadPeer(Duration timeout);

    /**
     * Closes the connection on the event loop. With a {@code lastFrame}, input is discarded from now on,
     * the frame is sent, and the connection closes when the peer closes or after a linger. {@code halfClose}
     * also shuts down output after the frame, for a peer that is presumed dead and will not close first.
     */
    void close(ByteBuf lastFrame, boolean halfClose);
}
