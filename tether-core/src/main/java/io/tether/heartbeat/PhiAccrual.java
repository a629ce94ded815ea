package io.tether.heartbeat;

import io.tether.util.Durations;
import java.time.Duration;

/**
 * Settings of the phi-accrual failure detector. Instead of one fixed timeout, it learns how regularly a
 * peer's traffic arrives and declares it dead when the current silence has become improbable: with
 * threshold φ, when the chance that a live peer would stay silent this long falls below 10^-φ.
 *
 * <p>Concretely the allowed silence is {@code mean gap + acceptable pause + z(φ) × max(std dev, min std
 * dev)}, over the last {@code window} gaps between inbound arrivals, and never less than one heartbeat
 * interval nor more than twice the fixed timeout. A steady peer is therefore convicted sooner than the
 * fixed timeout would, a jittery one later.
 *
 * @param threshold            φ; 8 means a one-in-10^8 chance of a false verdict under the model (2..20)
 * @param minStdDeviation      floor for the measured deviation, so a very steady peer is not judged on noise
 * @param acceptablePause      extra silence always tolerated; {@code null} means one heartbeat interval
 * @param window               how many recent gaps the estimate uses (4..1000)
 */
public record PhiAccrual(double threshold, Duration minStdDeviation, Duration acceptablePause, int window) {

    public PhiAccrual {
        if (!(threshold >= 2 && threshold <= 20)) {
            throw new IllegalArgumentException("phi threshold must be within 2..20, got " + threshold);
        }
        Durations.requirePositive(minStdDeviation, "minimum standard deviation");
        if (acceptablePause != null && acceptablePause.isNegative()) {
            throw new IllegalArgumentException("acceptable heartbeat pause must not be negative");
        }
        if (window < 4 || window > 1000) {
            throw new IllegalArgumentException("phi sample window must be within 4..1000, got " + window);
        }
    }

    /** φ = 8, min std dev 100 ms, acceptable pause one interval, window 32. */
    public static PhiAccrual defaults() {
        return new PhiAccrual(8.0, Duration.ofMillis(100), null, 32);
    }

    /** The pause tolerated for a peer that heartbeats every {@code interval}. */
    public Duration acceptablePauseFor(Duration interval) {
        return acceptablePause != null ? acceptablePause : interval;
    }

    /** How many standard deviations past the mean the threshold lies: the normal quantile of 1 − 10^-φ. */
    public double deviations() {
        return upperTailQuantile(Math.pow(10, -threshold));
    }

    /**
     * The z with P(Z &gt; z) = {@code p} for a standard normal Z, for small p (p &lt; 0.02), by the
     * rational approximation of P. J. Acklam (relative error below 1.2e-9).
     */
    static double upperTailQuantile(double p) {
        double q = Math.sqrt(-2 * Math.log(p));
        double num = ((((-7.784894002430293e-03 * q - 3.223964580411365e-01) * q - 2.400758277161838e+00) * q
                - 2.549732539343734e+00) * q + 4.374664141464968e+00) * q + 2.938163982698783e+00;
        double den = (((7.784695709041462e-03 * q + 3.224671290700398e-01) * q + 2.445134137142996e+00) * q
                + 3.754408661907416e+00) * q + 1;
        return -num / den;
    }
}
