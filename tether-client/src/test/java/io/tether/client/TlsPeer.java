package io.tether.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import io.tether.protocol.Hello;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * A TLS client a test drives one step at a time: the JDK's {@link SSLEngine} over a blocking socket, so the
 * test decides what goes out when, stops at any step of the handshake, sends raw bytes, or resets the
 * connection (an RST, not a FIN). Reads time out after 5 s so no test hangs.
 */
final class TlsPeer implements AutoCloseable {
    /** The points a test can stop at, in the order a connection passes them. */
    enum Step {
        /** TCP connected, no byte sent. */
        CONNECTED,
        /** Half of the ClientHello sent. */
        PART_OF_CLIENT_HELLO,
        /** The whole ClientHello sent, nothing read. */
        CLIENT_HELLO,
        /** The server's first flight read, the client's answer (its Finished) not sent. */
        SERVER_FLIGHT,
        /** The TLS handshake complete, no Tether frame sent. */
        HANDSHAKEN,
        /** HELLO sent, WELCOME not read. */
        HELLO_SENT,
        /** WELCOME read: the session is online. */
        WELCOMED
    }

    /** How the server ended the connection, as this peer saw it. */
    enum End { CLOSE_NOTIFY_THEN_EOF, EOF_WITHOUT_CLOSE_NOTIFY, RESET }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final SSLEngine engine;
    private final ByteBuffer netIn;
    private final ByteBuffer appIn;
    private final ByteBuf plain = Unpooled.buffer();
    private byte[] pendingClientHello;

