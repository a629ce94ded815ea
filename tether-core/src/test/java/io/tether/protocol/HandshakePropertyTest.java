package io.tether.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * {@link Hello#decode} and {@link Welcome#decode} on whole frames as the frame decoder hands them over (any
 * known type, a header whose length matches the payload) with random and mutated payloads: each either
 * returns a value that encodes back to exactly the frame's bytes, or throws a {@link ProtocolException}, and
 * never anything else. A failure prints jqwik's seed to replay it.
 */
class HandshakePropertyTest {
    private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    @Property(tries = 1000)
    void helloDecodesRandomPayloadsOrRefusesThem(@ForAll("helloTypes") int type, @ForAll("payloads") byte[] payload) {
        decodeOrRefuse(frame(type, payload), Hello::decode, hello -> hello.encode(ALLOC));
    }

    @Property(tries = 1000)
    void helloDecodesMutatedHellosOrRefusesThem(@ForAll("clientIds") String id,
            @ForAll @LongRange(max = 0xFFFFFFFFL) long interval, @ForAll("edits") List<int[]> edits) {
        byte[] valid = bytes(new Hello(Hello.PROTOCOL_VERSION, interval, id).encode(ALLOC));
        assertThat(Hello.decode(Unpooled.wrappedBuffer(valid))).isEqualTo(new Hello(Hello.PROTOCOL_VERSION, interval, id));
        decodeOrRefuse(frame(FrameType.HELLO.code(), edit(payloadOf(valid), edits)), Hello::decode,
                hello -> hello.encode(ALLOC));
    }

    @Property(tries = 1000)
    void welcomeDecodesRandomPayloadsOrRefusesThem(@ForAll("welcomeTypes") int type, @ForAll("welcomePayloads") byte[] payload) {
        decodeOrRefuse(frame(type, payload), Welcome::decode, welcome -> welcome.encode(ALLOC));
    }

    @Property(tries = 500)
    void welcomeDecodesMutatedWelcomesOrRefusesThem(@ForAll @LongRange(min = 1, max = 0xFFFFFFFFL) long interval,
            @ForAll @LongRange(min = 1, max = 0xFFFFFFFFL) long timeout,
            @ForAll @IntRange(min = 64, max = Frames.MAX_MAX_PAYLOAD) int maxPayload, @ForAll long sessionId,
            @ForAll("edits") List<int[]> edits) {
        Welcome welcome = new Welcome(Hello.PROTOCOL_VERSION, interval, timeout, maxPayload, sessionId);
        byte[] valid = bytes(welcome.encode(ALLOC));
        assertThat(Welcome.decode(Unpooled.wrappedBuffer(valid))).isEqualTo(welcome);
        decodeOrRefuse(frame(FrameType.WELCOME.code(), edit(payloadOf(valid), edits)), Welcome::decode,
                decoded -> decoded.encode(ALLOC));
    }

    /** Decodes {@code frame}; a value must re-encode to the same bytes, a failure must be a ProtocolException. */
    private static <T> void decodeOrRefuse(byte[] frame, Function<ByteBuf, T> decode, Function<T, ByteBuf> encode) {
        T value;
        try {
            value = decode.apply(Unpooled.wrappedBuffer(frame));
        } catch (ProtocolException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        assertThat(bytes(encode.apply(value))).as("%s encoded again", value).isEqualTo(frame);
    }

    /** Each edit is {kind, position, value}: set a byte, flip a bit, cut the payload there, or insert a byte. */
    private static byte[] edit(byte[] payload, List<int[]> edits) {
        byte[] out = payload;
        for (int[] e : edits) {
            int kind = out.length == 0 ? 3 : e[0];
            int at = out.length == 0 ? 0 : Math.floorMod(e[1], out.length);
            byte value = (byte) e[2];
            switch (kind) {
                case 0 -> {
                    out = out.clone();
                    out[at] = value;
                }
                case 1 -> {
                    out = out.clone();
                    out[at] ^= (byte) (1 << (value & 7));
                }
                case 2 -> out = Arrays.copyOf(out, at);
                default -> {
                    byte[] longer = new byte[out.length + 1];
                    System.arraycopy(out, 0, longer, 0, at);
                    longer[at] = value;
                    System.arraycopy(out, at, longer, at + 1, out.length - at);
                    out = longer;
                }
            }
        }
        return out;
    }

    private static byte[] frame(int type, byte[] payload) {
        ByteBuf frame = Unpooled.buffer(Frames.HEADER_LENGTH + payload.length);
        frame.writeByte(type).writeByte(0).writeInt(payload.length).writeBytes(payload);
        return bytes(frame);
    }

    private static byte[] payloadOf(byte[] frame) {
        return Arrays.copyOfRange(frame, Frames.HEADER_LENGTH, frame.length);
    }

    private static byte[] bytes(ByteBuf buf) {
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    @Provide
    Arbitrary<Integer> helloTypes() {
        return mostly(FrameType.HELLO);
    }

    @Provide
    Arbitrary<Integer> welcomeTypes() {
        return mostly(FrameType.WELCOME);
    }

    /** Mostly the type the decoder expects, sometimes another type the frame decoder lets through. */
    private static Arbitrary<Integer> mostly(FrameType expected) {
        return Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just(expected.code())),
                Tuple.of(1, Arbitraries.of(FrameType.class).map(FrameType::code)));
    }

    /** Random payloads that often start with HELLO's magic and version, so the checks after them run too. */
    @Provide
    Arbitrary<byte[]> payloads() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(300)
                .withSizeDistribution(RandomDistribution.uniform());
        return Arbitraries.oneOf(random, random.map(tail -> {
            byte[] payload = Arrays.copyOf(new byte[] {0x54, 0x45, 0x54, 0x48, 1}, 5 + tail.length);
            System.arraycopy(tail, 0, payload, 5, tail.length);
            return payload;
        }));
    }

    /** Random payloads, half of them exactly WELCOME's length. */
    @Provide
    Arbitrary<byte[]> welcomePayloads() {
        return Arbitraries.oneOf(Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
                Arbitraries.bytes().array(byte[].class).ofSize(Welcome.PAYLOAD_LENGTH));
    }

    @Provide
    Arbitrary<String> clientIds() {
        Arbitrary<String> plain = Arbitraries.strings().alpha().numeric().withChars("-_.:@").ofMinLength(1).ofMaxLength(255);
        Arbitrary<String> any = Arbitraries.strings().all().ofMinLength(1).ofMaxLength(80);
        return Arbitraries.oneOf(plain, any).filter(id -> ClientIds.problem(id) == null);
    }

    @Provide
    Arbitrary<List<int[]>> edits() {
        Arbitrary<int[]> edit = Arbitraries.integers().between(0, 3).flatMap(kind -> Arbitraries.integers()
                .greaterOrEqual(0).flatMap(at -> Arbitraries.integers().between(0, 255)
                        .map(value -> new int[] {kind, at, value})));
        return edit.list().ofMinSize(1).ofMaxSize(3);
    }
}
