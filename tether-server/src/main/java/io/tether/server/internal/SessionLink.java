package io.tether.server.internal;

import io.netty.buffer.ByteBuf;
import io.tether.internal.Exchange;
import io.tether.internal.SilenceRule;
import java.time.Duration;

/**
 * What a server session needs from the connection that carries it: a {@link ServerConnection} on the Tether
 * port (either engine), or a {@link ChannelLink} on the classic port.
 */
interface SessionLink extends Exchange.Outlet {
    /** The peer as {@code ip:port}. */
    String remote();

    /** When the connection last read a byte, on its loop's clock. Any thread. */
    long lastReadNanos();

    /**
     * Starts judging the online session's silence by {@code rule}; the verdict reaches the session's
     * {@link ServerSession#timedOut}. Runs on the event loop.
     */
    void watch(SilenceRule rule);

    /** The rule in force, for a verdict's detail, e.g. "timeout 6000 ms". */
    String silenceRule();

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
