package io.tether.internal;

import io.netty.buffer.ByteBuf;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.heartbeat.PhiAccrual;
import io.tether.protocol.Frames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The pieces of the server's heartbeat path, one at a time: splitting a PING out of the input and turning
 * it into its PONG (the frame codec), encoding a PING (the client's side), and the two detectors' update on
 * an arrival. Run with {@code -prof gc}: each should allocate 0 bytes per operation. Lives in the codec's
 * package because the decoder's frame step is not public API.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HeartbeatPathBenchmark {
    private final FrameDecoder decoder = new FrameDecoder(Frames.DEFAULT_MAX_PAYLOAD);
    private final List<Object> out = new ArrayList<>(4);
    private final SplittableRandom random = new SplittableRandom(1);
    private ByteBuf input;
    private SilenceRule fixed;
    private PhiAccrualRule phi;
    private long now;

    @Setup
    public void setUp() {
        // What a socket read hands the decoder: one PING in a buffer from the default (pooled) allocator.
        ByteBuf ping = Frames.ping(Transports.ALLOCATOR, 123_456, 789);
        input = Transports.ALLOCATOR.directBuffer(64).writeBytes(ping);
        ping.release();
        HeartbeatPolicy policy = HeartbeatPolicy.of(Duration.ofSeconds(1), Duration.ofSeconds(3));
        now = System.nanoTime();
        fixed = SilenceRule.fixed(policy.timeout().toNanos());
        phi = new PhiAccrualRule(PhiAccrual.defaults(), policy, now);
    }

    @TearDown
    public void tearDown() {
        input.release();
    }

    /** Decoder step plus the in-place PONG: what the server does with each PING's bytes. */
    @Benchmark
    public int decodePingIntoPong() {
        input.readerIndex(0);
        decoder.decodeFrame(input, out);
        ByteBuf frame = (ByteBuf) out.get(0);
        out.clear();
        Frames.turnPingIntoPong(frame);
        int type = Frames.typeCode(frame);
        frame.release();
        return type;
    }

    /** A client's PING: header and 8-byte payload into a pooled buffer. */
    @Benchmark
    public int encodePing() {
        ByteBuf ping = Frames.ping(Transports.ALLOCATOR, 123_456, 789);
        int length = ping.readableBytes();
        ping.release();
        return length;
    }

    /** The fixed detector on an arrival, and the deadline it then allows. */
    @Benchmark
    public long fixedDetectorUpdate() {
        now += 1_000_000_000L;
        fixed.arrived(now);
        return fixed.allowedSilenceNanos();
    }

    /** The phi-accrual detector on an arrival with ±20 ms of jitter, and the deadline it then allows. */
    @Benchmark
    public long phiDetectorUpdate() {
        now += 1_000_000_000L + random.nextLong(-20_000_000L, 20_000_000L);
        phi.arrived(now);
        return phi.allowedSilenceNanos();
    }
}
