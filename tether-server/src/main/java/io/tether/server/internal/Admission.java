package io.tether.server.internal;

import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.internal.Exchange;
import io.tether.internal.Liveness;
import io.tether.internal.SilenceRule;
import io.tether.protocol.CloseReason;
import io.tether.protocol.Frames;
import io.tether.protocol.Hello;
import io.tether.protocol.Welcome;
import io.tether.util.LogSafe;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The end of a handshake, the same for every kind of connection: a client that said a valid HELLO is
 * answered WELCOME and put online; anything else is refused with GOAWAY. A refused connection was never
 * online, so it produces no presence events. Runs on the connection's event loop.
 */
final class Admission {
    private Admission() {
    }

    /**
     * Admits the client. {@code install} receives the new session and its frame routes before the session
     * is announced, so that frames arriving right behind the HELLO already reach it.
     */
    static void admit(ServerRuntime runtime, SessionLink link, Hello hello,
                      BiConsumer<ServerSession, ServerRoutes> install) {
        SessionRegistry registry = runtime.registry();
        if (registry.isClosing()) {
            refuse(runtime, link, CloseReason.SERVER_SHUTDOWN, "server is shutting down");
            return;
        }
        ServerConfig config = runtime.config();
        HeartbeatPolicy policy = config.enforce(hello.requestedInterval());
        ServerSession session = new ServerSession(registry, link, new Exchange(link, config.maxPayload()),
                hello.clientId(), registry.nextSessionId(), policy, false);
        install.accept(session, new ServerRoutes(session, config));
        link.write(new Welcome(Hello.PROTOCOL_VERSION, policy.interval().toMillis(), policy.timeout().toMillis(),
                config.maxPayload(), session.sessionId()).encode(link.alloc()), null);
        ServerSession replaced = registry.register(session);
        if (replaced == session) {
            if (!session.isEnded()) {
                refuse(runtime, link, CloseReason.SERVER_SHUTDOWN, "server is shutting down");
            }
            return;
        }
        if (replaced != null) {
            replaced.cleanUp(CloseReason.REPLACED, SessionRegistry.replacedDetail(session));
        }
        session.watch(config);
    }

    /** Refuses a connection that is not online: GOAWAY with the reason, then close. */
    static void refuse(ServerRuntime runtime, SessionLink link, CloseReason reason, String message) {
        if (!link.isOpen()) {
            return;
        }
        runtime.rejected(link.remote(), reason, LogSafe.text(message));
        link.liveness().disarm();
        link.close(Frames.goAway(link.alloc(), reason, message), true);
    }

    /**
     * Starts the handshake clock of a new connection: a deadline counted from accept, which bytes that
     * trickle in do not move. Runs before the connection's first read.
     */
    static void awaitHello(ServerRuntime runtime, SessionLink link) {
        long timeout = runtime.config().handshakeTimeout().toNanos();
        Liveness liveness = link.liveness();
        liveness.arm(SilenceRule.deadline(liveness.lastReadNanos(), timeout), silent -> {
            String partial = link.partialFrame();
            refuse(runtime, link, CloseReason.PROTOCOL_ERROR, "no HELLO within "
                    + TimeUnit.NANOSECONDS.toMillis(timeout) + " ms" + (partial != null ? "; " + partial : ""));
        });
    }
}
