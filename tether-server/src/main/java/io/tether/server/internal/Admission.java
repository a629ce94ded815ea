package io.tether.server.internal;

import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.internal.Exchange;
import io.tether.internal.LogLimit;
import io.tether.internal.MemoryBudget;
import io.tether.internal.SilenceRule;
import io.tether.protocol.CloseReason;
import io.tether.protocol.Hello;
import io.tether.protocol.Welcome;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every connection of one server shares, and the end of a handshake: a client that said a valid HELLO
 * is answered WELCOME and put online. Holds plain values (the registry, the configuration, the counts and
 * the buffer budget), not the server, so that a connection can be built and driven without one.
 */
final class Admission {
    private static final Logger log = LoggerFactory.getLogger(Admission.class);

    private final SessionRegistry registry;
    private final ServerConfig config;
    private final ConnectionCounts counts;
    private final MemoryBudget buffers;
    private final LogLimit refusalLines;
    private final SilenceRule serverHeartbeat;
    private final int maxPayload;
    private final HandshakeRate handshakeRate;

    Admission(SessionRegistry registry, ServerConfig config, ConnectionCounts counts, MemoryBudget buffers, long nowNanos) {
        this.registry = registry;
        this.config = config;
        this.counts = counts;
        this.buffers = buffers;
        this.refusalLines = new LogLimit(10, TimeUnit.SECONDS.toNanos(1), nowNanos);
        this.serverHeartbeat = SilenceRule.fixed(config.heartbeat().timeout().toNanos());
        this.maxPayload = config.maxPayload();
        this.handshakeRate = new HandshakeRate(config.limits().maxHandshakeRate(), nowNanos);
    }

    /** How fast every listener of this server takes new connections. */
    HandshakeRate handshakeRate() {
        return handshakeRate;
    }

    /** The rule that judges the silence of a session held to {@code policy}; see {@link ServerConfig#silenceRule}. */
    SilenceRule silenceRule(HeartbeatPolicy policy, long lastReadNanos) {
        return config.silenceRule(policy, lastReadNanos, serverHeartbeat);
    }

    /** The largest payload a frame may carry; read for every frame. */
    int maxPayload() {
        return maxPayload;
    }

    ServerConfig config() {
        return config;
    }

    SessionRegistry registry() {
        return registry;
    }

    ConnectionCounts counts() {
        return counts;
    }

    /** What all connections together may hold for partial inbound and unsent outbound frames. */
    MemoryBudget buffers() {
        return buffers;
    }

    boolean isClosing() {
        return registry.isClosing();
    }

    /**
     * Admits the client of {@code connection}: installs the new session and its routes before the session is
     * announced, so that frames arriving right behind the HELLO already reach it, writes WELCOME, and
     * registers the session (which announces it). Runs on the connection's event loop.
     */
    void admit(ServerConnection connection, Hello hello) {
        if (registry.isClosing()) {
            connection.refuse(CloseReason.SERVER_SHUTDOWN, "server is shutting down");
            return;
        }
        HeartbeatPolicy policy = config.enforce(hello.requestedInterval());
        ServerSession session = new ServerSession(registry, connection, new Exchange(connection, config.maxPayload()),
                hello.clientId(), registry.nextSessionId(), policy, false);
        connection.install(session, new ServerRoutes(session, config));
        connection.write(new Welcome(Hello.PROTOCOL_VERSION, policy.interval().toMillis(), policy.timeout().toMillis(),
                config.maxPayload(), session.sessionId()).encode(connection.alloc()), null);
        ServerSession replaced = registry.register(session);
        if (replaced == session) {
            if (!session.isEnded()) {
                connection.refuse(CloseReason.SERVER_SHUTDOWN, "server is shutting down");
            }
            return;
        }
        if (replaced != null) {
            replaced.cleanUp(CloseReason.REPLACED, SessionRegistry.replacedDetail(session));
        }
        session.watch(this);
    }

    /**
     * Counts a connection refused before it came online and logs it, at most 10 lines a second across the
     * server: a flood of bad or surplus connections is counted in the stats, not written line by line.
     * {@code why} must already be log-safe.
     */
    void rejected(String remote, CloseReason reason, String why, long nowNanos) {
        registry.countRejected();
        long left = refusalLines.take(nowNanos);
        if (left >= 0) {
            log.warn("refused connection from {}: {} - {}{}", remote, reason, why, LogLimit.note(left));
        }
    }
}
