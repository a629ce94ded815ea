package io.tether.bench.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import io.tether.protocol.Hello;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WireTest {

    @Test
    void mqttConnectIsAValidConnectPacketWithTwiceTheIntervalAsKeepAlive() {
        ByteBuf connect = Wire.MQTT.greeting("l-7", Duration.ofSeconds(1));
        assertThat(connect.readUnsignedByte()).isEqualTo((short) 0x10);
        assertThat(connect.readUnsignedByte()).isEqualTo((short) connect.readableBytes());
        assertThat(connect.readCharSequence(connect.readUnsignedShort(), StandardCharsets.US_ASCII).toString()).isEqualTo("MQTT");
        assertThat(connect.readByte()).isEqualTo((byte) 4);
        assertThat(connect.readByte()).isEqualTo((byte) 0x02);
        assertThat(connect.readUnsignedShort()).isEqualTo(2);
        assertThat(connect.readCharSequence(connect.readUnsignedShort(), StandardCharsets.US_ASCII).toString()).isEqualTo("l-7");
        assertThat(connect.isReadable()).isFalse();
        connect.release();
    }

    @Test
    void mqttRepliesAreRecognisedEvenWhenSplitAcrossReads() {
        EmbeddedChannel channel = new EmbeddedChannel(Wire.MQTT.decoder());
        channel.writeInbound(bytes(0x20, 0x02, 0x00));
        assertThat((Object) channel.readInbound()).isNull();
        channel.writeInbound(bytes(0x00, 0xD0));
        assertThat((Object) channel.readInbound()).isEqualTo(Wire.Reply.READY);
        channel.writeInbound(bytes(0x00));
        assertThat((Object) channel.readInbound()).isEqualTo(Wire.Reply.PONG);
        channel.writeInbound(bytes(0x20, 0x02, 0x00, 0x05)); // CONNACK: not authorised
        assertThat((Object) channel.readInbound()).isEqualTo(Wire.Reply.REFUSED);
        channel.finishAndReleaseAll();
    }

    @Test
    void redisPongAndErrorsAreTold() {
        EmbeddedChannel channel = new EmbeddedChannel(Wire.REDIS.decoder());
        channel.writeInbound(Unpooled.copiedBuffer("+PONG\r\n-ERR max clients\r\n+OK\r\n", StandardCharsets.US_ASCII));
        assertThat((Object) channel.readInbound()).isEqualTo(Wire.Reply.PONG);
        assertThat((Object) channel.readInbound()).isEqualTo(Wire.Reply.REFUSED);
        assertThat((Object) channel.readInbound()).isEqualTo(Wire.Reply.UNEXPECTED);
        channel.finishAndReleaseAll();
    }

    @Test
    void tetherFramesAnswerTheServersPingAndReportPongAndGoAway() {
        EmbeddedChannel channel = new EmbeddedChannel(Wire.TETHER.decoder());
        channel.writeInbound(Frames.ping(channel.alloc(), 5, 6));
        ByteBuf answer = channel.readOutbound();
        assertThat(Frames.type(answer)).isEqualTo(FrameType.PONG);
        answer.release();

        ByteBuf pong = Frames.ping(channel.alloc(), 1, 2);
        Frames.turnPingIntoPong(pong);
        channel.writeInbound(pong);
        assertThat((Object) channel.readInbound()).isEqualTo(Wire.Reply.PONG);
        channel.writeInbound(Frames.goAway(channel.alloc(), io.tether.protocol.CloseReason.KICKED, "bye"));
        assertThat((Object) channel.readInbound()).isEqualTo(Wire.Reply.REFUSED);
        channel.finishAndReleaseAll();
    }

    @Test
    void everyWireSharesOneConstantPingAndOnlyTetherAndMqttGreet() {
        for (Wire wire : Wire.values()) {
            ByteBuf first = wire.ping();
            ByteBuf second = wire.ping();
            assertThat(first).isEqualTo(second);
            assertThat(first.readableBytes()).isPositive();
        }
        assertThat(Wire.TETHER.greeting("a", Duration.ofSeconds(1)).getInt(Frames.HEADER_LENGTH)).isEqualTo(Hello.MAGIC);
        assertThat(Wire.REDIS.greeting("a", Duration.ofSeconds(1))).isNull();
        assertThat(Wire.FRAMES.greeting("a", Duration.ofSeconds(1))).isNull();
    }

    private static ByteBuf bytes(int... values) {
        ByteBuf buf = Unpooled.buffer(values.length);
        for (int v : values) {
            buf.writeByte(v);
        }
        return buf;
    }
}
