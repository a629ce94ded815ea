package io.tether.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import io.tether.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/**
 * Properties of the Tether frame decoder over generated streams: valid frames cut at every byte boundary
 * and at random, random bytes, and valid frames with mutations. {@link DecoderDrive} checks each step against
 * {@link TetherWireModel}; {@link #staticHelperAgreesWithTheModel} holds the compact engine's parser,
 * {@link FrameDecoder#wholeFrameLength}, to the same model. A failure prints jqwik's seed to replay it.
 */
class FrameDecoderPropertyTest {
    /** The smallest maximum payload a server or client accepts ({@link Frames#checkMaxPayload}). */
    private static final int MAX = 64;

    /** Whole, one byte at a time, and cut in two at every byte: the same frames, each as soon as it is whole. */
    @Property(tries = 150)
    void validFramesSplitAtEveryByteDecodeAsWhole(@ForAll("frames") List<byte[]> frames) {
        byte[] wire = TetherWireModel.concat(frames);
        assertThat(new TetherWireModel(wire, MAX).frames).as("the generator makes only valid frames")
                .hasSize(frames.size());
        DecoderDrive.check(wire, MAX, List.of(Math.max(wire.length, 1)));
        DecoderDrive.check(wire, MAX, List.of(1));
        for (int cut = 1; cut < wire.length; cut++) {
            DecoderDrive.check(wire, MAX, List.of(cut, wire.length - cut));
        }
    }

    /** Frames up to 4 KiB under limits up to 4 KiB, in chunks of 1 to 700 bytes. */
    @Property(tries = 300)
    void validFramesInRandomChunksDecodeAsWhole(@ForAll @IntRange(min = 64, max = 4096) int maxPayload,
            @ForAll("chunkSizes") List<Integer> chunks, @ForAll("lengths") List<Integer> lengths,
            @ForAll long seed) {
        byte[] wire = TetherWireModel.concat(validFrames(lengths, maxPayload, seed));
        assertThat(new TetherWireModel(wire, maxPayload).frames).hasSize(lengths.size());
        DecoderDrive.check(wire, maxPayload, chunks);
    }

    /** Noise: the frames the model finds before the first bad byte, then a ProtocolException in its chunk. */
    @Property(tries = 500)
    void randomBytesGiveFramesOrAProtocolError(@ForAll("randomBytes") byte[] wire,
            @ForAll("chunkSizes") List<Integer> chunks) {
        DecoderDrive.check(wire, MAX, chunks);
    }

    /**
     * Valid frames with bit flips, cuts, lengths set to 0, the limit, just over it, 2^31 and 2^32 - 1, unknown
     * types, flags, and bytes appended, inserted or deleted: the same outcome as the model's, chunk by chunk.
     */
    @Property(tries = 1000)
    void mutatedFramesGiveFramesOrAProtocolError(@ForAll("frames") List<byte[]> frames,
            @ForAll("mutations") @Size(min = 1, max = 3) List<Mutation> mutations,
            @ForAll("chunkSizes") List<Integer> chunks) {
        byte[] wire = TetherWireModel.concat(frames);
        for (Mutation mutation : mutations) {
            wire = mutation.apply(wire, frameStarts(frames));
        }
        DecoderDrive.check(wire, MAX, chunks);
    }

    /** A header that announces too much is refused on its last byte, however the length is written. */
    @Property(tries = 200)
    void oversizeLengthIsRefusedOnTheLastHeaderByte(@ForAll FrameType type,
            @ForAll @LongRange(min = MAX + 1, max = 0xFFFFFFFFL) long length) {
        byte[] header = TetherWireModel.frame(type, new byte[0]);
        TetherWireModel.putU32(header, Frames.LENGTH_OFFSET, length);
        byte[] wire = Arrays.copyOf(header, header.length + 100); // payload that must never be waited for
        assertThat(new TetherWireModel(wire, MAX).errorAt).isEqualTo(Frames.HEADER_LENGTH - 1);
        DecoderDrive.check(wire, MAX, List.of(1));
    }

    /**
     * A slow peer trickles the largest frame allowed, then the start of another: whatever the chunking, the
     * decoder holds no more than the bound of {@link DecoderDrive#memoryBound} after each chunk.
     */
    @Property(tries = 60)
    void tricklingTheLargestFrameHoldsBoundedMemory(@ForAll("limits") int maxPayload,
            @ForAll("chunkSizes") List<Integer> chunks, @ForAll long seed) {
        byte[] wire = TetherWireModel.concat(validFrames(List.of(maxPayload, maxPayload), maxPayload, seed));
        DecoderDrive.check(Arrays.copyOf(wire, wire.length - 1), maxPayload, chunks);
    }

    /** The compact engine's parser: the length of the first frame once whole, 0 before, or a ProtocolException. */
    @Property(tries = 500)
    void staticHelperAgreesWithTheModel(@ForAll("frames") List<byte[]> frames,
            @ForAll("mutations") @Size(max = 2) List<Mutation> mutations, @ForAll @IntRange(min = 0, max = 400) int cut,
            @ForAll @IntRange(max = 8) int offset) {
        byte[] wire = TetherWireModel.concat(frames);
        for (Mutation mutation : mutations) {
            wire = mutation.apply(wire, frameStarts(frames));
        }
        wire = Arrays.copyOf(wire, Math.min(cut, wire.length));
        TetherWireModel model = new TetherWireModel(wire, MAX);
        // The helper reads from the buffer's reader index, which the engine moves past each frame.
        ByteBuf in = Unpooled.buffer(offset + wire.length).writeZero(offset).writeBytes(wire).skipBytes(offset);
        if (model.errorAt >= 0 && model.frames.isEmpty()) {
            assertThatThrownBy(() -> FrameDecoder.wholeFrameLength(in, MAX)).isInstanceOf(ProtocolException.class);
        } else {
            int expected = model.frames.isEmpty() ? 0 : model.ends.get(0);
            assertThat(FrameDecoder.wholeFrameLength(in, MAX)).isEqualTo(expected);
            if (expected == 0) {
                assertThat(FrameDecoder.stall(in)).isEqualTo(model.stallAfter(wire, wire.length));
            }
        }
        assertThat(in.readerIndex()).as("the helper only looks").isEqualTo(offset);
    }

