package io.tether.keeper.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.tether.internal.Failures;
import io.tether.internal.Tls;
import io.tether.keeper.EndpointConfig;
import io.tether.keeper.EndpointTls;
import io.tether.keeper.ProbeFailureKind;
import io.tether.keeper.ProbeKind;
import io.tether.keeper.ProbeSpec;
import io.tether.keeper.TcpKeepalive;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import io.tether.protocol.Hello;
import io.tether.protocol.ProtocolException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import jdk.net.ExtendedSocketOptions;

/** Opening upstream connections and probing them. Everything here blocks for at most its configured timeout. */
final class Connections {
    private static final AtomicLong TETHER_IDS = new AtomicLong();
    private static final int MAX_REPLY_LINE = 1024;

    private Connections() {
    }

    static SocketChannel connect(EndpointConfig config) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            tuneKeepalive(channel, config.keepalive());
            InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
            if (address.isUnresolved()) {
                // The channel would report this with no message at all; say which name did not resolve.
                throw new java.net.UnknownHostException(config.host());
            }
            channel.socket().connect(address, (int) config.connectTimeout().toMillis());
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Resolves the endpoint's host name, waiting at most its connect timeout (a resolver that does not answer
     * must not hold up the keeper's start). Returns {@code null} when it resolves, otherwise why not.
     */
    static String lookUp(EndpointConfig config, ExecutorService io) {
        Future<InetAddress> lookup = io.submit(() -> InetAddress.getByName(config.host()));
        long wait = config.connectTimeout().toMillis();
        try {
            lookup.get(wait, TimeUnit.MILLISECONDS);
            return null;
        } catch (ExecutionException e) {
            return describe(e.getCause());
        } catch (TimeoutException e) {
            lookup.cancel(true);
            return "looking up host " + config.host() + " took longer than the connect timeout of " + wait + " ms";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lookup.cancel(true);
            return "interrupted while looking up host " + config.host();
        }
    }

    /**
     * The TLS context an endpoint's connections use, or {@code null} for plain TCP. Its files were checked when
     * the configuration was built; one that has become unusable since fails here, when the keeper starts.
     */
    static SslContext tlsContext(EndpointConfig config) {
        EndpointTls tls = config.tls();
        if (tls == null) {
            return null;
        }
        try {
            return Tls.client(tls.ca(), tls.certificate(), tls.key());
        } catch (IOException e) {
            throw new IllegalArgumentException(config.name() + ": " + e.getMessage(), e);
        }
    }

    /**
     * A connection ready to lend: connected, past its TLS handshake if {@code tls} is not null (TCP and TLS
     * together within the connect timeout), and for the Tether probe past its HELLO.
     */
    static PooledConnection open(EndpointConfig config, SslContext tls) throws IOException {
        long deadline = System.nanoTime() + config.connectTimeout().toNanos();
        SocketChannel channel = connect(config);
        TlsConnection secured = null;
        try {
            long lifetime = config.maxLifetime().toNanos();
            long expires = 0;
            if (lifetime > 0) {
                // Up to 10 % earlier, so connections opened together do not all renew together.
                expires = System.nanoTime() + lifetime - ThreadLocalRandom.current().nextLong(lifetime / 10 + 1);
                expires = expires == 0 ? 1 : expires;
            }
            secured = tls != null ? TlsConnection.handshake(tls, config, channel, deadline) : null;
            PooledConnection connection = new PooledConnection(channel, secured, expires);
            if (config.probe().kind() == ProbeKind.TETHER) {
                tetherHandshake(connection, config);
            }
            return connection;
        } catch (IOException | RuntimeException e) {
            channel.close();
            if (secured != null) {
                secured.release();
            }
            throw e;
        }
    }

