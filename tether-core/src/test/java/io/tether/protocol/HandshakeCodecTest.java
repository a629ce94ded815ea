package io.tether.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

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
                .hasMessageContaining("control characters");
    }

    @Test
    void welcomeWithZeroTimeoutIsRejected() {
        assertThatThrownBy(() -> Welcome.decode(new Welcome(1, 1000, 0, 1024, 1).encode(ALLOC)))
                .isInstanceOf(ProtocolException.class);
    }
}
