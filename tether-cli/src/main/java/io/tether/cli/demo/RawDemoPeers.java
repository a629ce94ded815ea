package io.tether.cli.demo;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tether.protocol.Frames;
import io.tether.protocol.Hello;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The two demo clients that the real client cannot play: a process that crashes (its kernel answers with
 * a TCP reset) and a classic device that speaks the 8-byte little-endian header and never reads.
 */
final class RawDemoPeers {
    private RawDemoPeers() {
    }

    /** Heartbeats on a timer over a plain socket; {@link #beat} is what it sends each time. */
    abstract static class Peer implements AutoCloseable {
        final Socket socket = new Socket();
        private final ScheduledFuture<?> beating;

        Peer(InetSocketAddress server, byte[] opening, Duration interval, ScheduledExecutorService timer)
                throws IOException {
            socket.connect(server, 5000);
            socket.getOutputStream().write(opening);
            beating = timer.scheduleAtFixedRate(this::beatQuietly, interval.toMillis(), interval.toMillis(),
                    TimeUnit.MILLISECONDS);
        }

        abstract byte[] beat();

        private void beatQuietly() {
            try {
                socket.getOutputStream().write(beat());
            } catch (IOException gone) {
                beating.cancel(false);
            }
        }

        void stopBeating() {
            beating.cancel(false);
        }

        @Override
        public void close() throws IOException {
            stopBeating();
            socket.close();
        }
    }

    /** A Tether client that will crash: handshake and pings, replies drained on a thread of its own. */
    static final class CrashingPeer extends Peer {
        CrashingPeer(InetSocketAddress server, String clientId, Duration interval, ScheduledExecutorService timer)
                throws IOException {
            super(server, bytes(new Hello(Hello.PROTOCOL_VERSION, interval.toMillis(), clientId)
                    .encode(UnpooledByteBufAllocator.DEFAULT)), interval, timer);
            Thread drain = new Thread(this::drain, "demo-" + clientId);
            drain.setDaemon(true);
            drain.start();
        }

        @Override
        byte[] beat() {
            return bytes(Frames.ping(UnpooledByteBufAllocator.DEFAULT, (int) (System.nanoTime() / 1000), 0));
        }

        private void drain() {
            byte[] sink = new byte[4096];
            try {
                InputStream in = socket.getInputStream();
                while (in.read(sink) >= 0) {
                    // WELCOME and PONGs: read so the server's writes never back up.
                }
            } catch (IOException closed) {
                // crashed on purpose
            }
        }

        /** Dies the way a killed process with unread data does: the kernel sends RST, not FIN. */
        void crash() throws IOException {
            stopBeating();
            socket.setSoLinger(true, 0);
            socket.close();
        }
    }

    /** A classic device: 8-byte little-endian {type, length} frames, heartbeat type 0, never reads. */
    static final class ClassicSensor extends Peer {
        ClassicSensor(InetSocketAddress server, Duration interval, ScheduledExecutorService timer) throws IOException {
            super(server, firstReading(), interval, timer);
        }

        private static byte[] firstReading() {
            byte[] reading = "temperature=21.5".getBytes(StandardCharsets.US_ASCII);
            return ByteBuffer.allocate(8 + reading.length).order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(1).putInt(reading.length).put(reading).array();
        }

        @Override
        byte[] beat() {
            return new byte[8]; // type 0, length 0
        }
    }

    static byte[] bytes(ByteBuf frame) {
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes);
        frame.release();
        return bytes;
    }
}
