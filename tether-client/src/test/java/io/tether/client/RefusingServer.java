package io.tether.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tether.protocol.CloseReason;
import io.tether.protocol.Frames;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server that reads each connection's HELLO and answers it with one GOAWAY, the way a Tether server
 * refuses a handshake it cannot accept, then closes. It counts the HELLOs it refused.
 */
final class RefusingServer implements AutoCloseable {
    private final ServerSocket listener;
    private final Thread acceptor;
    private final AtomicInteger refused = new AtomicInteger();

    RefusingServer(CloseReason reason, String message) throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        ByteBuf frame = Frames.goAway(UnpooledByteBufAllocator.DEFAULT, reason, message);
        byte[] goAway = new byte[frame.readableBytes()];
        frame.readBytes(goAway);
        frame.release();
        acceptor = new Thread(() -> refuseUntilClosed(goAway), "refusing-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    int refusedCount() {
        return refused.get();
    }

    private void refuseUntilClosed(byte[] goAway) {
        while (!listener.isClosed()) {
            try (Socket socket = listener.accept()) {
                DataInputStream in = new DataInputStream(socket.getInputStream());
                in.skipNBytes(2);
                in.skipNBytes(in.readInt()); // the whole HELLO, so the refusal answers it
                socket.getOutputStream().write(goAway);
                refused.incrementAndGet();
                in.read(); // the client closes first, as after any GOAWAY
            } catch (IOException closedOrGone) {
                // next connection, or the listener was closed
            }
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
