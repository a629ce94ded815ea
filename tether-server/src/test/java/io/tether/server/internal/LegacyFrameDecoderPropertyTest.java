package io.tether.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.tether.protocol.ProtocolException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/**
 * Properties of the classic decoder (8-byte header: type and length, both u32 little-endian; type 0 a
 * heartbeat of length 0, type 1 data) in a real Netty pipeline ({@link EmbeddedChannel}), held after every
 * chunk to {@link Model}: the payloads that are whole by then, a {@link ProtocolException} in exactly the
 * chunk that completes a bad type or a bad length (never any other exception, never a wait for a payload over
 * the limit), the partial frame it holds, and the memory it holds. A failure prints jqwik's seed to replay it.
 */
class LegacyFrameDecoderPropertyTest {
    private static final int HEADER = LegacyFrameDecoder.HEADER_LENGTH;
    private static final int MAX = 64;

    /** Whole, one byte at a time, and cut in two at every byte: the same payloads, each as soon as it is whole. */
    @Property(tries = 150)
    void validFramesSplitAtEveryByteDecodeAsWhole(@ForAll("frames") List<byte[]> frames) {
        byte[] wire = concat(frames);
        assertThat(new Model(wire, MAX).errorAt).isEqualTo(-1);
        check(wire, MAX, List.of(Math.max(wire.length, 1)));
        check(wire, MAX, List.of(1));
        for (int cut = 1; cut < wire.length; cut++) {
            check(wire, MAX, List.of(cut, wire.length - cut));
        }
    }

    @Property(tries = 500)
    void randomBytesGiveFramesOrAProtocolError(@ForAll("randomBytes") byte[] wire,
            @ForAll("chunkSizes") List<Integer> chunks) {
        check(wire, MAX, chunks);
    }

    /**
     * Valid frames with a field (type or length) set to 0, 1, the limit, just over it, 2^31 or 2^32 - 1, bits
     * flipped, cuts, and bytes appended, inserted or deleted.
     */
    @Property(tries = 1000)
    void mutatedFramesGiveFramesOrAProtocolError(@ForAll("frames") List<byte[]> frames,
            @ForAll("edits") @Size(min = 1, max = 3) List<long[]> edits, @ForAll("chunkSizes") List<Integer> chunks) {
        check(edit(frames, edits), MAX, chunks);
    }

    @Property(tries = 200)
    void oversizeLengthIsRefusedOnTheLastHeaderByte(@ForAll @LongRange(min = MAX + 1, max = 0xFFFFFFFFL) long length) {
        byte[] wire = Arrays.copyOf(header(1, length), HEADER + 100); // payload that must never be waited for
        assertThat(new Model(wire, MAX).errorAt).isEqualTo(HEADER - 1);
        check(wire, MAX, List.of(1));
    }

    /** A slow peer trickles the largest frames allowed: memory held stays under the bound after every chunk. */
    @Property(tries = 60)
    void tricklingTheLargestFrameHoldsBoundedMemory(@ForAll("limits") int maxPayload,
            @ForAll("chunkSizes") List<Integer> chunks, @ForAll @LongRange(max = 20_000) long first) {
        byte[] wire = concat(List.of(data(new byte[(int) Math.min(first, maxPayload)]), data(new byte[maxPayload])));
        check(Arrays.copyOf(wire, wire.length - 1), maxPayload, chunks);
    }

    /** What the classic framing in docs/PROTOCOL.md makes of a byte stream, written apart from the decoder. */
    static final class Model {
        final List<byte[]> payloads = new ArrayList<>();
        final List<Integer> payloadEnds = new ArrayList<>();
        /** Stream offsets where a frame (heartbeat or data) ends. */
        final List<Integer> boundaries = new ArrayList<>(List.of(0));
        /** The offset of the byte that completes a bad type or length, or -1. */
        final int errorAt;

