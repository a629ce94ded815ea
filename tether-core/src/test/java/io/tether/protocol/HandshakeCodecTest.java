package io.tether.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HandshakeCodecTest {
    private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    @Test
    void helloAndWelcomeRoundTrip() {
        Hello hello = new Hello(1, 60_000, "ünïcode-client");
        assertThat(Hello.decode(hello.encode(ALLOC))).isEqualTo(hello);
        Welcome welcome = new Welcome(1, 10_000, 30_000, 1 << 20, Long.MAX_VALUE);
        assertThat(Welcome.decode(welcome.encode(ALLOC))).isEqualTo(welcome);
    }

    @Test
    void clientIdRulesAreEnforcedOnBothSides() {
        assertThatThrownBy(() -> new Hello(1, 0, " ")).hasMessageContaining("blank");
        assertThatThrownBy(() -> new Hello(1, 0, "x".repeat(256))).hasMessageContaining("255");
        ByteBuf withControl = new Hello(1, 0, "ab").encode(ALLOC);
        withControl.setByte(withControl.writerIndex() - 1, 0x07);
        assertThatThrownBy(() -> Hello.decode(withControl)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("control character U+0007");
    }

    /** Defect: malformed UTF-8 became U+FFFD, so {@code dev\xff} and {@code dev\xfe} were the same client. */
    @ParameterizedTest
    @ValueSource(strings = {"ff", "fe", "c0af", "e282", "eda080", "f4908080"})
    void malformedUtf8IdsAreRefusedNotReplaced(String badHex) {
        ByteBuf hello = helloWithIdBytes(concat("dev".getBytes(StandardCharsets.UTF_8), HexFormat.of().parseHex(badHex)));
        assertThatThrownBy(() -> Hello.decode(hello)).isInstanceOf(ProtocolException.class)
                .hasMessage("bad handshake: client id is not valid UTF-8");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\u2028b", "a\u2029b", "user\u202Egnp.exe", "a\u200Db", "\uFEFFa", "a\u0085b", "a\u007Fb"})
    void separatorsFormatAndControlCharactersAreRefusedOnBothSides(String id) {
        assertThatThrownBy(() -> new Hello(1, 0, id)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("client id has the");
        ByteBuf hello = helloWithIdBytes(id.getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> Hello.decode(hello)).isInstanceOf(ProtocolException.class)
                .hasMessageStartingWith("bad handshake: client id has the");
    }

    @Test
    void wellFormedIdsOfEveryWidthAreKept() {
        for (String id : new String[] {"alice", "ünïcode", "设备-7", "sensor-\uD83D\uDE00", "é".repeat(127)}) {
            assertThat(ClientIds.problem(id)).as(id).isNull();
            assertThat(Hello.decode(new Hello(1, 0, id).encode(ALLOC)).clientId()).isEqualTo(id);
        }
        assertThat(ClientIds.problem("é".repeat(128))).isEqualTo("client id is 256 UTF-8 bytes, more than 255");
        assertThat(ClientIds.problem("a\uD800")).startsWith("client id has an unpaired surrogate");
    }

    private static ByteBuf helloWithIdBytes(byte[] id) {
        ByteBuf frame = ALLOC.buffer();
        Frames.writeHeader(frame, FrameType.HELLO, 10 + id.length);
        frame.writeInt(Hello.MAGIC).writeByte(Hello.PROTOCOL_VERSION).writeInt(0).writeByte(id.length).writeBytes(id);
        return frame;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 63, (16 << 20) + 1, 0x80000000L, 0xFFFFFFFFL})
    void welcomeWithAMaximumPayloadOutOfRangeIsRejected(long maxPayload) {
        ByteBuf welcome = new Welcome(1, 1000, 3000, 1024, 1).encode(ALLOC);
        welcome.setInt(Frames.HEADER_LENGTH + 9, (int) maxPayload);
        assertThatThrownBy(() -> Welcome.decode(welcome)).isInstanceOf(ProtocolException.class)
                .hasMessage("WELCOME announces a maximum payload of " + maxPayload + " bytes; it must be within 64.."
                        + (16 << 20));
    }

    @Test
    void welcomeWithZeroTimeoutIsRejected() {
        assertThatThrownBy(() -> Welcome.decode(new Welcome(1, 1000, 0, 1024, 1).encode(ALLOC)))
                .isInstanceOf(ProtocolException.class);
    }
}
