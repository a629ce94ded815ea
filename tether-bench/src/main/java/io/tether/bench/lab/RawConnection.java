package io.tether.bench.lab;

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
import java.time.Duration;

/**
 * One blocking connection of the hostile bench, with the few moves its attacks are made of. It always ends
 * with a reset (SO_LINGER 0): no FIN, so no TIME_WAIT uses up local ports however many attacks run.
 */
final class RawConnection implements AutoCloseable {
    /** Longest frame the bench reads back; the server sends nothing near it. */
    private static final int MAX_READ_PAYLOAD = 64 * 1024;
    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;

    private RawConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
    }

    static RawConnection open(InetSocketAddress target) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(target, 5_000);
            return new RawConnection(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** A refusal by the server where the bench expected to go on, named as {@link #answer} names it. */
    static final class Refused extends IOException {
        Refused(String answer) {
            super(answer);
        }
    }

    /** Writes all of {@code bytes}; false when the server had already closed the connection. */
    boolean send(byte[] bytes) {
        return send(bytes, 0, bytes.length);
    }

    boolean send(byte[] bytes, int offset, int length) {
        try {
            out.write(bytes, offset, length);
            out.flush();
            return true;
        } catch (IOException closed) {
            return false;
        }
    }

    /** Sends HELLO and reads WELCOME; any other answer is a {@link Refused}. */
    Welcome handshake(String clientId) throws IOException {
        if (!send(hello(clientId))) {
            throw new Refused("closed-while-sending");
        }
        ByteBuf frame = readFrame(5_000);
        if (frame == null) {
            throw new Refused("closed");
        }
        if (Frames.typeCode(frame) != FrameType.WELCOME.code()) {
            throw new Refused(describe(frame));
        }
        return Welcome.decode(frame);
    }

    /**
     * Reads what the server says within {@code wait}, and names it: the first GOAWAY's reason, else the
     * first ERROR's code, and otherwise {@code closed} (closed without a word), {@code reset} or {@code open}
     * (still open when the wait was over).
     */
    String answer(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        String said = null;
        for (int frames = 0; frames < 64; frames++) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                break;
            }
            ByteBuf frame;
            try {
                frame = readFrame((int) left);
            } catch (SocketTimeoutException quiet) {
                break;
            } catch (IOException e) {
                return said != null ? said : "reset";
            }
            if (frame == null) {
                return said != null ? said : "closed";
            }
            String described = describe(frame);
            if (described.startsWith("goaway") || said == null && described.startsWith("error")) {
                said = described;
            }
        }
        return said != null ? said : "open";
    }

    /** The next whole frame, or null at the end of the stream; {@code timeoutMillis} 0 waits for ever. */
    ByteBuf readFrame(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        int type = in.read();
        if (type < 0) {
            return null;
        }
        byte[] rest = new byte[Frames.HEADER_LENGTH - 1];
        in.readFully(rest);
        int length = ((rest[1] & 0xff) << 24) | ((rest[2] & 0xff) << 16) | ((rest[3] & 0xff) << 8) | (rest[4] & 0xff);
        if (length < 0 || length > MAX_READ_PAYLOAD) {
            throw new EOFException("the server sent a frame header announcing " + Integer.toUnsignedString(length) + " bytes");
        }
        byte[] payload = new byte[length];
        in.readFully(payload);
        return Unpooled.buffer(Frames.HEADER_LENGTH + length).writeByte(type).writeBytes(rest).writeBytes(payload);
    }

    /** Closes with a reset; never throws. */
    @Override
    public void close() {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException alreadyClosed) {
            // closing below is all that is left to do
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // a reset socket has nothing left to release
        }
    }

    /** A frame named for counting: {@code goaway.REASON}, {@code error.CODE}, or its type in lower case. */
    static String describe(ByteBuf frame) {
        int code = Frames.typeCode(frame);
        if (code == FrameType.GOAWAY.code() && Frames.payloadLength(frame) >= 2) {
            CloseReason reason = Frames.goAwayReason(frame);
            return "goaway." + (reason == null ? "code-" + frame.getUnsignedShort(Frames.payloadOffset(frame)) : reason);
        }
        if (code == FrameType.ERROR.code() && Frames.payloadLength(frame) >= 6) {
            return "error." + Frames.errorCode(frame);
        }
        FrameType type = FrameType.fromCode(code);
        return type == null ? "type-" + code : type.name().toLowerCase(java.util.Locale.ROOT);
    }

    static byte[] hello(String clientId) {
        return bytes(new Hello(Hello.PROTOCOL_VERSION, 0, clientId).encode(UnpooledByteBufAllocator.DEFAULT));
    }

    /** The readable bytes of {@code buffer}, which is released. */
    static byte[] bytes(ByteBuf buffer) {
        try {
            byte[] bytes = new byte[buffer.readableBytes()];
            buffer.readBytes(bytes);
            return bytes;
        } finally {
            buffer.release();
        }
    }
}