        Model(byte[] wire, long maxPayload) {
            int at = 0;
            int error = -1;
            while (wire.length - at >= 4) {
                long type = u32le(wire, at);
                if (type != 0 && type != 1) {
                    error = at + 3;
                    break;
                }
                if (wire.length - at < HEADER) {
                    break;
                }
                long length = u32le(wire, at + 4);
                if (type == 0 ? length != 0 : length > maxPayload) {
                    error = at + HEADER - 1;
                    break;
                }
                if (wire.length - at < HEADER + length) {
                    break;
                }
                int end = at + HEADER + (int) length;
                if (type == 1) {
                    payloads.add(Arrays.copyOfRange(wire, at + HEADER, end));
                    payloadEnds.add(end);
                }
                boundaries.add(end);
                at = end;
            }
            errorAt = error;
        }

        int payloadsWholeBy(int offset) {
            return (int) payloadEnds.stream().filter(end -> end <= offset).count();
        }

        String stallAfter(byte[] wire, int offset) {
            int start = boundaries.stream().filter(b -> b <= offset).reduce(0, Math::max);
            int have = offset - start;
            if (have == 0) {
                return null;
            }
            if (have < HEADER) {
                return "stalled mid-header after " + have + " of " + HEADER + " bytes";
            }
            return "stalled mid-frame after " + have + " of " + (HEADER + u32le(wire, start + 4)) + " bytes";
        }
    }

