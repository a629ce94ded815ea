package io.tether.bench.lab;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tether.protocol.Frames;
import io.tether.protocol.Hello;
import io.tether.protocol.Welcome;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** A client at the socket level, for measurements that need to control every byte a peer sends. */
final class RawPeer {
    private RawPeer() {
    }

    /** Connects, says HELLO and waits for WELCOME, so the server has certainly read everything sent. */
    static SocketChannel handshake(InetSocketAddress target, String id) throws IOException {
        SocketChannel channel = SocketChannel.open(target);
        ByteBuf hello = new Hello(Hello.PROTOCOL_VERSION, 0, id).encode(UnpooledByteBufAllocator.DEFAULT);
        writeFully(channel, hello.nioBuffer());
        hello.release();
        ByteBuffer welcome = ByteBuffer.allocate(Frames.HEADER_LENGTH + Welcome.PAYLOAD_LENGTH);
        while (welcome.hasRemaining()) {
            if (channel.read(welcome) < 0) {
                throw new IOException("server closed the connection during the handshake of " + id);
            }
        }
        return channel;
    }

    static void writeFully(SocketChannel channel, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }
}
