package io.tether.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.heartbeat.PhiAccrual;
import io.tether.internal.FrameDecoder;
import io.tether.internal.PhiAccrualRule;
import io.tether.internal.SilenceRule;
import io.tether.internal.Transports;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import java.time.Duration;
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
 * an arrival. Run with {@code -prof gc}: each should allocate 0 bytes per operation.
 *
 * <p>The decoder is driven as a channel drives it, through {@link ChannelInboundHandlerAdapter#channelRead}
 * of a pipeline (its frame step alone is not public API), so that piece includes Netty's own
 * {@code ByteToMessageDecoder} work for one read.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HeartbeatPathBenchmark {
    private final SplittableRandom random = new SplittableRandom(1);
    private EmbeddedChannel channel;
    private ByteBuf input;
    /** The type code of the last frame the pipeline handed on, after it was turned into a PONG. */
    private int handedOn;
    private SilenceRule fixed;
    private PhiAccrualRule phi;
    private long now;

    @Setup
    public void setUp() {
        // What a socket read hands the decoder: one PING in a buffer from the default (pooled) allocator.
        ByteBuf ping = Frames.ping(Transports.ALLOCATOR, 123_456, 789);
        input = Transports.ALLOCATOR.directBuffer(64).writeBytes(ping);
        ping.release();
        channel = new EmbeddedChannel(new FrameDecoder(Frames.DEFAULT_MAX_PAYLOAD), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf frame = (ByteBuf) msg;
                Frames.turnPingIntoPong(frame);
                handedOn = Frames.typeCode(frame);
                frame.release();
            }
        });
        channel.config().setAllocator(Transports.ALLOCATOR);
        if (decodePingIntoPong() != FrameType.PONG.code()) {
            throw new IllegalStateException("the pipeline did not hand on the PING as a PONG");
        }
        HeartbeatPolicy policy = HeartbeatPolicy.of(Duration.ofSeconds(1), Duration.ofSeconds(3));
        now = System.nanoTime();
        fixed = SilenceRule.fixed(policy.timeout().toNanos());
        phi = new PhiAccrualRule(PhiAccrual.defaults(), policy, now);
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
        input.release();
    }

    /** The decoder on one read holding a PING, plus the in-place PONG: what the server does with its bytes. */
    @Benchmark
    public int decodePingIntoPong() {
        // The decoder releases the read it consumed, as it does a socket's; this benchmark reuses the buffer.
        channel.pipeline().fireChannelRead(input.readerIndex(0).retain());
        return handedOn;
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
