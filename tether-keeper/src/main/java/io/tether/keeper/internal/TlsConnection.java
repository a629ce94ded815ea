package io.tether.keeper.internal;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.tether.internal.Failures;
import io.tether.internal.Tls;
import io.tether.keeper.EndpointConfig;
import io.tether.util.LogSafe;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * TLS over one blocking upstream connection: an {@link SSLEngine} between the socket's own streams, which honour
 * its read timeout, and the plaintext streams a lease hands out. Used by one owner at a time, as its connection
 * is ({@link PooledConnection}); the keeper's close may close the socket under it, which fails its I/O.
 *
 * <p>Between calls, {@code received} holds TLS bytes not yet decrypted and {@code plain} plaintext not yet
 * read, both ready to be read from (flipped).
 */
final class TlsConnection {
    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

    private final SSLEngine engine;
    private final SocketChannel channel;
    private final Socket socket;
    private final InputStream rawIn;
    private final OutputStream rawOut;
    private ByteBuffer received;
    private ByteBuffer plain;
    private ByteBuffer sending;
    private boolean inputEnded;
    private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
    final InputStream in = new PlainInput();
    final OutputStream out = new PlainOutput();

    private TlsConnection(SSLEngine engine, SocketChannel channel) throws IOException {
        this.engine = engine;
        this.channel = channel;
        this.socket = channel.socket();
        this.rawIn = socket.getInputStream();
        this.rawOut = socket.getOutputStream();
        int packet = engine.getSession().getPacketBufferSize();
        this.received = ByteBuffer.allocate(packet).flip();
        this.plain = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize()).flip();
        this.sending = ByteBuffer.allocate(packet);
    }

    /**
     * Completes a TLS handshake on a connected channel by {@code deadlineNanos} (what the connect timeout left),
     * checking that the server's certificate names the endpoint's host or its {@code tls.server-name}.
     *
     * @throws SSLHandshakeException saying why: a certificate not trusted or not naming the host, a server that
     *                               does not speak TLS, or one that did not finish in time
     */
    static TlsConnection handshake(SslContext context, EndpointConfig config, SocketChannel channel, long deadlineNanos)
            throws IOException {
        String name = config.tls().serverName() != null ? config.tls().serverName() : config.host();
        SSLEngine engine = Tls.clientEngine(context, ByteBufAllocator.DEFAULT, name, config.port());
        TlsConnection tls = null;
        try {
            tls = new TlsConnection(engine, channel);
            tls.handshake(deadlineNanos, config.connectTimeout().toMillis());
            return tls;
        } catch (IOException | RuntimeException e) {
            ReferenceCountUtil.release(engine);
            if (e instanceof SSLException && !(e instanceof SSLHandshakeException)) {
                throw (SSLHandshakeException) new SSLHandshakeException(Failures.tlsReason(e)).initCause(e);
            }
            throw e;
        }
    }

    /**
     * What TLS failed with, for people: the innermost reason (OpenSSL's own exception says only that the engine
     * had a problem), bounded and escaped, and what to do where that is clear.
     */
    static String explain(Throwable failure) {
        String what = Failures.tlsReason(failure);
        String hint = "";
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
                hint = " (the server's certificate is not signed by a CA this endpoint trusts: see tls.ca)";
            }
        }
        return (failure instanceof SSLHandshakeException ? "TLS handshake failed: " : "TLS failed: ")
                + LogSafe.text(what) + hint;
    }

    /**
     * Reads what arrived on an idle connection without waiting, and decrypts it: returns -1 if the peer ended
     * TLS or the connection, otherwise how many plaintext bytes are waiting (0 for a quiet connection). TLS's
     * own messages on the way, such as TLS 1.3 session tickets, are taken care of and count for nothing.
     */
    int peek() throws IOException {
        int read = receive(false);
        while (!plain.hasRemaining() && !inputEnded && decrypt()) {
            // each round takes one record
        }
        return plain.hasRemaining() ? plain.remaining() : inputEnded || read < 0 ? -1 : 0;
    }

    /** Releases the engine (OpenSSL's holds native memory) once; the caller closes the socket. */
    void release() {
        if (released.compareAndSet(false, true)) {
            ReferenceCountUtil.release(engine);
        }
    }

    private void handshake(long deadlineNanos, long timeoutMillis) throws IOException {
        engine.beginHandshake();
        long bytes = 0;
        try {
            for (;;) {
                switch (engine.getHandshakeStatus()) {
                    case NEED_TASK -> runTasks();
                    case NEED_WRAP -> send(NOTHING);
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                        // OpenSSL may report the handshake done on an unwrap that found no whole record: look again.
                        if (decrypt() || !needsUnwrap()) {
                            continue;
                        }
                        if (inputEnded) {
                            throw new SSLHandshakeException("the server closed the connection during the handshake"
                                    + " (after " + bytes + " bytes)");
                        }
                        long left = deadlineNanos - System.nanoTime();
                        if (left <= 0) {
                            throw new SocketTimeoutException();
                        }
                        socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
                        int read = receive(true);
                        if (read < 0) {
                            inputEnded = true;
                        } else {
                            bytes += read;
                        }
                    }
                    default -> { // FINISHED or NOT_HANDSHAKING
                        return;
                    }
                }
            }
        } catch (SocketTimeoutException e) {
            throw new SSLHandshakeException(bytes == 0
                    ? "no answer from the server within the connect timeout of " + timeoutMillis + " ms"
                    : "the server stopped answering after " + bytes + " bytes; not done within the connect timeout of "
                    + timeoutMillis + " ms");
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(0);
            }
        }
    }

    /**
     * Decrypts one record from what was received, if a whole one is there; returns whether it took one. Sends
     * what TLS asks to send in reply (a key update's), and marks the input ended at the peer's close_notify.
     */
    private boolean decrypt() throws IOException {
        SSLEngineResult result;
        plain.compact();
        try {
            result = engine.unwrap(received, plain);
            while (result.getStatus() == Status.BUFFER_OVERFLOW) {
                plain.flip();
                plain = grown(plain, plain.remaining() + engine.getSession().getApplicationBufferSize()).compact();
                result = engine.unwrap(received, plain);
            }
        } finally {
            plain.flip();
        }
        if (result.getStatus() == Status.CLOSED) {
            inputEnded = true;
            return false;
        }
        if (result.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
            runTasks();
        }
        while (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP && !engine.isOutboundDone()) {
            send(NOTHING);
        }
        return result.getStatus() != Status.BUFFER_UNDERFLOW; // if it is, receive() makes room for the rest of the record
    }

    /**
     * Reads more TLS bytes from the socket: waiting (up to the socket's read timeout), or only what has already
     * arrived. Returns how many, or -1 at end of stream.
     */
    private int receive(boolean wait) throws IOException {
        received.compact();
        try {
            if (!received.hasRemaining()) {
                received.flip();
                received = grown(received, received.capacity() * 2);
                received.compact();
            }
            if (!wait) {
                return Connections.readNow(channel, received);
            }
            int read = rawIn.read(received.array(), received.arrayOffset() + received.position(), received.remaining());
            if (read > 0) {
                received.position(received.position() + read);
            }
            return read;
        } finally {
            received.flip();
        }
    }

    /** Encrypts all of {@code data} (nothing, for a handshake message or a reply TLS owes) and writes it out. */
    private void send(ByteBuffer data) throws IOException {
        do {
            sending.clear();
            SSLEngineResult result = engine.wrap(data, sending);
            while (result.getStatus() == Status.BUFFER_OVERFLOW) {
                sending = ByteBuffer.allocate(Math.max(sending.capacity() * 2, engine.getSession().getPacketBufferSize()));
                result = engine.wrap(data, sending);
            }
            if (result.getStatus() == Status.CLOSED && result.bytesProduced() == 0) {
                throw new SSLException("TLS on this connection was closed");
            }
            rawOut.write(sending.array(), sending.arrayOffset(), sending.position());
            if (result.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                runTasks();
            }
        } while (data.hasRemaining());
    }

    private boolean needsUnwrap() {
        HandshakeStatus status = engine.getHandshakeStatus();
        return status == HandshakeStatus.NEED_UNWRAP || status == HandshakeStatus.NEED_UNWRAP_AGAIN;
    }

    private void runTasks() {
        for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
            task.run();
        }
    }

    /** A buffer of at least {@code size} bytes holding what {@code buffer} (flipped) held, flipped likewise. */
    private static ByteBuffer grown(ByteBuffer buffer, int size) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(size, buffer.remaining() + 1));
        bigger.put(buffer);
        return bigger.flip();
    }

    private final class PlainInput extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            while (!plain.hasRemaining()) {
                if (inputEnded) {
                    return -1;
                }
                if (!decrypt() && !inputEnded && receive(true) < 0) {
                    inputEnded = true; // closed without close_notify: the stream ends all the same
                }
            }
            int n = Math.min(len, plain.remaining());
            plain.get(b, off, n);
            return n;
        }

        @Override
        public int available() {
            return plain.remaining();
        }
    }

    private final class PlainOutput extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            send(ByteBuffer.wrap(new byte[] {(byte) b}));
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            send(ByteBuffer.wrap(b, off, len));
        }
    }
}
