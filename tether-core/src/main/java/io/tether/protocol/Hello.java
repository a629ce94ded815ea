package io.tether.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The client's opening frame.
 *
 * <pre>
 * magic              u32  0x54455448 ("TETH")
 * version            u8   1
 * requested interval u32  milliseconds, 0 = the server's default
 * client id length   u8   1..255
 * client id          UTF-8, well formed, as {@link ClientIds} allows
 * </pre>
 *
 * @param version           protocol version the client speaks
 * @param requestedInterval heartbeat interval the client asks for, in milliseconds (0 = server default)
 * @param clientId          the client's identity; a second connection with the same id replaces the first
 */
public record Hello(int version, long requestedInterval, String clientId) {
    public static final int MAGIC = 0x54455448;
    public static final int PROTOCOL_VERSION = 1;
    /** The largest payload a valid HELLO has: the fixed fields and a client id of the most bytes allowed. */
    public static final int MAX_PAYLOAD = 10 + ClientIds.MAX_BYTES;

    public Hello {
        ClientIds.require(clientId);
        if (requestedInterval < 0 || requestedInterval > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("requested interval out of range: " + requestedInterval);
        }
    }

    public ByteBuf encode(ByteBufAllocator alloc) {
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        int payload = 4 + 1 + 4 + 1 + id.length;
        ByteBuf out = alloc.buffer(Frames.HEADER_LENGTH + payload);
        Frames.writeHeader(out, FrameType.HELLO, payload);
        out.writeInt(MAGIC);
        out.writeByte(version);
        out.writeInt((int) requestedInterval);
        out.writeByte(id.length);
        out.writeBytes(id);
        return out;
    }

    /** Parses a whole HELLO frame; every way it can be malformed is a {@link ProtocolException}. */
    public static Hello decode(ByteBuf frame) {
        if (Frames.type(frame) != FrameType.HELLO) {
            throw new ProtocolException("expected HELLO as the first frame, got " + describeType(frame));
        }
        Frames.requirePayload(frame, 10);
        int at = Frames.payloadOffset(frame);
        int magic = frame.getInt(at);
        if (magic != MAGIC) {
            throw new ProtocolException(String.format("bad handshake magic 0x%08x (expected 0x%08x)", magic, MAGIC));
        }
        int version = frame.getUnsignedByte(at + 4);
        if (version != PROTOCOL_VERSION) {
            throw new ProtocolException("unsupported protocol version " + version + "; this peer speaks "
                    + PROTOCOL_VERSION);
        }
        long interval = frame.getUnsignedInt(at + 5);
        int idLength = frame.getUnsignedByte(at + 9);
        if (idLength == 0 || Frames.payloadLength(frame) != 10 + idLength) {
            throw new ProtocolException("bad handshake: client id length " + idLength + " does not match a payload of "
                    + Frames.payloadLength(frame) + " bytes");
        }
        String id = ClientIds.decode(frame.nioBuffer(at + 10, idLength));
        return new Hello(version, interval, id);
    }

    static String describeType(ByteBuf frame) {
        FrameType type = Frames.type(frame);
        return type != null ? type.name() : String.format("type 0x%02x", Frames.typeCode(frame));
    }
}
