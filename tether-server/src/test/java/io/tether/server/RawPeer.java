package io.tether.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tether.protocol.CloseReason;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import io.tether.protocol.Hello;
import io.tether.protocol.Welcome;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A client written against the wire protocol with a plain blocking socket, so a test can send exactly the
 * bytes it wants — good ones, bad ones, or none at all. Reads time out after 5 s so no test hangs.
 */
final class RawPeer implements AutoCloseable {
    record Frame(FrameType type, byte[] payload) {
        CloseReason goAwayReason() {
            return CloseReason.fromCode(((payload[0] & 0xff) << 8) | (payload[1] & 0xff));
        }

        String goAwayMessage() {
            return new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
        }
    }

    final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawPeer(InetSocketAddress server) throws IOException {
        this(server, 0);
    }

    RawPeer(InetSocketAddress server, int receiveBuffer) throws IOException {
        this(server, receiveBuffer, null);
    }

    /** Connects from {@code local} (another loopback address, say), or from any address when null. */
    RawPeer(InetSocketAddress server, int receiveBuffer, java.net.InetAddress local) throws IOException {
        socket = new Socket();
        if (local != null) {
            socket.bind(new InetSocketAddress(local, 0));
        }
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.setSoTimeout(5000);
        socket.connect(new InetSocketAddress("127.0.0.1", server.getPort()), 5000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    int localPort() {
        return socket.getLocalPort();
    }

    Welcome hello(String clientId, long intervalMillis) throws IOException {
        send(new Hello(Hello.PROTOCOL_VERSION, intervalMillis, clientId).encode(UnpooledByteBufAllocator.DEFAULT));
        Frame frame = read();
        if (frame.type() != FrameType.WELCOME) {
            throw new IOException("expected WELCOME, got " + frame.type()
                    + (frame.type() == FrameType.GOAWAY ? ": " + frame.goAwayMessage() : ""));
        }
        ByteBuf whole = Unpooled.buffer();
        Frames.writeHeader(whole, FrameType.WELCOME, frame.payload().length);
        whole.writeBytes(frame.payload());
        return Welcome.decode(whole);
    }

    /** Says a version 2 HELLO that carries {@code credential}; reading the answer is the caller's. */
    void helloWith(String clientId, long intervalMillis, byte[] credential) throws IOException {
        send(new Hello(Hello.CREDENTIAL_VERSION, intervalMillis, clientId, credential).encode(UnpooledByteBufAllocator.DEFAULT));
    }

    void ping(int clockMicros, int lastRttMicros) throws IOException {
        send(Frames.ping(UnpooledByteBufAllocator.DEFAULT, clockMicros, lastRttMicros));
    }

    void send(ByteBuf frame) throws IOException {
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes);
        frame.release();
        sendRaw(bytes);
    }

    synchronized void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Whether at least a frame header is already waiting to be read, without blocking. */
    boolean hasFrameWaiting() throws IOException {
        return in.available() >= Frames.HEADER_LENGTH;
    }

    Frame read() throws IOException {
        int type = in.readUnsignedByte();
        in.readUnsignedByte();
        int length = in.readInt();
        byte[] payload = new byte[length];
        in.readFully(payload);
        return new Frame(FrameType.fromCode(type), payload);
    }

    /** Reads frames until a GOAWAY, which it returns; then the server must close the connection. */
    Frame readGoAway() throws IOException {
        for (int i = 0; i < 1000; i++) {
            Frame frame = read();
            if (frame.type() == FrameType.GOAWAY) {
                return frame;
            }
        }
        throw new IOException("no GOAWAY in 1000 frames");
    }

    /** True when the server has closed the connection (EOF or reset), false if data is still coming. */
    boolean isClosedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (EOFException | SocketTimeoutException e) {
            return e instanceof EOFException;
        } catch (IOException reset) {
            return true;
        }
    }

    /** Closes with an RST instead of a FIN, as the kernel does for a process that died with unread data. */
    void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