    /** A client context trusting only the CA in {@code caPem}. */
    static SSLContext trusting(Path caPem) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream pem = Files.newInputStream(caPem)) {
            int i = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(pem)) {
                store.setCertificateEntry("ca" + i++, certificate);
            }
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /** Connects to 127.0.0.1:{@code port}; {@code protocols} are the TLS versions it offers ("TLSv1.3"…). */
    TlsPeer(int port, SSLContext context, String... protocols) throws IOException {
        socket = new Socket();
        socket.setSoTimeout(5000);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        engine = context.createSSLEngine("127.0.0.1", port);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        parameters.setProtocols(protocols.length > 0 ? protocols : new String[] {"TLSv1.3"});
        engine.setSSLParameters(parameters);
        netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        netIn.flip();
        appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
    }

    /** Goes through the connection's steps up to and including {@code stop}. */
    TlsPeer advanceTo(Step stop) throws IOException {
        if (stop == Step.CONNECTED) {
            return this;
        }
        byte[] clientHello = clientHello();
        if (stop == Step.PART_OF_CLIENT_HELLO) {
            sendRaw(Arrays.copyOf(clientHello, clientHello.length / 2));
            return this;
        }
        sendRaw(clientHello);
        pendingClientHello = null;
        if (stop == Step.CLIENT_HELLO) {
            return this;
        }
        if (!handshake(stop == Step.SERVER_FLIGHT)) {
            return this;
        }
        if (stop == Step.HANDSHAKEN) {
            return this;
        }
        send(new Hello(Hello.PROTOCOL_VERSION, 1000, "peer-" + socket.getLocalPort()).encode(UnpooledByteBufAllocator.DEFAULT));
        if (stop == Step.HELLO_SENT) {
            return this;
        }
        ByteBuf welcome = read();
        if (Frames.type(welcome) != FrameType.WELCOME) {
            throw new IOException("expected WELCOME, got " + Frames.type(welcome)
                    + (Frames.type(welcome) == FrameType.GOAWAY ? ": " + Frames.goAwayMessage(welcome) : ""));
        }
        return this;
    }

    /** The id {@link #advanceTo} says HELLO with. */
    String clientId() {
        return "peer-" + socket.getLocalPort();
    }

    /** The ClientHello's records, made once (the engine's first output), not yet sent. */
    byte[] clientHello() throws IOException {
        if (pendingClientHello == null) {
            engine.beginHandshake();
            pendingClientHello = wrap(ByteBuffer.allocate(0));
        }
        return pendingClientHello;
    }

    /**
     * Runs the handshake after the ClientHello was sent. With {@code stopAtFirstAnswer}, stops as soon as the
     * engine has read the server's flight and wants to answer, and returns false; else returns true when done.
     */
    private boolean handshake(boolean stopAtFirstAnswer) throws IOException {
        try {
            return handshakeSteps(stopAtFirstAnswer);
        } catch (SSLException e) { // as a TLS stack does: the alert that says why goes out first
            sendAlert();
            throw e;
        }
    }

    private boolean handshakeSteps(boolean stopAtFirstAnswer) throws IOException {
        boolean readSomething = false;
        for (int i = 0; i < 100; i++) {
            HandshakeStatus status = engine.getHandshakeStatus();
            switch (status) {
                case NEED_TASK -> {
                    for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
                        task.run();
                    }
                }
                case NEED_WRAP -> {
                    if (stopAtFirstAnswer && readSomething) {
                        return false;
                    }
                    sendRaw(wrap(ByteBuffer.allocate(0)));
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    unwrapOnce();
                    readSomething = true;
                }
                case FINISHED, NOT_HANDSHAKING -> {
                    return true;
                }
                default -> throw new IllegalStateException(status.toString());
            }
        }
        throw new IOException("TLS handshake not done in 100 steps");
    }

    /**
     * Starts a new handshake on the live connection (TLS 1.2 renegotiation) and runs it; true when it completed.
     * With {@code full}, the session is forgotten first, so the server cannot resume it and must do all the
     * public-key work of a first handshake again.
     */
    boolean renegotiate(boolean full) throws IOException {
        if (full) {
            engine.getSession().invalidate();
        }
        engine.beginHandshake();
        sendRaw(wrap(ByteBuffer.allocate(0)));
        return handshake(false);
    }

    private void sendAlert() {
        try {
            sendRaw(wrap(ByteBuffer.allocate(0)));
        } catch (IOException e) {
            // the server is gone already: nothing to tell it
        }
    }

    void send(ByteBuf frame) throws IOException {
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes);
        frame.release();
        sendRaw(wrap(ByteBuffer.wrap(bytes)));
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next Tether frame the server sent over TLS, whole (read it with {@link Frames}). */
    ByteBuf read() throws IOException {
        for (int i = 0; i < 1000 && !wholeFrame(); i++) {
            if (!unwrapOnce()) {
                throw new IOException("the server ended TLS (close_notify) before a whole frame");
            }
        }
        if (!wholeFrame()) {
            throw new IOException("no whole frame in 1000 records");
        }
        byte[] frame = new byte[Frames.HEADER_LENGTH + plain.getInt(plain.readerIndex() + Frames.LENGTH_OFFSET)];
        plain.readBytes(frame);
        plain.discardReadBytes();
        return Unpooled.wrappedBuffer(frame);
    }

    /** Reads frames until a GOAWAY, which it returns. */
    ByteBuf readGoAway() throws IOException {
        for (int i = 0; i < 1000; i++) {
            ByteBuf frame = read();
            if (Frames.type(frame) == FrameType.GOAWAY) {
                return frame;
            }
        }
        throw new IOException("no GOAWAY in 1000 frames");
    }

    /** Reads until the server's end and says how it ended; frames before it are skipped. */
    End readEnd() throws IOException {
        try {
            for (int i = 0; i < 1000; i++) {
                if (!unwrapOnce()) {
                    return socketEnd() ? End.CLOSE_NOTIFY_THEN_EOF : End.RESET;
                }
            }
            throw new IOException("the server did not end the connection in 1000 records");
        } catch (java.io.EOFException e) {
            return End.EOF_WITHOUT_CLOSE_NOTIFY;
        } catch (SocketException e) {
            return End.RESET;
        }
    }

    /** Whether the raw socket reaches end of stream (rather than a reset); times out after 5 s. */
    boolean socketEnd() throws IOException {
        try {
            for (int i = 0; i < 100_000; i++) {
                if (in.read() < 0) {
                    return true;
                }
            }
            throw new IOException("the server kept sending after TLS ended");
        } catch (SocketException e) {
            return false;
        }
    }

    /** Closes with an RST instead of a FIN, as the kernel does for a process that died with unread data. */
    void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        plain.release();
        socket.close();
    }

    private boolean wholeFrame() {
        return plain.readableBytes() >= Frames.HEADER_LENGTH
                && plain.readableBytes() >= Frames.HEADER_LENGTH + plain.getInt(plain.readerIndex() + Frames.LENGTH_OFFSET);
    }

    private byte[] wrap(ByteBuffer source) throws SSLException {
        ByteBuffer net = ByteBuffer.allocate(engine.getSession().getPacketBufferSize() * 4);
        for (int i = 0; i < 100; i++) {
            SSLEngineResult result = engine.wrap(source, net);
            if (result.getStatus() != SSLEngineResult.Status.OK || !source.hasRemaining()) {
                break;
            }
        }
        net.flip();
        byte[] bytes = new byte[net.remaining()];
        net.get(bytes);
        return bytes;
    }

    /**
     * Unwraps one record, reading from the socket as needed; what it carries joins the plaintext read so far.
     * Returns false when the server's close_notify arrived. An end of stream mid-record is an EOFException.
     */
    private boolean unwrapOnce() throws IOException {
        for (int i = 0; i < 10_000; i++) {
            SSLEngineResult result = engine.unwrap(netIn, appIn);
            appIn.flip();
            while (appIn.hasRemaining()) {
                plain.writeByte(appIn.get());
            }
            appIn.clear();
            switch (result.getStatus()) {
                case OK -> {
                    return true;
                }
                case CLOSED -> {
                    return false;
                }
                case BUFFER_UNDERFLOW -> fill();
                default -> throw new IOException("unwrap: " + result);
            }
        }
        throw new IOException("no whole record in 10,000 reads");
    }

    private void fill() throws IOException {
        netIn.compact();
        int n = in.read(netIn.array(), netIn.position(), netIn.remaining());
        if (n < 0) {
            netIn.flip();
            throw new java.io.EOFException("end of stream from the server mid-record");
        }
        netIn.position(netIn.position() + n);
        netIn.flip();
    }
}
