package io.tether.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import io.tether.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {

    @Test
    void reassemblesFramesDeliveredOneByteAtATime() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(1024));
        ByteBuf wire = Unpooled.buffer();
        wire.writeBytes(Frames.data(UnpooledByteBufAllocator.DEFAULT, new byte[] {1, 2, 3}));
        wire.writeBytes(Frames.ping(UnpooledByteBufAllocator.DEFAULT, 5, 6));
        while (wire.isReadable()) {
            channel.writeInbound(wire.readRetainedSlice(1));
        }
        ByteBuf data = channel.readInbound();
        ByteBuf ping = channel.readInbound();

        assertThat(Frames.type(data)).isEqualTo(FrameType.DATA);
        assertThat(Frames.payloadBytes(data, 0)).containsExactly(1, 2, 3);
        assertThat(Frames.type(ping)).isEqualTo(FrameType.PING);
        assertThat(channel.<Object>readInbound()).isNull();
        data.release();
        ping.release();
        wire.release();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void unknownTypeIsRejectedFromItsFirstByte() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(1024));
        assertThatThrownBy(() -> channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x47})))
                .isInstanceOf(DecoderException.class).cause().isInstanceOf(ProtocolException.class)
                .hasMessage("unknown frame type 0x47");
    }

    @Test
    void oversizedLengthIsRejectedBeforeThePayloadArrives() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(1024));
        assertThatThrownBy(() -> channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {5, 0, 0, 0, 4, 1})))
                .cause().hasMessage("frame length 1025 exceeds the maximum payload of 1024 bytes");
        // Once broken, the connection's further bytes are ignored rather than misread as frames.
        channel.writeInbound(Frames.ping(UnpooledByteBufAllocator.DEFAULT, 1, 1));
        assertThat(channel.<Object>readInbound()).isNull();
    }

    @Test
    void describesAFrameThatStoppedArriving() {
        FrameDecoder decoder = new FrameDecoder(1024);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        assertThat(decoder.partialFrame()).isNull();
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {5, 0, 0, 0, 0, 10, 1, 2}));
        assertThat(decoder.partialFrame()).isEqualTo("stalled mid-frame after 8 of 16 bytes of a DATA frame");
        channel.finishAndReleaseAll();
    }
}
