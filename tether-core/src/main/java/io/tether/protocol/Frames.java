package io.tether.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * Layout constants and encoders for Tether frames.
 *
 * <pre>
 * offset 0  type    u8
 * offset 1  flags   u8   (0 in version 1)
 * offset 2  length  u32  big-endian, payload bytes after the header
 * offset 6  payload
 * </pre>
 *
 * Decoded frames are whole frames, header included; the accessors below read them in place so the
 * hot path never copies.
 */
public final class Frames {
    public static final int HEADER_LENGTH = 6;
    public static final int TYPE_OFFSET = 0;
    public static final int FLAGS_OFFSET = 1;
    public static final int LENGTH_OFFSET = 2;
    /** PING payload: sender's clock in microseconds (u32) and its last measured RTT in microseconds (u32). */
    public static final int PING_PAYLOAD_LENGTH = 8;
    public static final int CORRELATION_ID_LENGTH = 4;
    /** Default and hard upper bound for a frame's payload. */
    public static final int DEFAULT_MAX_PAYLOAD = 1 << 20;
    public static final int MAX_MAX_PAYLOAD = 16 << 20;

    private Frames() {
    }

    /** Validates a configured maximum payload; both ends refuse values outside 64 bytes .. 16 MiB. */
    public static int checkMaxPayload(int bytes) {
        if (bytes < 64 || bytes > MAX_MAX_PAYLOAD) {
            throw new IllegalArgumentException("max payload must be within 64.." + MAX_MAX_PAYLOAD + ", got " + bytes);
        }
        return bytes;
    }

    public static int typeCode(ByteBuf frame) {
        return frame.getUnsignedByte(frame.readerIndex() + TYPE_OFFSET);
    }

    public static FrameType type(ByteBuf frame) {
        return FrameType.fromCode(typeCode(frame));
    }

    public static int payloadLength(ByteBuf frame) {
        return frame.readableBytes() - HEADER_LENGTH;
    }

    public static int payloadOffset(ByteBuf frame) {
        return frame.readerIndex() + HEADER_LENGTH;
    }

    /** Copies the payload that starts {@code skip} bytes into the frame's payload. */
    public static byte[] payloadBytes(ByteBuf frame, int skip) {
        byte[] bytes = new byte[payloadLength(frame) - skip];
        frame.getBytes(payloadOffset(frame) + skip, bytes);
        return bytes;
    }

    /** Reads the correlation id at the start of a REQUEST, RESPONSE or ERROR payload. */
    public static int correlationId(ByteBuf frame) {
        requirePayload(frame, CORRELATION_ID_LENGTH);
        return frame.getInt(payloadOffset(frame));
    }

    /** Rewrites a PING frame into its PONG in place: same bytes, one different type byte. */
    public static void turnPingIntoPong(ByteBuf ping) {
        ping.setByte(ping.readerIndex() + TYPE_OFFSET, FrameType.PONG.code());
    }

    public static void requirePayload(ByteBuf frame, int atLeast) {
        if (payloadLength(frame) < atLeast) {
            throw new ProtocolException(type(frame) + " payload of " + payloadLength(frame)
                    + " bytes is shorter than the " + atLeast + " it needs");
        }
    }

    public static void writeHeader(ByteBuf out, FrameType type, int payloadLength) {
        out.writeByte(type.code());
        out.writeByte(0);
        out.writeInt(payloadLength);
    }

    public static ByteBuf ping(ByteBufAllocator alloc, int senderClockMicros, int lastRttMicros) {
        ByteBuf out = alloc.buffer(HEADER_LENGTH + PING_PAYLOAD_LENGTH);
        writeHeader(out, FrameType.PING, PING_PAYLOAD_LENGTH);
        out.writeInt(senderClockMicros);
        out.writeInt(lastRttMicros);
        return out;
    }

    public static ByteBuf data(ByteBufAllocator alloc, byte[] payload) {
        ByteBuf out = alloc.buffer(HEADER_LENGTH + payload.length);
        writeHeader(out, FrameType.DATA, payload.length);
        out.writeBytes(payload);
        return out;
    }

    public static ByteBuf request(ByteBufAllocator alloc, int correlationId, byte[] payload) {
        return correlated(alloc, FrameType.REQUEST, correlationId, payload);
    }

    public static ByteBuf response(ByteBufAllocator alloc, int correlationId, byte[] payload) {
        return correlated(alloc, FrameType.RESPONSE, correlationId, payload);
    }

    private static ByteBuf correlated(ByteBufAllocator alloc, FrameType type, int correlationId, byte[] payload) {
        ByteBuf out = alloc.buffer(HEADER_LENGTH + CORRELATION_ID_LENGTH + payload.length);
        writeHeader(out, type, CORRELATION_ID_LENGTH + payload.length);
        out.writeInt(correlationId);
        out.writeBytes(payload);
        return out;
    }

    public static ByteBuf error(ByteBufAllocator alloc, int correlationId, ErrorCode code, String message) {
        byte[] text = utf8(message);
        ByteBuf out = alloc.buffer(HEADER_LENGTH + 6 + text.length);
        writeHeader(out, FrameType.ERROR, 6 + text.length);
        out.writeInt(correlationId);
        out.writeShort(code.code());
        out.writeBytes(text);
        return out;
    }

    public static ByteBuf goAway(ByteBufAllocator alloc, CloseReason reason, String message) {
        byte[] text = utf8(message);
        ByteBuf out = alloc.buffer(HEADER_LENGTH + 2 + text.length);
        writeHeader(out, FrameType.GOAWAY, 2 + text.length);
        out.writeShort(reason.code());
        out.writeBytes(text);
        return out;
    }

    /** Reads ERROR's code (after the correlation id). */
    public static ErrorCode errorCode(ByteBuf frame) {
        requirePayload(frame, 6);
        return ErrorCode.fromCode(frame.getUnsignedShort(payloadOffset(frame) + CORRELATION_ID_LENGTH));
    }

    public static String errorMessage(ByteBuf frame) {
        return text(frame, 6);
    }

    public static CloseReason goAwayReason(ByteBuf frame) {
        requirePayload(frame, 2);
        return CloseReason.fromCode(frame.getUnsignedShort(payloadOffset(frame)));
    }

    public static String goAwayMessage(ByteBuf frame) {
        return text(frame, 2);
    }

    private static String text(ByteBuf frame, int skip) {
        int offset = payloadOffset(frame) + skip;
        return frame.toString(offset, frame.writerIndex() - offset, StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String message) {
        byte[] text = (message == null ? "" : message).getBytes(StandardCharsets.UTF_8);
        // A close reason is for humans and logs; keep it from bloating the frame.
        if (text.length > 1024) {
            byte[] cut = new byte[1024];
            System.arraycopy(text, 0, cut, 0, cut.length);
            return cut;
        }
        return text;
    }
}
