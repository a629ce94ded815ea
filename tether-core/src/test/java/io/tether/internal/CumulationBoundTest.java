package io.tether.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import org.junit.jupiter.api.Test;

/**
 * What a connection's decoder holds while a peer trickles frames, measured by the allocator its reads come
 * from. The worst case for Netty's merge cumulator: a first frame that ends just short of half the 2 MiB
 * buffer it needed, then the largest frame allowed, in TCP-segment-sized reads. Without dropping the first
 * frame's bytes before growing, the buffer doubled again to 4 MiB for a 1 MiB maximum payload.
 */
class CumulationBoundTest {
    private static final int MAX = Frames.DEFAULT_MAX_PAYLOAD;
    private static final int SEGMENT = 1460;

    @Test
    void holdsUnderTwiceTheLargestFramePlusOneReadWhateverCameBefore() {
        UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast(new FrameDecoder(MAX), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object frame) {
                ((ByteBuf) frame).release(); // handled at once, as the server's handlers do
            }
        });
        ByteBuf wire = alloc.heapBuffer();
        Frames.writeHeader(wire, FrameType.DATA, MAX - 10);
        wire.writeZero(MAX - 10);
        Frames.writeHeader(wire, FrameType.DATA, MAX);
        wire.writeZero(MAX - 1); // the last byte never comes
        byte[] bytes = new byte[wire.readableBytes()];
        wire.readBytes(bytes).release();

        long peak = 0;
        for (int at = 0; at < bytes.length; at += SEGMENT) {
            int n = Math.min(SEGMENT, bytes.length - at);
            channel.writeInbound(alloc.heapBuffer(n).writeBytes(bytes, at, n));
            peak = Math.max(peak, alloc.metric().usedHeapMemory());
        }

        assertThat(peak).isLessThanOrEqualTo(2L * (Frames.HEADER_LENGTH + MAX + SEGMENT));
        channel.finishAndReleaseAll();
        assertThat(alloc.metric().usedHeapMemory()).isZero();
    }
}
