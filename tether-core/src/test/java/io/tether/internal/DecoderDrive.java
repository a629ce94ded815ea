package io.tether.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.tether.protocol.Frames;
import io.tether.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.List;

/**
 * Feeds a byte stream to a {@link FrameDecoder} in a real Netty pipeline ({@link EmbeddedChannel}), chunk by
 * chunk, and after every chunk holds it to the {@link TetherWireModel}: exactly the frames that are whole by
 * then, each as soon as its last byte arrives; a {@link ProtocolException} (wrapped by Netty in a
 * {@link DecoderException}) in exactly the chunk holding the first byte that proves the stream bad, and no
 * other exception ever; the partial frame it holds, byte for byte; and the memory it holds.
 *
 * <p>Chunks come from a dedicated allocator, as a transport's reads would, so the allocator's count of live
 * heap bytes is everything the decoder holds once the test has released the frames it was given.
 */
final class DecoderDrive {
    /**
     * What the decoder may hold after a chunk: at most an incomplete frame (under one header plus the maximum
     * payload) and the chunk that just arrived, in a buffer that grows by doubling (from 64 bytes), hence the
     * factor 2. Bytes of frames already decoded must not count: the buffer drops them before it grows.
     */
    static long memoryBound(int maxPayload, int largestChunk) {
        return Math.max(64, 2L * (Frames.HEADER_LENGTH + maxPayload + largestChunk));
    }

    private DecoderDrive() {
    }

    /** Feeds {@code wire} cut into {@code chunkSizes} (cycled until the stream ends) and checks each step. */
    static void check(byte[] wire, int maxPayload, List<Integer> chunkSizes) {
        TetherWireModel model = new TetherWireModel(wire, maxPayload);
        UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
        FrameDecoder decoder = new FrameDecoder(maxPayload);
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(alloc);
        List<byte[]> decoded = new ArrayList<>();
        channel.pipeline().addLast(decoder, new Consumer(decoded));
        List<ByteBuf> chunks = new ArrayList<>();
        int received = 0;
        int largestChunk = 0;
        int at = 0;
        for (int i = 0; at < wire.length; i++) {
            int size = Math.min(chunkSizes.get(i % chunkSizes.size()), wire.length - at);
            int end = at + size;
            largestChunk = Math.max(largestChunk, size);
            ByteBuf chunk = alloc.heapBuffer(size).writeBytes(wire, at, size);
            chunks.add(chunk);
            Throwable thrown = write(channel, chunk);
            boolean failsHere = model.errorAt >= at && model.errorAt < end;
            boolean failedBefore = model.errorAt >= 0 && model.errorAt < at;
            if (failsHere) {
                assertThat(thrown).as("error for the bad byte at %d, in the chunk %d..%d", model.errorAt, at, end)
                        .isInstanceOf(DecoderException.class).cause().isInstanceOf(ProtocolException.class);
            } else if (thrown != null) {
                fail("chunk " + at + ".." + end + " threw, the model expects none", thrown);
            }
            received = check(decoded, model, received, end);
            if (failsHere || failedBefore) {
                assertThat(decoder.partialFrame()).as("partial frame after the error").isNull();
            } else {
                assertThat(decoder.partialFrame()).as("partial frame after %d bytes", end)
                        .isEqualTo(model.stallAfter(wire, end));
            }
            long held = alloc.metric().usedHeapMemory();
            if (failedBefore) {
                assertThat(held).as("bytes held once the stream is known bad").isZero();
            } else {
                assertThat(held).as("bytes held after %d bytes", end)
                        .isLessThanOrEqualTo(memoryBound(maxPayload, largestChunk));
            }
            at = end;
        }
        assertThat(received).as("frames decoded in all").isEqualTo(model.frames.size());
        channel.finishAndReleaseAll();
        assertThat(chunks).as("every chunk released").allSatisfy(chunk -> assertThat(chunk.refCnt()).isZero());
        assertThat(alloc.metric().usedHeapMemory()).as("bytes held after the channel closed").isZero();
    }

    private static Throwable write(EmbeddedChannel channel, ByteBuf chunk) {
        try {
            channel.writeInbound(chunk);
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    /** Checks the frames the decoder emitted since the last chunk against the model. */
    private static int check(List<byte[]> decoded, TetherWireModel model, int received, int offset) {
        assertThat(decoded).as("frames emitted after %d bytes", offset).hasSize(model.framesWholeBy(offset));
        for (int n = received; n < decoded.size(); n++) {
            assertThat(decoded.get(n)).as("frame %d", n).isEqualTo(model.frames.get(n));
        }
        return decoded.size();
    }

    /**
     * Takes each frame as the server's and client's handlers do, on the event loop as it is decoded, and
     * releases it at once; a frame held longer would keep the decoder's buffer alive with it.
     */
    private static final class Consumer extends ChannelInboundHandlerAdapter {
        private final List<byte[]> decoded;

        Consumer(List<byte[]> decoded) {
            this.decoded = decoded;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            try {
                decoded.add(ByteBufUtil.getBytes(frame));
            } finally {
                frame.release();
            }
        }
    }
}
