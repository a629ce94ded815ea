package io.tether.internal;

import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.heartbeat.PhiAccrual;

/**
 * One connection's phi-accrual estimate: a ring of the last gaps between inbound arrivals (microseconds,
 * seeded with the heartbeat interval), with running sums so each arrival costs O(1) and no allocation.
 *
 * <p>The gap from the handshake to the first arrival is not a sample: clients place their first ping at a
 * random point of the first interval on purpose, so that gap says nothing about the peer's rhythm, and
 * counting it would make a young session's estimate needlessly lenient.
 */
public final class PhiAccrualRule implements SilenceRule {
    private final int[] gapsMicros;
    private final double deviations;
    private final long pauseNanos;
    private final long minStdNanos;
    private final long floorNanos;
    private final long capNanos;
    private final double threshold;
    private int count;
    private int next;
    private long sum;
    private long sumOfSquares;
    private long lastArrivalNanos;
    private boolean firstArrival = true;

    public PhiAccrualRule(PhiAccrual settings, HeartbeatPolicy policy, long nowNanos) {
        this.gapsMicros = new int[settings.window()];
        this.deviations = settings.deviations();
        this.threshold = settings.threshold();
        this.pauseNanos = settings.acceptablePauseFor(policy.interval()).toNanos();
        this.minStdNanos = settings.minStdDeviation().toNanos();
        this.floorNanos = policy.interval().toNanos();
        this.capNanos = policy.timeout().toNanos() * 2;
        this.lastArrivalNanos = nowNanos;
        add(policy.interval().toNanos() / 1000);
    }

    @Override
    public void arrived(long nanos) {
        if (firstArrival) {
            firstArrival = false;
        } else {
            add((nanos - lastArrivalNanos) / 1000);
        }
        lastArrivalNanos = nanos;
    }

    private void add(long gapMicros) {
        int gap = (int) Math.min(Integer.MAX_VALUE, Math.max(0, gapMicros));
        if (count == gapsMicros.length) {
            int old = gapsMicros[next];
            sum -= old;
            sumOfSquares -= (long) old * old;
        } else {
            count++;
        }
        gapsMicros[next] = gap;
        next = (next + 1) % gapsMicros.length;
        sum += gap;
        sumOfSquares += (long) gap * gap;
    }

    @Override
    public long allowedSilenceNanos() {
        double mean = (double) sum / count;
        double variance = Math.max(0, (double) sumOfSquares / count - mean * mean);
        double std = Math.max(Math.sqrt(variance) * 1000, minStdNanos);
        long allowed = (long) (mean * 1000 + pauseNanos + deviations * std);
        return Math.max(floorNanos, Math.min(capNanos, allowed));
    }

    @Override
    public String explain() {
        double mean = (double) sum / count;
        double std = Math.sqrt(Math.max(0, (double) sumOfSquares / count - mean * mean));
        return String.format(java.util.Locale.ROOT, "phi %.1f: allowed %d ms from mean gap %.0f ms, std dev %.0f ms",
                threshold, allowedSilenceNanos() / 1_000_000, mean / 1000, std / 1000);
    }
}
