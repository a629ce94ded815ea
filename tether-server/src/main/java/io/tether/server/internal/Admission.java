package io.tether.server.internal;

import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.internal.Exchange;
import io.tether.internal.LogLimit;
import io.tether.internal.MemoryBudget;
import io.tether.internal.SilenceRule;
import io.tether.protocol.CloseReason;
import io.tether.protocol.Hello;
import io.tether.protocol.Welcome;
import io.tether.util.LogSafe;
import java.time.Clock;
import java.time.Instant;
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
    /** Null where anonymous clients are admitted. */
    private final Authentication authentication;
    private final SourceLogLimit identityRefusalLines;
    /**
     * One client id's authenticated admissions take turns, from the check that no other principal holds the id
     * to its registration. Two principals admitted at once on two loops would otherwise both pass the check and
     * both be sent WELCOME before the registry turned one away, which then heard WELCOME and FORBIDDEN. A turn
     * lasts a WELCOME's write and a map update; ids share the stripes.
     */
    private final Object[] admissionTurns = new Object[64];

    Admission(SessionRegistry registry, ServerConfig config, ConnectionCounts counts, MemoryBudget buffers, long nowNanos) {
        this.registry = registry;
        this.config = config;
        this.counts = counts;
        this.buffers = buffers;
        this.refusalLines = new LogLimit(10, TimeUnit.SECONDS.toNanos(1), nowNanos);
        this.serverHeartbeat = SilenceRule.fixed(config.heartbeat().timeout().toNanos());
        this.maxPayload = config.maxPayload();
        this.handshakeRate = new HandshakeRate(config.limits().maxHandshakeRate(), nowNanos);
        this.authentication = config.authenticator() == null ? null
                : new Authentication(config.authenticator(), Clock.systemUTC(), nowNanos);
        this.identityRefusalLines = new SourceLogLimit(TimeUnit.MINUTES.toNanos(1), 4096);
        for (int i = 0; i < admissionTurns.length; i++) {
            admissionTurns[i] = new Object();
        }
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
     * Takes a client that said a valid HELLO: where clients must authenticate, asks who it is first, and
     * welcomes it once it is known. Runs on the connection's event loop.
     */
    void admit(ServerConnection connection, Hello hello) {
        if (registry.isClosing()) {
            connection.refuse(CloseReason.SERVER_SHUTDOWN, "server is shutting down");
        } else if (authentication != null) {
            authentication.start(connection, hello, this);
        } else {
            welcome(connection, hello, null, null, 0);
        }
    }

    /**
     * Admits the client of {@code connection} as {@code principal} (null: anonymous): installs the new session
     * and its routes before the session is announced, so that frames arriving right behind the HELLO already
     * reach it, writes WELCOME, and registers the session (which announces it). A credential that expires
     * ({@code expiresAt}, {@code delayNanos} from now) ends the session then. Runs on the connection's loop.
     */
    void welcome(ServerConnection connection, Hello hello, String principal, Instant expiresAt, long delayNanos) {
        if (principal == null) { // anonymous clients all count as one principal: none is ever turned away for another
            admitAs(connection, hello, null, expiresAt, delayNanos);
            return;
        }
        synchronized (admissionTurns[Math.floorMod(hello.clientId().hashCode(), admissionTurns.length)]) {
            admitAs(connection, hello, principal, expiresAt, delayNanos);
        }
    }

    private void admitAs(ServerConnection connection, Hello hello, String principal, Instant expiresAt, long delayNanos) {
        if (registry.isClosing()) {
            connection.refuse(CloseReason.SERVER_SHUTDOWN, "server is shutting down");
            return;
        }
        if (principal != null && heldByAnother(hello.clientId(), principal)) {
            connection.refuse(CloseReason.FORBIDDEN, heldByAnother(hello));
            return;
        }
        HeartbeatPolicy policy = config.enforce(hello.requestedInterval());
        ServerSession session = new ServerSession(registry, connection, new Exchange(connection, config.maxPayload()),
                hello.clientId(), registry.nextSessionId(), policy, false, principal);
        connection.install(session, new ServerRoutes(session, config));
        // WELCOME goes out before the session is registered: a connection that breaks while it is written has
        // ended by then and is never announced.
        connection.write(new Welcome(hello.version(), policy.interval().toMillis(), policy.timeout().toMillis(),
                config.maxPayload(), session.sessionId()).encode(connection.alloc()), null);
        SessionRegistry.Registration registration = registry.register(session);
        if (registration.outcome() == SessionRegistry.Outcome.HELD_BY_ANOTHER) {
            // Another principal's session from the classic port, which takes no turn: never announced.
            connection.refuse(CloseReason.FORBIDDEN, heldByAnother(hello));
            return;
        }
        if (registration.outcome() == SessionRegistry.Outcome.NOT_ADMITTED) {
            if (!session.isEnded()) {
                connection.refuse(CloseReason.SERVER_SHUTDOWN, "server is shutting down");
            }
            return;
        }
        ServerSession replaced = registration.replaced();
        if (replaced != null) {
            replaced.cleanUp(CloseReason.REPLACED, SessionRegistry.replacedDetail(session));
        }
        if (expiresAt != null) {
            session.expireAt(expiresAt, delayNanos);
        }
        session.watch(this);
    }

    /** Whether {@code clientId} is online as a principal other than {@code principal}; {@link SessionRegistry} decides for good. */
    private boolean heldByAnother(String clientId, String principal) {
        ServerSession current = registry.find(clientId);
        return current != null && !current.isEnded() && !principal.equals(current.principal());
    }

    private static String heldByAnother(Hello hello) {
        return "client id " + LogSafe.text(hello.clientId()) + " is online as another principal";
    }

    /**
     * Counts a connection refused before it came online and logs it, at most 10 lines a second across the
     * server: a flood of bad or surplus connections is counted in the stats, not written line by line.
     * {@code why} must already be log-safe.
     */
    void rejected(String remote, CloseReason reason, String why, long nowNanos) {
        registry.countRejected(reason);
        String fromSource = "";
        if (reason == CloseReason.UNAUTHENTICATED || reason == CloseReason.FORBIDDEN) {
            // A client retrying a bad credential would otherwise write a line per attempt, for ever.
            long quiet = identityRefusalLines.take(ConnectionCounts.hostOf(remote), nowNanos);
            if (quiet < 0) {
                return;
            }
            fromSource = quiet > 0 ? " (" + quiet + " more from this address in the last minute left out)" : "";
        }
        long left = refusalLines.take(nowNanos);
        if (left >= 0) {
            log.warn("refused connection from {}: {} - {}{}{}", remote, reason, why, fromSource, LogLimit.note(left));
        }
    }
}
