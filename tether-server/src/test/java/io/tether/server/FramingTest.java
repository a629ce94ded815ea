package io.tether.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import io.tether.protocol.Hello;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * How the server cuts the byte stream into frames, whatever the reads look like: many frames in one read,
 * frames split at every byte, and frames far larger than one read, in both directions. (On epoll the Tether
 * port reads into a 64 KiB buffer per event loop; on NIO a channel pipeline decodes.)
 */
class FramingTest extends ServerHarness {

    @Test
    void manyFramesInOneWriteAreEachAnsweredInOrder() throws Exception {
        TetherServer server = start(fastServer());
        try (RawPeer peer = new RawPeer(server.address())) {
            ByteBuf burst = Unpooled.buffer();
            burst.writeBytes(new Hello(Hello.PROTOCOL_VERSION, 1000, "burst").encode(UnpooledByteBufAllocator.DEFAULT));
            for (int i = 1; i <= 3; i++) {
                burst.writeBytes(Frames.ping(UnpooledByteBufAllocator.DEFAULT, i, 0));
            }
            burst.writeBytes(Frames.data(UnpooledByteBufAllocator.DEFAULT, new byte[] {7, 8, 9}));
            peer.send(burst);

            assertThat(peer.read().type()).isEqualTo(FrameType.WELCOME);
            for (int i = 1; i <= 3; i++) {
                RawPeer.Frame pong = peer.read();
                assertThat(pong.type()).isEqualTo(FrameType.PONG);
                assertThat(Unpooled.wrappedBuffer(pong.payload()).getInt(0)).isEqualTo(i);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> messages.size() == 1);
            assertThat(messages.get(0)).containsExactly(7, 8, 9);
        }
    }

    @Test
    void framesSentOneByteAtATimeArriveWhole() throws Exception {
        TetherServer server = start(fastServer());
        try (RawPeer peer = new RawPeer(server.address())) {
            peer.socket.setTcpNoDelay(true);
            peer.hello("dribble", 1000);
            ByteBuf frames = Unpooled.buffer();
            frames.writeBytes(Frames.ping(UnpooledByteBufAllocator.DEFAULT, 42, 0));
            frames.writeBytes(Frames.data(UnpooledByteBufAllocator.DEFAULT, bytes(300, 1)));
            while (frames.isReadable()) {
                peer.sendRaw(new byte[] {frames.readByte()});
            }

            RawPeer.Frame pong = peer.read();
            assertThat(pong.type()).isEqualTo(FrameType.PONG);
            assertThat(Unpooled.wrappedBuffer(pong.payload()).getInt(0)).isEqualTo(42);
            await().atMost(Duration.ofSeconds(5)).until(() -> messages.size() == 1);
            assertThat(messages.get(0)).isEqualTo(bytes(300, 1));
        }
    }

    @Test
    void framesLargerThanOneReadCrossIntactBothWays() throws Exception {
        TetherServer server = start(fastServer().maxPayload(1 << 20));
        // A small receive buffer on the peer keeps the server's reply waiting for the socket to drain.
        try (RawPeer peer = new RawPeer(server.address(), 4096)) {
            peer.hello("large", 1000);
            byte[] upstream = bytes(700_000, 2);
            peer.send(Frames.data(UnpooledByteBufAllocator.DEFAULT, upstream));
            await().atMost(Duration.ofSeconds(5)).until(() -> messages.size() == 1);
            assertThat(messages.get(0)).isEqualTo(upstream);

            byte[] downstream = bytes(900_000, 3);
            var sent = server.session("large").orElseThrow().send(downstream);
            RawPeer.Frame frame = peer.read();
            assertThat(frame.type()).isEqualTo(FrameType.DATA);
            assertThat(frame.payload()).isEqualTo(downstream);
            assertThat(sent).succeedsWithin(Duration.ofSeconds(5));
        }
    }

    private static byte[] bytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
