package io.tether.bench.lab;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import io.tether.protocol.Hello;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The protocols the load tool can speak: just enough of each to open a session and exchange heartbeats,
 * so that the same load can be pointed at Tether, an MQTT broker, Redis, or a bare frame echo server.
 * Decoders turn replies into {@link Reply} constants, so a heartbeat costs the load tool no garbage.
 */
enum Wire {
    /** Tether: HELLO, WELCOME, then 14-byte PING frames answered by PONG. */
    TETHER(tetherPing()) {
        @Override
        ByteBuf greeting(String id, Duration interval) {
            return new Hello(Hello.PROTOCOL_VERSION, 0, id).encode(ByteBufAllocator.DEFAULT);
        }

        @Override
        ChannelHandler decoder() {
            return new FrameReplies(true);
        }
    },
    /** Tether's frame format without the handshake, as a hand-made Netty heartbeat server would speak it. */
    FRAMES(tetherPing()) {
        @Override
        ChannelHandler decoder() {
            return new FrameReplies(false);
        }
    },
    /** MQTT 3.1.1: CONNECT with a keep-alive of twice the interval, then PINGREQ / PINGRESP. */
    MQTT(new byte[] {(byte) 0xC0, 0}) {
        @Override
        ByteBuf greeting(String id, Duration interval) {
            byte[] clientId = id.getBytes(StandardCharsets.US_ASCII);
            int keepAliveSeconds = (int) Math.max(1, Math.min(65_535, interval.multipliedBy(2).toSeconds()));
            int remaining = 10 + 2 + clientId.length;
            ByteBuf out = ByteBufAllocator.DEFAULT.buffer(2 + remaining);
            out.writeByte(0x10).writeByte(remaining); // CONNECT; ids are short, so one length byte
            out.writeShort(4).writeBytes("MQTT".getBytes(StandardCharsets.US_ASCII));
            out.writeByte(4).writeByte(0x02).writeShort(keepAliveSeconds); // level 3.1.1, clean session
            out.writeShort(clientId.length).writeBytes(clientId);
            return out;
        }

        @Override
        ChannelHandler decoder() {
            return new MqttReplies();
        }
    },
    /** Redis: the PING command as clients send it (a RESP array), answered by +PONG. */
    REDIS("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII)) {
        @Override
        ChannelHandler decoder() {
            return new RedisReplies();
        }
    };

    private final ByteBuf ping;

    Wire(byte[] ping) {
        this.ping = Unpooled.unreleasableBuffer(Unpooled.directBuffer(ping.length).writeBytes(ping)).asReadOnly();
    }

    /** The bytes that open a session, or null when the protocol has no handshake. */
    ByteBuf greeting(String id, Duration interval) {
        return null;
    }

    /** A fresh decoder for one connection, producing {@link Reply} values. */
    abstract ChannelHandler decoder();

    /** One heartbeat, shared by every connection: a duplicate costs one small object, not a copy. */
    ByteBuf ping() {
        return ping.duplicate();
    }

    /** What a decoder reports. */
    enum Reply { READY, PONG, REFUSED, UNEXPECTED }

    private static byte[] tetherPing() {
        ByteBuf ping = Frames.ping(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, 0, 0);
        byte[] bytes = new byte[ping.readableBytes()];
        ping.readBytes(bytes);
        return bytes;
    }

    /** Tether frames: WELCOME opens, PONG answers; a PING from the server is answered in place. */
    private static final class FrameReplies extends LengthFieldBasedFrameDecoder {
        private final boolean handshake;

        FrameReplies(boolean handshake) {
            super(Frames.DEFAULT_MAX_PAYLOAD + Frames.HEADER_LENGTH, Frames.LENGTH_OFFSET, 4);
            this.handshake = handshake;
        }

        @Override
        protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
            ByteBuf frame = (ByteBuf) super.decode(ctx, in);
            if (frame == null) {
                return null;
            }
            int type = Frames.typeCode(frame);
            if (type == FrameType.PING.code()) {
                Frames.turnPingIntoPong(frame);
                ctx.writeAndFlush(frame);
                return null;
            }
            frame.release();
            if (type == FrameType.PONG.code()) {
                return Reply.PONG;
            }
            if (handshake && type == FrameType.WELCOME.code()) {
                return Reply.READY;
            }
            return type == FrameType.GOAWAY.code() || type == FrameType.ERROR.code() ? Reply.REFUSED : Reply.UNEXPECTED;
        }
    }

    /** MQTT control packets; only CONNACK and PINGRESP are expected. */
    private static final class MqttReplies extends ByteToMessageDecoder {
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            while (in.readableBytes() >= 2) {
                int start = in.readerIndex();
                int type = in.getUnsignedByte(start) >> 4;
                int remaining = in.getUnsignedByte(start + 1);
                if (remaining > 127) {
                    out.add(Reply.UNEXPECTED); // no packet this tool expects is that long
                    in.skipBytes(in.readableBytes());
                    return;
                }
                if (in.readableBytes() < 2 + remaining) {
                    return;
                }
                if (type == 2) { // CONNACK: the return code is the packet's last byte
                    out.add(remaining >= 2 && in.getByte(start + 3) == 0 ? Reply.READY : Reply.REFUSED);
                } else {
                    out.add(type == 13 ? Reply.PONG : Reply.UNEXPECTED);
                }
                in.skipBytes(2 + remaining);
            }
        }
    }

    /** Redis replies, one line each. */
    private static final class RedisReplies extends LineBasedFrameDecoder {
        RedisReplies() {
            super(4096);
        }

        @Override
        protected Object decode(ChannelHandlerContext ctx, ByteBuf buffer) throws Exception {
            ByteBuf line = (ByteBuf) super.decode(ctx, buffer);
            if (line == null) {
                return null;
            }
            try {
                int at = line.readerIndex();
                boolean pong = line.readableBytes() == 5 && line.getByte(at) == '+' && line.getByte(at + 1) == 'P'
                        && line.getByte(at + 2) == 'O' && line.getByte(at + 3) == 'N' && line.getByte(at + 4) == 'G';
                if (pong) {
                    return Reply.PONG;
                }
                return line.isReadable() && line.getByte(at) == '-' ? Reply.REFUSED : Reply.UNEXPECTED;
            } finally {
                line.release();
            }
        }
    }
}
