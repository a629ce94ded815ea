package io.tether.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tether.protocol.Hello;
import io.tether.protocol.Welcome;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A server that accepts connections and then stops answering — optionally after a correct handshake, to
 * look like a process that hung while its sockets stay open.
 */
final class FrozenServer implements AutoCloseable {
    private final ServerSocket listener;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    FrozenServer(boolean answerHandshake) throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        acceptor = new Thread(() -> acceptUntilClosed(answerHandshake), "frozen-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    int acceptedCount() {
        return accepted.size();
    }

    private void acceptUntilClosed(boolean answerHandshake) {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                accepted.add(socket);
                if (answerHandshake) {
                    DataInputStream in = new DataInputStream(socket.getInputStream());
                    in.skipNBytes(2);
                    in.skipNBytes(in.readInt()); // the HELLO, unread: this server trusts everyone
                    ByteBuf welcome = new Welcome(Hello.PROTOCOL_VERSION, 100, 300, 1 << 20, 1)
                            .encode(UnpooledByteBufAllocator.DEFAULT);
                    byte[] bytes = new byte[welcome.readableBytes()];
                    welcome.readBytes(bytes);
                    socket.getOutputStream().write(bytes);
                }
            } catch (IOException closed) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : accepted) {
            socket.close();
        }
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
