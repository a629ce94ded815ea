package io.tether.keeper.internal;

import io.tether.keeper.Lease;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;

/**
 * A lease over one connection. Its streams notice I/O errors, so a connection that failed a borrower is
 * retired rather than lent to the next one.
 */
final class LeaseImpl implements Lease {
    /** What happens to the connection when the lease ends. */
    interface Ending {
        void end(LeaseImpl lease, boolean broken, String why);
    }

    final PooledConnection connection;
    private final String endpoint;
    private final Ending ending;
    private InputStream input;
    private OutputStream output;
    private volatile boolean closed;
    private boolean broken;
    private String brokenBecause;
    private boolean timeoutChanged;
    volatile ScheduledFuture<?> leakWatch;

    LeaseImpl(String endpoint, PooledConnection connection, Ending ending) {
        this.endpoint = endpoint;
        this.connection = connection;
        this.ending = ending;
    }

    @Override
    public String endpoint() {
        return endpoint;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return connection.remote;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) connection.socket.getLocalSocketAddress();
    }

    @Override
    public InputStream input() throws IOException {
        open();
        if (input == null) {
            input = new GuardedInput();
        }
        return input;
    }

    @Override
    public OutputStream output() throws IOException {
        open();
        if (output == null) {
            output = new GuardedOutput();
        }
        return output;
    }

    @Override
    public void setReadTimeout(Duration timeout) throws IOException {
        open();
        timeoutChanged = true;
        connection.socket.setSoTimeout((int) timeout.toMillis());
    }

    @Override
    public void invalidate() {
        broken("invalidated by the borrower");
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ScheduledFuture<?> watch = leakWatch;
        if (watch != null) {
            watch.cancel(false);
        }
        if (timeoutChanged && !broken) {
            try {
                connection.socket.setSoTimeout(0);
            } catch (IOException e) {
                broken("could not reset its read timeout: " + e.getMessage());
            }
        }
        ending.end(this, broken, brokenBecause);
    }

    boolean isClosed() {
        return closed;
    }

    private void open() throws IOException {
        if (closed) {
            throw new IOException("this lease of " + endpoint + " was already closed");
        }
    }

    private void broken(String why) {
        if (!broken) {
            broken = true;
            brokenBecause = why;
        }
    }

    private IOException failed(IOException e) {
        // A read timeout the borrower asked for leaves the stream in an unknown place too: retire it.
        broken("I/O error: " + e.getMessage());
        return e;
    }

    private final class GuardedInput extends InputStream {
        @Override
        public int read() throws IOException {
            open();
            try {
                return endOfStreamBreaks(connection.in.read());
            } catch (IOException e) {
                throw failed(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            open();
            try {
                return endOfStreamBreaks(connection.in.read(b, off, len));
            } catch (IOException e) {
                throw failed(e);
            }
        }

        /** The peer closed its side: nothing more can be read, so the connection must not be lent again. */
        private int endOfStreamBreaks(int read) {
            if (read < 0) {
                broken("the peer closed the connection");
            }
            return read;
        }

        @Override
        public int available() throws IOException {
            open();
            return connection.in.available();
        }

        @Override
        public void close() {
            LeaseImpl.this.close();
        }
    }

    private final class GuardedOutput extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            open();
            try {
                connection.out.write(b);
            } catch (IOException e) {
                throw failed(e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            open();
            try {
                connection.out.write(b, off, len);
            } catch (IOException e) {
                throw failed(e);
            }
        }

        @Override
        public void flush() throws IOException {
            open();
            try {
                connection.out.flush();
            } catch (IOException e) {
                throw failed(e);
            }
        }

        @Override
        public void close() {
            LeaseImpl.this.close();
        }
    }
}
