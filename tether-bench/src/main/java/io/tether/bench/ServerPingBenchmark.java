package io.tether.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.protocol.Frames;
import io.tether.protocol.Hello;
import io.tether.protocol.Welcome;
import io.tether.server.TetherServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One heartbeat through a real Tether server on 127.0.0.1: a PING written to the socket, the PONG read
 * back. The client is a blocking socket with direct buffers, which allocates nothing, so with
 * {@code -prof gc} the allocation per operation is mostly the server's whole heartbeat path: read, decode,
 * liveness update, ping limit, PONG write. As the JDK's blocking socket may allocate a little of its own, each
 * iteration also prints what the server's event loop thread alone allocated per ping. Time per operation is
 * a loopback round trip and says little on its own.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ServerPingBenchmark {
    private TetherServer server;
    private SocketChannel socket;
    private final ByteBuffer ping = ByteBuffer.allocateDirect(Frames.HEADER_LENGTH + Frames.PING_PAYLOAD_LENGTH);
    private final ByteBuffer pong = ByteBuffer.allocateDirect(Frames.HEADER_LENGTH + Frames.PING_PAYLOAD_LENGTH);

    @Setup
    public void setUp() throws IOException {
        server = TetherServer.builder().host("127.0.0.1").port(0).eventLoopThreads(1)
                .heartbeat(HeartbeatPolicy.of(Duration.ofSeconds(1), Duration.ofSeconds(3)))
                .maxPingsPerInterval(Integer.MAX_VALUE).build().start();
        socket = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.address().getPort()));
        socket.socket().setTcpNoDelay(true);
        ByteBuf hello = new Hello(Hello.PROTOCOL_VERSION, 0, "bench").encode(UnpooledByteBufAllocator.DEFAULT);
        writeFully(hello.nioBuffer());
        hello.release();
        ByteBuffer welcome = ByteBuffer.allocate(Frames.HEADER_LENGTH + Welcome.PAYLOAD_LENGTH);
        while (welcome.hasRemaining()) {
            if (socket.read(welcome) < 0) {
                throw new IOException("server closed the connection during the handshake");
            }
        }
        ByteBuf frame = Frames.ping(UnpooledByteBufAllocator.DEFAULT, 1, 2);
        frame.readBytes(ping);
        frame.release();
    }

    private long pings;
    private long loopBytesAtStart;

    @Setup(Level.Iteration)
    public void startCounting() {
        pings = 0;
        loopBytesAtStart = loopAllocatedBytes();
    }

    @TearDown(Level.Iteration)
    public void report() {
        long bytes = loopAllocatedBytes() - loopBytesAtStart;
        System.out.printf(Locale.ROOT, "  [server event loop: %,d bytes over %,d pings = %.2f bytes per ping]%n",
                bytes, pings, pings == 0 ? 0.0 : (double) bytes / pings);
    }

    /** Bytes allocated so far by the server's event loop threads (HotSpot's per-thread counter). */
    private static long loopAllocatedBytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("tether-server-")) {
                total += threads.getThreadAllocatedBytes(thread.getId());
            }
        }
        return total;
    }

    @TearDown
    public void tearDown() throws IOException {
        socket.close();
        server.close();
    }

    @Benchmark
    public int pingRoundTrip() throws IOException {
        pings++;
        ping.clear();
        writeFully(ping);
        pong.clear();
        while (pong.hasRemaining()) {
            if (socket.read(pong) < 0) {
                throw new IOException("server closed the connection");
            }
        }
        return pong.get(Frames.TYPE_OFFSET);
    }

    private void writeFully(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            socket.write(bytes);
        }
    }
}