    /** Feeds {@code wire} in {@code chunkSizes} (cycled) and holds the decoder to the model after each chunk. */
    private static void check(byte[] wire, int maxPayload, List<Integer> chunkSizes) {
        Model model = new Model(wire, maxPayload);
        UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
        LegacyFrameDecoder decoder = new LegacyFrameDecoder(maxPayload, null);
        List<byte[]> decoded = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast(decoder, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object payload) {
                decoded.add((byte[]) payload);
            }
        });
        List<ByteBuf> chunks = new ArrayList<>();
        int largestChunk = 0;
        int at = 0;
        for (int i = 0; at < wire.length; i++) {
            int size = Math.min(chunkSizes.get(i % chunkSizes.size()), wire.length - at);
            int end = at + size;
            largestChunk = Math.max(largestChunk, size);
            ByteBuf chunk = alloc.heapBuffer(size).writeBytes(wire, at, size);
            chunks.add(chunk);
            Throwable thrown = null;
            try {
                channel.writeInbound(chunk);
            } catch (Throwable t) {
                thrown = t;
            }
            boolean failsHere = model.errorAt >= at && model.errorAt < end;
            boolean failedBefore = model.errorAt >= 0 && model.errorAt < at;
            if (failsHere) {
                assertThat(thrown).as("error for the bad byte at %d, in the chunk %d..%d", model.errorAt, at, end)
                        .isInstanceOf(DecoderException.class).cause().isInstanceOf(ProtocolException.class);
            } else if (thrown != null) {
                fail("chunk " + at + ".." + end + " threw, the model expects none", thrown);
            }
            assertThat(decoded).as("payloads after %d bytes", end).hasSize(model.payloadsWholeBy(end));
            for (int n = 0; n < decoded.size(); n++) {
                assertThat(decoded.get(n)).as("payload %d", n).isEqualTo(model.payloads.get(n));
            }
            assertThat(decoder.partialFrame()).as("partial frame after %d bytes", end)
                    .isEqualTo(failsHere || failedBefore ? null : model.stallAfter(wire, end));
            long held = alloc.metric().usedHeapMemory();
            // An incomplete frame and the chunk just read, in a buffer that grows by doubling from 64 bytes.
            long bound = failedBefore ? 0 : Math.max(64, 2L * (HEADER + maxPayload + largestChunk));
            assertThat(held).as("bytes held after %d bytes", end).isLessThanOrEqualTo(bound);
            at = end;
        }
        channel.finishAndReleaseAll();
        assertThat(chunks).as("every chunk released").allSatisfy(chunk -> assertThat(chunk.refCnt()).isZero());
        assertThat(alloc.metric().usedHeapMemory()).as("bytes held after the channel closed").isZero();
    }

    /**
     * Each edit is {kind, position, value}: set the type or the length of a frame (the position picks the
     * frame), flip a bit, cut, insert or delete a byte (the position picks the byte).
     */
    private static byte[] edit(List<byte[]> frames, List<long[]> edits) {
        List<Integer> starts = new ArrayList<>(List.of(0));
        frames.forEach(frame -> starts.add(starts.get(starts.size() - 1) + frame.length));
        byte[] out = concat(frames);
        for (long[] e : edits) {
            int at = out.length == 0 ? 0 : (int) Math.floorMod(e[1], (long) out.length);
            long value = e[2];
            int kind = out.length == 0 ? 4 : (int) e[0];
            out = out.clone();
            switch (kind) {
                case 0, 1 -> {
                    int field = starts.get((int) Math.floorMod(e[1], (long) starts.size())) + (kind == 0 ? 0 : 4);
                    if (field + 4 <= out.length) {
                        for (int b = 0; b < 4; b++) {
                            out[field + b] = (byte) (value >>> (8 * b));
                        }
                    }
                }
                case 2 -> out[at] ^= (byte) (1 << (value & 7));
                case 3 -> out = Arrays.copyOf(out, at);
                case 4 -> {
                    byte[] longer = new byte[out.length + 1];
                    System.arraycopy(out, 0, longer, 0, at);
                    longer[at] = (byte) value;
                    System.arraycopy(out, at, longer, at + 1, out.length - at);
                    out = longer;
                }
                default -> {
                    byte[] shorter = new byte[out.length - 1];
                    System.arraycopy(out, 0, shorter, 0, at);
                    System.arraycopy(out, at + 1, shorter, at, out.length - at - 1);
                    out = shorter;
                }
            }
        }
        return out;
    }

    private static byte[] header(long type, long length) {
        byte[] header = new byte[HEADER];
        for (int b = 0; b < 4; b++) {
            header[b] = (byte) (type >>> (8 * b));
            header[4 + b] = (byte) (length >>> (8 * b));
        }
        return header;
    }

    private static byte[] data(byte[] payload) {
        return concat(List.of(header(1, payload.length), payload));
    }

    private static long u32le(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

    /** Up to 6 frames, heartbeats and data of up to {@link #MAX} bytes; sizes uniform, not biased to the small. */
    @Provide
    Arbitrary<List<byte[]>> frames() {
        Arbitrary<byte[]> data = Arbitraries.bytes().array(byte[].class).ofMaxSize(MAX)
                .withSizeDistribution(RandomDistribution.uniform()).map(LegacyFrameDecoderPropertyTest::data);
        return Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(header(0, 0))),
                Tuple.of(3, data)).list().ofMaxSize(6).withSizeDistribution(RandomDistribution.uniform());
    }

    @Provide
    Arbitrary<byte[]> randomBytes() {
        // Mostly small values in the first bytes of each word, or nearly every frame would be a bad type.
        Arbitrary<Byte> small = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.of((byte) 0, (byte) 1)),
                Tuple.of(1, Arbitraries.bytes()));
        return small.array(byte[].class).ofMaxSize(600).withSizeDistribution(RandomDistribution.uniform());
    }

    @Provide
    Arbitrary<List<Integer>> chunkSizes() {
        return Arbitraries.integers().between(1, 700).list().ofMinSize(1).ofMaxSize(12);
    }

    @Provide
    Arbitrary<Integer> limits() {
        return Arbitraries.of(MAX, 1000, 16 << 10, 64 << 10);
    }

    @Provide
    Arbitrary<List<long[]>> edits() {
        Arbitrary<Long> fields = Arbitraries.oneOf(
                Arbitraries.of(0L, 1L, 2L, (long) MAX, MAX + 1L, 0x80000000L, 0xFFFFFFFFL),
                Arbitraries.longs().between(0, 0xFFFFFFFFL));
        return Arbitraries.integers().between(0, 5).flatMap(kind -> Arbitraries.integers().greaterOrEqual(0)
                .flatMap(at -> (kind < 2 ? fields : Arbitraries.longs().between(0, 255))
                        .map(value -> new long[] {kind, at, value}))).list();
    }
}
