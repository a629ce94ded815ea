package io.tether.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The server's answer to HELLO: the heartbeat it enforces for this session.
 *
 * <pre>
 * version      u8   the version of the HELLO it answers
 * interval     u32  milliseconds between client heartbeats when otherwise idle
 * timeout      u32  milliseconds of silence after which the server declares the client offline
 * max payload  u32  largest frame payload the server accepts
 * session id   u64  unique per server process
 * </pre>
 */
public record Welcome(int version, long intervalMillis, long timeoutMillis, int maxPayload, long sessionId) {
    public static final int PAYLOAD_LENGTH = 21;

    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(Frames.HEADER_LENGTH + PAYLOAD_LENGTH);
        Frames.writeHeader(out, FrameType.WELCOME, PAYLOAD_LENGTH);
        out.writeByte(version);
        out.writeInt((int) intervalMillis);
        out.writeInt((int) timeoutMillis);
        out.writeInt(maxPayload);
        out.writeLong(sessionId);
        return out;
    }

    public static Welcome decode(ByteBuf frame) {
        if (Frames.type(frame) != FrameType.WELCOME) {
            throw new ProtocolException("expected WELCOME in answer to HELLO, got " + Hello.describeType(frame));
        }
        if (Frames.payloadLength(frame) != PAYLOAD_LENGTH) {
            throw new ProtocolException("WELCOME payload must be " + PAYLOAD_LENGTH + " bytes, got "
                    + Frames.payloadLength(frame));
        }
        int at = Frames.payloadOffset(frame);
        int version = frame.getUnsignedByte(at);
        if (version != Hello.PROTOCOL_VERSION && version != Hello.CREDENTIAL_VERSION) {
            throw new ProtocolException("server answered with protocol version " + version);
        }
        long interval = frame.getUnsignedInt(at + 1);
        long timeout = frame.getUnsignedInt(at + 5);
        if (interval == 0 || timeout == 0) {
            throw new ProtocolException("WELCOME with zero interval or timeout");
        }
        long maxPayload = frame.getUnsignedInt(at + 9);
        if (maxPayload < 64 || maxPayload > Frames.MAX_MAX_PAYLOAD) {
            throw new ProtocolException("WELCOME announces a maximum payload of " + maxPayload + " bytes; it must be"
                    + " within 64.." + Frames.MAX_MAX_PAYLOAD);
        }
        return new Welcome(version, interval, timeout, (int) maxPayload, frame.getLong(at + 13));
    }
}