    /** Why connecting failed, in the words an operator expects ("connection refused", "unknown host: …"). */
    static String describe(Throwable e) {
        if (Failures.tls(e)) {
            return TlsConnection.explain(e);
        }
        String message = e.getMessage();
        if (e instanceof java.net.UnknownHostException) {
            return "unknown host: " + message; // the JDK's message is the host name, and the resolver's reason if it gave one
        }
        if (e instanceof java.net.ConnectException || e instanceof SocketTimeoutException) {
            return message != null ? message.toLowerCase(Locale.ROOT) : e.getClass().getSimpleName();
        }
        return e.getClass().getSimpleName() + (message != null ? ": " + message : "");
    }

    private static void tuneKeepalive(SocketChannel channel, TcpKeepalive keepalive) throws IOException {
        if (channel.supportedOptions().contains(ExtendedSocketOptions.TCP_KEEPIDLE)) {
            channel.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, (int) keepalive.idle().toSeconds());
            channel.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, (int) keepalive.interval().toSeconds());
            channel.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, keepalive.count());
        }
    }

    private static void tetherHandshake(PooledConnection c, EndpointConfig config) throws IOException {
        // A unique id per connection: several with one id would replace each other on the server.
        String id = "keeper/" + config.name() + "/" + ProcessHandle.current().pid() + "-" + TETHER_IDS.incrementAndGet();
        write(c.out, new Hello(Hello.PROTOCOL_VERSION, config.checkInterval().toMillis(), id)
                .encode(UnpooledByteBufAllocator.DEFAULT));
        int type = readFrameWithin(c, config.connectTimeout().toMillis());
        if (type != FrameType.WELCOME.code()) {
            throw new IOException("Tether server answered HELLO with " + name(type) + " instead of WELCOME");
        }
    }

    /**
     * Runs the endpoint's probe on a connection the caller owns. Returns {@code null} when the connection
     * is healthy, otherwise why it is not.
     */
    static ProbeFailure probe(PooledConnection c, EndpointConfig config) {
        return probe(c, config.probe(), config.probeTimeout());
    }

    /** Runs one probe on a connection the caller owns; {@code null} when the connection is healthy. */
    static ProbeFailure probe(PooledConnection c, ProbeSpec probe, Duration timeout) {
        try {
            return switch (probe.kind()) {
                case PEEK -> peek(c);
                case EXCHANGE -> exchange(c, probe, timeout);
                case TETHER -> tetherPing(c, timeout);
                case URGENT -> urgent(c);
            };
        } catch (SocketTimeoutException e) {
            return new ProbeFailure(ProbeFailureKind.TIMEOUT, probe + " probe got no answer within " + timeout.toMillis() + " ms");
        } catch (EOFException e) {
            return new ProbeFailure(ProbeFailureKind.CLOSED, PEER_CLOSED + " during the " + probe + " probe"
                    + (e.getMessage() != null ? " (" + e.getMessage() + ")" : ""));
        } catch (ProtocolException e) {
            return new ProbeFailure(ProbeFailureKind.BAD_REPLY, probe + " probe: " + e.getMessage());
        } catch (SSLException e) {
            return new ProbeFailure(ProbeFailureKind.TLS, probe + " probe: " + TlsConnection.explain(e));
        } catch (IOException e) {
            return new ProbeFailure(ProbeFailureKind.IO_ERROR, probe + " probe failed: " + e.getMessage());
        }
    }

    private static final String PEER_CLOSED = "the peer closed the connection";

    /**
     * Sends nothing: an idle healthy connection has nothing to read; a closed one reads end-of-stream. Over TLS,
     * what has arrived is decrypted first, so TLS's own messages (session tickets) do not count as bytes.
     */
    private static ProbeFailure peek(PooledConnection c) throws IOException {
        int read = c.tls != null ? c.tls.peek() : readNow(c.channel, ByteBuffer.allocate(1));
        if (read < 0) {
            return new ProbeFailure(ProbeFailureKind.CLOSED, PEER_CLOSED);
        }
        return read > 0 ? new ProbeFailure(ProbeFailureKind.UNEXPECTED_BYTES,
                "unexpected bytes on an idle connection (its protocol is out of step)") : null;
    }

    /** Reads what has already arrived on a blocking channel, without waiting: bytes read, or -1 at end of stream. */
    static int readNow(SocketChannel channel, ByteBuffer into) throws IOException {
        synchronized (channel.blockingLock()) {
            channel.configureBlocking(false);
            try {
                return channel.read(into);
            } finally {
                channel.configureBlocking(true);
            }
        }
    }

    private static ProbeFailure exchange(PooledConnection c, ProbeSpec probe, Duration timeout) throws IOException {
        byte[] expect = probe.expect();
        c.socket.setSoTimeout((int) timeout.toMillis());
        try {
            c.out.write(probe.send());
            c.out.flush();
            byte[] line = readLine(c.in);
            if (line == null) {
                return new ProbeFailure(ProbeFailureKind.CLOSED, PEER_CLOSED + " instead of answering the exchange probe");
            }
            if (!Arrays.equals(line, 0, Math.min(line.length, expect.length), expect, 0, expect.length)) {
                return new ProbeFailure(ProbeFailureKind.BAD_REPLY, "exchange probe expected a reply starting with '"
                        + printable(expect) + "' but got '" + printable(line) + "'");
            }
            return null;
        } finally {
            c.socket.setSoTimeout(0);
        }
    }

    private static ProbeFailure tetherPing(PooledConnection c, Duration timeout) throws IOException {
        write(c.out, Frames.ping(UnpooledByteBufAllocator.DEFAULT, (int) (System.nanoTime() / 1000), 0));
        int type = readFrameWithin(c, timeout.toMillis());
        return type == FrameType.PONG.code() ? null
                : new ProbeFailure(ProbeFailureKind.BAD_REPLY, "Tether server answered PING with " + name(type) + " instead of PONG");
    }

    private static ProbeFailure urgent(PooledConnection c) throws IOException {
        c.socket.sendUrgentData(0xFF);
        return null;
    }

    /**
     * Reads one whole Tether frame (discarding its payload) and returns its type code. A frame larger than
     * any answer to expect is a {@link ProtocolException}; a peer that closes mid-frame, an {@link EOFException}.
     */
    private static int readFrameWithin(PooledConnection c, long timeoutMillis) throws IOException {
        c.socket.setSoTimeout((int) Math.max(1, timeoutMillis));
        try {
            byte[] header = new byte[Frames.HEADER_LENGTH];
            int read = c.in.readNBytes(header, 0, header.length);
            if (read < header.length) {
                throw new EOFException("after " + read + " of the " + header.length + " bytes of a frame header");
            }
            ByteBuf frame = Unpooled.wrappedBuffer(header);
            int type = Frames.typeCode(frame);
            long length = frame.getUnsignedInt(Frames.LENGTH_OFFSET);
            if (length > Frames.DEFAULT_MAX_PAYLOAD) {
                throw new ProtocolException(name(type) + " frame of " + length
                        + " bytes is larger than any answer to expect");
            }
            try {
                c.in.skipNBytes(length);
            } catch (EOFException e) {
                throw new EOFException("in the payload of a " + length + "-byte " + name(type) + " frame");
            }
            return type;
        } finally {
            c.socket.setSoTimeout(0);
        }
    }

    /** "PONG", or "unknown frame type 0x2a". */
    private static String name(int typeCode) {
        FrameType type = FrameType.fromCode(typeCode);
        return type != null ? type.name() : String.format("unknown frame type 0x%02x", typeCode);
    }

    private static void write(OutputStream out, ByteBuf frame) throws IOException {
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes);
        frame.release();
        out.write(bytes);
        out.flush();
    }

    private static byte[] readLine(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        for (int b = in.read(); ; b = in.read()) {
            if (b < 0) {
                return line.size() == 0 ? null : line.toByteArray();
            }
            line.write(b);
            if (b == '\n' || line.size() >= MAX_REPLY_LINE) {
                return line.toByteArray();
            }
        }
    }

    private static String printable(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xff;
            out.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : c == '\r' ? "\\r" : c == '\n' ? "\\n"
                    : String.format("\\x%02x", c));
        }
        return out.toString();
    }
}
