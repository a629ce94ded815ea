package io.tether.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Frames and bytes that went through one event loop, in and out. Written only by that loop's thread, with
 * plain (opaque) stores: no lock, no fence, no allocation on the path of a heartbeat. Read by any thread,
 * which sees values at most a few moments old; they only grow.
 */
public final class Traffic {
    private static final VarHandle FRAMES_IN;
    private static final VarHandle BYTES_IN;
    private static final VarHandle FRAMES_OUT;
    private static final VarHandle BYTES_OUT;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            FRAMES_IN = lookup.findVarHandle(Traffic.class, "framesIn", long.class);
            BYTES_IN = lookup.findVarHandle(Traffic.class, "bytesIn", long.class);
            FRAMES_OUT = lookup.findVarHandle(Traffic.class, "framesOut", long.class);
            BYTES_OUT = lookup.findVarHandle(Traffic.class, "bytesOut", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Round trips the clients reported, counted in buckets: bucket k holds those of at most 2^k µs (k = 0..23,
     * 1 µs to about 8.4 s), the last one everything longer.
     */
    public static final int RTT_BUCKETS = 25;
    private static final VarHandle RTT = MethodHandles.arrayElementVarHandle(long[].class);
    private final long[] rtt = new long[RTT_BUCKETS];

    private long framesIn;
    private long bytesIn;
    private long framesOut;
    private long bytesOut;

    /** Bytes read, on the loop's thread. */
    public void read(int bytes) {
        BYTES_IN.setOpaque(this, bytesIn + bytes);
    }

    /** A whole frame read, on the loop's thread. */
    public void frameIn() {
        FRAMES_IN.setOpaque(this, framesIn + 1);
    }

    /** A frame of {@code bytes} handed to the socket, on the loop's thread. */
    public void frameOut(int bytes) {
        FRAMES_OUT.setOpaque(this, framesOut + 1);
        BYTES_OUT.setOpaque(this, bytesOut + bytes);
    }

    /** A round trip a client reported, in µs, on the loop's thread. */
    public void rtt(long micros) {
        int bucket = micros <= 1 ? 0 : Math.min(RTT_BUCKETS - 1, 64 - Long.numberOfLeadingZeros(micros - 1));
        RTT.setOpaque(rtt, bucket, rtt[bucket] + 1);
    }

    /** The count in round-trip bucket {@code k}, not cumulative. */
    public long rttBucket(int k) {
        return (long) RTT.getOpaque(rtt, k);
    }

    public long framesIn() {
        return (long) FRAMES_IN.getOpaque(this);
    }

    public long bytesIn() {
        return (long) BYTES_IN.getOpaque(this);
    }

    public long framesOut() {
        return (long) FRAMES_OUT.getOpaque(this);
    }

    public long bytesOut() {
        return (long) BYTES_OUT.getOpaque(this);
    }
}
