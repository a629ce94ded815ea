package io.tether.server.internal;

import io.netty.buffer.ByteBuf;
import io.tether.internal.Exchange;
import io.tether.internal.SilenceRule;
import io.tether.internal.Traffic;
import java.time.Duration;

/**
 * What a server session needs from the connection that carries it: a {@link ServerConnection} on the Tether
 * port (either engine), or a {@link ChannelLink} on the classic port.
 */
interface SessionLink extends Exchange.Outlet {
    /** The peer as {@code ip:port}. */
    String remote();

    /** What the connection's event loop counts (frames, bytes, reported round trips); null where nothing is counted. */
    default Traffic traffic() {
        return null;
    }

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
     * Closes the connection on the event loop: at once without a {@code lastFrame}; with one, input is
     * discarded from now on, the frame is sent, and the connection ends as {@code goodbye} says.
     */
    void close(ByteBuf lastFrame, Goodbye goodbye);

    /**
     * How a connection ends after its last frame (a GOAWAY). Closing a socket with unread input makes the
     * kernel send a reset instead of a FIN, and a reset can destroy the GOAWAY before the peer reads it, so
     * the socket is closed at once only when no input can be waiting.
     */
    enum Goodbye {
        /**
         * The peer reads the GOAWAY and closes first, keeping the TIME_WAIT on its side; one that has not
         * closed within the linger is closed from here.
         */
        AWAIT_PEER,
        /**
         * Output is shut after the frame (the FIN follows it) while input is still drained, and the socket
         * closes when the peer closes or the linger ends: for a refused peer that may still be sending.
         */
        HALF_CLOSE,
        /**
         * Closed right behind the frame: for a peer presumed dead, silent for the whole timeout, so nothing
         * is waiting to be read and the close sends a FIN behind the GOAWAY. Costs no shutdown and no linger.
         */
        CLOSE
    }
}
