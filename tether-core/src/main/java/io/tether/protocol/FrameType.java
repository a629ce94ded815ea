package io.tether.protocol;

/**
 * Every frame type of the Tether wire protocol, with its one-byte code. See {@code docs/PROTOCOL.md}.
 */
public enum FrameType {
    /** Client to server, first frame on a connection: magic, version, requested interval, client id. */
    HELLO(0x01),
    /** Server to client, answer to HELLO: the interval and timeout the server enforces for this session. */
    WELCOME(0x02),
    /** Heartbeat. The payload (0 or 8 bytes) is echoed back verbatim in the PONG. */
    PING(0x03),
    /** Heartbeat answer carrying the PING's payload unchanged. */
    PONG(0x04),
    /** One-way application message. */
    DATA(0x05),
    /** Application request: correlation id, then payload. */
    REQUEST(0x06),
    /** Successful answer to a REQUEST with the same correlation id. */
    RESPONSE(0x07),
    /** Failure: correlation id (0 when not about a request), error code, UTF-8 message. */
    ERROR(0x08),
    /** The sender is about to close the connection: reason code and UTF-8 message. */
    GOAWAY(0x09);

    private static final FrameType[] BY_CODE = new FrameType[256];

    static {
        for (FrameType type : values()) {
            BY_CODE[type.code] = type;
        }
    }

    private final int code;

    FrameType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The type with this code, or {@code null} when the code is not part of the protocol. */
    public static FrameType fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
