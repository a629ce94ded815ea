package io.tether.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import io.tether.protocol.Hello;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A client written against the wire protocol that heartbeats like any other until {@link #freeze()}, and
 * from then on sends nothing while its connection stays open: a hung process, which the server must declare
 * offline with TIMEOUT. Its pings report no round trip.
 */
final class FreezablePeer implements AutoCloseable {
    private final Socket socket = new Socket();
    private final OutputStream out;
    private final ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "freezable-peer-pings");
        thread.setDaemon(true);
        return thread;
    });

    FreezablePeer(InetSocketAddress server, String clientId, Duration interval) throws IOException {
        socket.setSoTimeout(5000);
        socket.connect(new InetSocketAddress("127.0.0.1", server.getPort()), 5000);
        out = socket.getOutputStream();
        send(new Hello(Hello.PROTOCOL_VERSION, interval.toMillis(), clientId).encode(UnpooledByteBufAllocator.DEFAULT));
        DataInputStream in = new DataInputStream(socket.getInputStream());
        int type = in.readUnsignedByte();
        in.readUnsignedByte();
        in.skipNBytes(in.readInt());
        if (type != FrameType.WELCOME.code()) {
            throw new IOException(clientId + " expected WELCOME, got frame type " + type);
        }
        pinger.scheduleAtFixedRate(this::ping, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void ping() {
        try {
            send(Frames.ping(UnpooledByteBufAllocator.DEFAULT, 0, 0));
        } catch (IOException e) {
            pinger.shutdown(); // the server closed the connection: nothing more to say
        }
    }

    private synchronized void send(ByteBuf frame) throws IOException {
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes);
        frame.release();
        out.write(bytes);
        out.flush();
    }

    /** Stops the heartbeat and waits until no ping is being sent; the connection stays open. */
    void freeze() throws InterruptedException {
        pinger.shutdownNow();
        if (!pinger.awaitTermination(5, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the peer's pinger did not stop within 5 s");
        }
    }

    @Override
    public void close() throws IOException {
        pinger.shutdownNow();
        socket.close();
    }
}