    /** A change to a stream of valid frames: positions are taken modulo the stream or the frame count. */
    record Mutation(Kind kind, int position, long value) {
        enum Kind { FLIP_BIT, TRUNCATE, SET_LENGTH, SET_TYPE, SET_FLAGS, APPEND, INSERT, DELETE }

        byte[] apply(byte[] wire, List<Integer> frameStarts) {
            if (wire.length == 0) {
                return kind == Kind.APPEND || kind == Kind.INSERT ? new byte[] {(byte) value} : wire;
            }
            int at = Math.floorMod(position, wire.length);
            int frame = frameStarts.get(Math.floorMod(position, frameStarts.size()));
            byte[] out = wire.clone();
            switch (kind) {
                case FLIP_BIT -> out[at] ^= (byte) (1 << (value & 7));
                case TRUNCATE -> out = Arrays.copyOf(wire, at);
                case SET_LENGTH -> {
                    if (frame + Frames.HEADER_LENGTH <= out.length) {
                        TetherWireModel.putU32(out, frame + Frames.LENGTH_OFFSET, value);
                    }
                }
                case SET_TYPE -> {
                    if (frame < out.length) {
                        out[frame] = (byte) value;
                    }
                }
                case SET_FLAGS -> {
                    if (frame + Frames.FLAGS_OFFSET < out.length) {
                        out[frame + Frames.FLAGS_OFFSET] = (byte) value;
                    }
                }
                case APPEND -> {
                    out = Arrays.copyOf(wire, wire.length + 1 + (int) (value & 15));
                    Arrays.fill(out, wire.length, out.length, (byte) (value >>> 8));
                }
                case INSERT -> {
                    out = new byte[wire.length + 1];
                    System.arraycopy(wire, 0, out, 0, at);
                    out[at] = (byte) value;
                    System.arraycopy(wire, at, out, at + 1, wire.length - at);
                }
                case DELETE -> {
                    out = new byte[wire.length - 1];
                    System.arraycopy(wire, 0, out, 0, at);
                    System.arraycopy(wire, at + 1, out, at, wire.length - at - 1);
                }
            }
            return out;
        }
    }

    /** Up to 6 valid frames of up to {@link #MAX} bytes of payload; sizes uniform, not biased to the small. */
    @Provide
    Arbitrary<List<byte[]>> frames() {
        Arbitrary<byte[]> payloads = Arbitraries.bytes().array(byte[].class).ofMaxSize(MAX)
                .withSizeDistribution(RandomDistribution.uniform());
        return Combinators.combine(Arbitraries.of(FrameType.class), payloads).as(TetherWireModel::frame)
                .list().ofMaxSize(6).withSizeDistribution(RandomDistribution.uniform());
    }

    @Provide
    Arbitrary<List<Integer>> lengths() {
        return Arbitraries.integers().between(0, 4096).withDistribution(RandomDistribution.uniform())
                .list().ofMaxSize(8).withSizeDistribution(RandomDistribution.uniform());
    }

    @Provide
    Arbitrary<byte[]> randomBytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(600).withSizeDistribution(RandomDistribution.uniform());
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
    Arbitrary<List<Mutation>> mutations() {
        Arbitrary<Long> lengths = Arbitraries.oneOf(
                Arbitraries.of(0L, MAX - 1L, (long) MAX, MAX + 1L, 0x7FFFFFFFL, 0x80000000L, 0xFFFFFFFFL),
                Arbitraries.longs().between(0, 0xFFFFFFFFL));
        Arbitrary<Long> bytes = Arbitraries.longs().between(0, 0xFFFF);
        Arbitrary<Mutation.Kind> kinds = Arbitraries.of(Mutation.Kind.class);
        return kinds.flatMap(kind -> Combinators.combine(Arbitraries.integers().greaterOrEqual(0),
                        kind == Mutation.Kind.SET_LENGTH ? lengths : bytes)
                .as((position, value) -> new Mutation(kind, position, value))).list();
    }

    private static List<byte[]> validFrames(List<Integer> lengths, int maxPayload, long seed) {
        java.util.Random random = new java.util.Random(seed);
        FrameType[] types = FrameType.values();
        List<byte[]> frames = new ArrayList<>();
        for (int length : lengths) {
            byte[] payload = new byte[Math.min(length, maxPayload)];
            random.nextBytes(payload);
            frames.add(TetherWireModel.frame(types[random.nextInt(types.length)], payload));
        }
        return frames;
    }

    private static List<Integer> frameStarts(List<byte[]> frames) {
        List<Integer> starts = new ArrayList<>();
        int at = 0;
        for (byte[] frame : frames) {
            starts.add(at);
            at += frame.length;
        }
        return starts.isEmpty() ? List.of(0) : starts;
    }
}
