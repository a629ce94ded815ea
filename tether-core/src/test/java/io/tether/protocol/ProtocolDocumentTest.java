package io.tether.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The hex examples in docs/PROTOCOL.md are exactly what the encoders produce. */
class ProtocolDocumentTest {
    private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    static Stream<Arguments> examples() {
        ByteBuf pong = Frames.ping(ALLOC, 0x3b9aca00, 250);
        Frames.turnPingIntoPong(pong);
        return Stream.of(
                Arguments.of("HELLO", new Hello(1, 2000, "alice").encode(ALLOC),
                        "01 00 00 00 00 0f 54 45 54 48 01 00 00 07 d0 05 61 6c 69 63 65"),
                Arguments.of("HELLO", Hello.of(2000, "alice", ascii("tok")).encode(ALLOC),
                        "01 00 00 00 00 14 54 45 54 48 02 00 00 07 d0 05 61 6c 69 63 65 00 03 74 6f 6b"),
                Arguments.of("GOAWAY", Frames.goAway(ALLOC, CloseReason.UNAUTHENTICATED, "expired"),
                        "09 00 00 00 00 09 00 0c 65 78 70 69 72 65 64"),
                Arguments.of("WELCOME", new Welcome(1, 2000, 6000, 1 << 20, 1).encode(ALLOC),
                        "02 00 00 00 00 15 01 00 00 07 d0 00 00 17 70 00 10 00 00 00 00 00 00 00 00 00 01"),
                Arguments.of("PING", Frames.ping(ALLOC, 0x3b9aca00, 250), "03 00 00 00 00 08 3b 9a ca 00 00 00 00 fa"),
                Arguments.of("PONG", pong, "04 00 00 00 00 08 3b 9a ca 00 00 00 00 fa"),
                Arguments.of("DATA", Frames.data(ALLOC, ascii("hi")), "05 00 00 00 00 02 68 69"),
                Arguments.of("REQUEST", Frames.request(ALLOC, 7, ascii("time?")),
                        "06 00 00 00 00 09 00 00 00 07 74 69 6d 65 3f"),
                Arguments.of("RESPONSE", Frames.response(ALLOC, 7, ascii("12:00")),
                        "07 00 00 00 00 09 00 00 00 07 31 32 3a 30 30"),
                Arguments.of("ERROR", Frames.error(ALLOC, 7, ErrorCode.HANDLER_FAILED, "busy"),
                        "08 00 00 00 00 0a 00 00 00 07 00 02 62 75 73 79"),
                Arguments.of("GOAWAY", Frames.goAway(ALLOC, CloseReason.TIMEOUT, "idle"),
                        "09 00 00 00 00 06 00 01 69 64 6c 65"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void documentedHexIsWhatTheEncoderWrites(String name, ByteBuf encoded, String hex) throws Exception {
        assertThat(spaced(ByteBufUtil.hexDump(encoded))).isEqualTo(hex);
        String document = Files.readString(Path.of("..", "docs", "PROTOCOL.md"), StandardCharsets.UTF_8);
        assertThat(document).contains(String.format("%-9s", name) + " " + hex);
    }

    @org.junit.jupiter.api.Test
    void heartbeatIsAtMostSixteenBytes() {
        assertThat(Frames.ping(ALLOC, 1, 1).readableBytes()).isEqualTo(14).isLessThanOrEqualTo(16);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static String spaced(String hex) {
        return hex.replaceAll("(..)(?!$)", "$1 ");
    }
}
