package io.tether.server;

import io.netty.buffer.ByteBuf;

/** Frames as the bytes a peer writes. */
final class RawPeerFrames {
    private RawPeerFrames() {
    }

    static byte[] wire(ByteBuf frame) {
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes);
        frame.release();
        return bytes;
    }
}
