package io.tether.server.internal;

import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.heartbeat.PhiAccrual;
import io.tether.internal.PhiAccrualRule;
import io.tether.internal.SilenceRule;
import io.tether.server.Authenticator;
import io.tether.server.MessageHandler;
import io.tether.server.PresenceListener;
import io.tether.server.RequestHandler;
import java.time.Duration;
import java.util.List;

/**
 * Everything the server was built with; immutable. {@code tls} is null for plain TCP on the Tether port, and
 * {@code authenticator} null where anonymous clients are admitted. {@code reusePort} shares both ports with
 * other servers on the host ({@link PortSharing}).
 */
public record ServerConfig(
        String host,
        int port,
        int legacyPort,
        boolean reusePort,
        HeartbeatPolicy heartbeat,
        Duration minInterval,
        Duration maxInterval,
        Duration handshakeTimeout,
        int maxPayload,
        int maxOutboundBytes,
        Limits limits,
        int eventLoopThreads,
        List<PresenceListener> listeners,
        MessageHandler messageHandler,
        RequestHandler requestHandler,
        Duration shutdownTimeout,
        PhiAccrual phiAccrual,
        ServerTls tls,
        Authenticator authenticator) {

    /**
     * The rule that judges a session's silence: the fixed timeout, or phi accrual when configured. A fixed
     * rule keeps no state, so {@code shared}, the rule of the server's own heartbeat, serves every session
     * held to that heartbeat.
     */
    public SilenceRule silenceRule(HeartbeatPolicy policy, long lastReadNanos, SilenceRule shared) {
        if (phiAccrual != null) {
            return new PhiAccrualRule(phiAccrual, policy, lastReadNanos);
        }
        return policy.equals(heartbeat) ? shared : SilenceRule.fixed(policy.timeout().toNanos());
    }

    /**
     * The heartbeat enforced for a client that asked for {@code requestedMillis} (0 = no preference): the
     * interval is clamped to the allowed range and the timeout keeps the server's missed-period ratio.
     */
    public HeartbeatPolicy enforce(long requestedMillis) {
        if (requestedMillis == 0) {
            return heartbeat;
        }
        long interval = Math.max(minInterval.toMillis(), Math.min(maxInterval.toMillis(), requestedMillis));
        long timeout = Math.round(interval * heartbeat.missedPeriods());
        if (interval == heartbeat.interval().toMillis() && timeout == heartbeat.timeout().toMillis()) {
            return heartbeat; // the usual case, shared: a policy and its durations are three objects per session
        }
        return HeartbeatPolicy.of(Duration.ofMillis(interval), Duration.ofMillis(timeout));
    }
}
