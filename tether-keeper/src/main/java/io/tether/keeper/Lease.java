package io.tether.keeper;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A borrowed connection, used like a socket. Not thread-safe: one borrower at a time, which the keeper
 * guarantees.
 *
 * <p>For a keep endpoint, {@link #close()} hands the connection back to its pool; for a short endpoint it
 * really closes it. An {@link IOException} from either stream, reading the end of the stream (the peer
 * closed its side), or {@link #invalidate()} marks the connection broken: closing the lease then retires
 * it, and a replacement is opened in the background.
 */
public interface Lease extends Closeable {
    /** The endpoint's configured name. */
    String endpoint();

    InetSocketAddress remoteAddress();

    /** This side's address: with the port, the one thing that ties a lease to the upstream's own logs. */
    InetSocketAddress localAddress();

    InputStream input() throws IOException;

    OutputStream output() throws IOException;

    /** Bounds every read on this lease (zero = wait forever, the default). Reset when the lease ends. */
    void setReadTimeout(Duration timeout) throws IOException;

    /** Marks the connection unusable, for example after a protocol error only the caller can see. */
    void invalidate();

    /** Returns the connection (keep) or closes it (short, or broken). Idempotent. */
    @Override
    void close();
}
