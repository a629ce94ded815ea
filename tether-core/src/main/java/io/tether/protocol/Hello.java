package io.tether.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The client's opening frame. Version 1 names the client; version 2 adds a credential, so that a client
 * without one still speaks version 1 and keeps working with servers of either version.
 *
 * <pre>
 * magic              u32  0x54455448 ("TETH")
 * version            u8   1 or 2
 * requested interval u32  milliseconds, 0 = the server's default
 * client id length   u8   1..255
 * client id          UTF-8, well formed, as {@link ClientIds} allows
 * credential length  u16  0..{@value #MAX_CREDENTIAL_BYTES}     (version 2 only)
 * credential         bytes, opaque to the protocol        (version 2 only)
 * </pre>
 *
 * <p>The credential is a secret: {@link #toString} never shows it.
 *
 * @param version           protocol version the client speaks
 * @param requestedInterval heartbeat interval the client asks for, in milliseconds (0 = server default)
 * @param clientId          the client's identity; a second connection with the same id replaces the first
 * @param credential        what proves the identity; empty for none, and always empty in version 1
 */
public record Hello(int version, long requestedInterval, String clientId, byte[] credential) {
    public static final int MAGIC = 0x54455448;
    /** The version of a HELLO without a credential, and the version every server understands. */
    public static final int PROTOCOL_VERSION = 1;
    /** The version of a HELLO that carries a credential. */
    public static final int CREDENTIAL_VERSION = 2;
    /** The most bytes a credential may have: room for a JSON Web Token with a certificate chain's worth of claims. */
    public static final int MAX_CREDENTIAL_BYTES = 4096;
    private static final int FIXED = 4 + 1 + 4 + 1;
    /** The largest payload a valid HELLO has: the fixed fields, the longest client id and the longest credential. */
    public static final int MAX_PAYLOAD = FIXED + ClientIds.MAX_BYTES + 2 + MAX_CREDENTIAL_BYTES;

    public Hello {
        ClientIds.require(clientId);
        if (requestedInterval < 0 || requestedInterval > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("requested interval out of range: " + requestedInterval);
        }
        credential = credential == null ? new byte[0] : credential.clone();
        if (credential.length > MAX_CREDENTIAL_BYTES) {
            throw new IllegalArgumentException("a credential of " + credential.length + " bytes; at most "
                    + MAX_CREDENTIAL_BYTES + " are allowed");
        }
        if (version == PROTOCOL_VERSION && credential.length > 0) {
            throw new IllegalArgumentException("a version 1 HELLO carries no credential");
        }
    }

    /** A version 1 HELLO: no credential. */
    public Hello(int version, long requestedInterval, String clientId) {
        this(version, requestedInterval, clientId, null);
    }

    /** The HELLO a client sends: version 1 without a credential, version 2 with one. */
    public static Hello of(long requestedInterval, String clientId, byte[] credential) {
        boolean none = credential == null || credential.length == 0;
        return new Hello(none ? PROTOCOL_VERSION : CREDENTIAL_VERSION, requestedInterval, clientId, credential);
    }

    /** A copy of the credential (empty for none). */
    @Override
    public byte[] credential() {
        return credential.clone();
    }

    public boolean hasCredential() {
        return credential.length > 0;
    }

    public ByteBuf encode(ByteBufAllocator alloc) {
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        boolean v2 = version >= CREDENTIAL_VERSION;
        int payload = FIXED + id.length + (v2 ? 2 + credential.length : 0);
        ByteBuf out = alloc.buffer(Frames.HEADER_LENGTH + payload);
        Frames.writeHeader(out, FrameType.HELLO, payload);
        out.writeInt(MAGIC);
        out.writeByte(version);
        out.writeInt((int) requestedInterval);
        out.writeByte(id.length);
        out.writeBytes(id);
        if (v2) {
            out.writeShort(credential.length);
            out.writeBytes(credential);
        }
        return out;
    }

    /** Parses a whole HELLO frame; every way it can be malformed is a {@link ProtocolException}. */
    public static Hello decode(ByteBuf frame) {
        if (Frames.type(frame) != FrameType.HELLO) {
            throw new ProtocolException("expected HELLO as the first frame, got " + describeType(frame));
        }
        Frames.requirePayload(frame, FIXED);
        int at = Frames.payloadOffset(frame);
        int magic = frame.getInt(at);
        if (magic != MAGIC) {
            throw new ProtocolException(String.format("bad handshake magic 0x%08x (expected 0x%08x)", magic, MAGIC));
        }
        int version = frame.getUnsignedByte(at + 4);
        if (version != PROTOCOL_VERSION && version != CREDENTIAL_VERSION) {
            throw new ProtocolException("unsupported protocol version " + version + "; this peer speaks "
                    + PROTOCOL_VERSION + " and " + CREDENTIAL_VERSION);
        }
        long interval = frame.getUnsignedInt(at + 5);
        int idLength = frame.getUnsignedByte(at + 9);
        int payload = Frames.payloadLength(frame);
        int afterId = FIXED + idLength;
        int credentialLength = 0;
        if (version == CREDENTIAL_VERSION && idLength > 0 && payload >= afterId + 2) {
            credentialLength = frame.getUnsignedShort(at + afterId);
            if (credentialLength > MAX_CREDENTIAL_BYTES) {
                throw new ProtocolException("bad handshake: a credential of " + credentialLength
                        + " bytes; at most " + MAX_CREDENTIAL_BYTES + " are allowed");
            }
        }
        int expected = afterId + (version == CREDENTIAL_VERSION ? 2 + credentialLength : 0);
        if (idLength == 0 || payload != expected) {
            throw new ProtocolException("bad handshake: client id length " + idLength
                    + (version == CREDENTIAL_VERSION ? " and credential length " + credentialLength + " do" : " does")
                    + " not match a payload of " + payload + " bytes");
        }
        String id = ClientIds.decode(frame.nioBuffer(at + FIXED, idLength));
        byte[] credential = new byte[credentialLength];
        if (credentialLength > 0) {
            frame.getBytes(at + afterId + 2, credential);
        }
        return new Hello(version, interval, id, credential);
    }

    static String describeType(ByteBuf frame) {
        FrameType type = Frames.type(frame);
        return type != null ? type.name() : String.format("type 0x%02x", Frames.typeCode(frame));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Hello that && version == that.version && requestedInterval == that.requestedInterval
                && clientId.equals(that.clientId) && Arrays.equals(credential, that.credential);
    }

    @Override
    public int hashCode() {
        return (clientId.hashCode() * 31 + Long.hashCode(requestedInterval)) * 31 + version;
    }

    @Override
    public String toString() {
        return "Hello[version=" + version + ", requestedInterval=" + requestedInterval + ", clientId=" + clientId
                + ", credential=" + credential.length + " bytes]";
    }
}
