package io.tether.server.internal;

import io.tether.internal.MemoryBudget;
import io.tether.internal.SerialDispatcher;
import io.tether.protocol.CloseReason;
import io.tether.server.PresenceEvent;
import io.tether.server.PresenceListener;
import io.tether.server.ServerStats;
import io.tether.server.SessionInfo;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The table of online sessions and the single place presence events are born.
 *
 * <p>Every state change for a client id — coming online, being replaced, going offline — happens inside
 * {@link ConcurrentHashMap#compute} for that id, and the event is published inside it too. Two racing
 * changes to one client are therefore serialised, the session's offline flag is flipped exactly once, and
 * a replaced session's OFFLINE is always published before its successor's ONLINE. A session is announced
 * ONLINE at most once and only while it has not ended; its OFFLINE is published only if it was announced.
 */
public final class SessionRegistry {
    private final ConcurrentHashMap<String, ServerSession> byClientId = new ConcurrentHashMap<>();
    private final SerialDispatcher<PresenceListener, PresenceEvent> events;
    private final AtomicLong sessionIds = new AtomicLong();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder onlineEvents = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final AtomicLongArray offlineByReason = new AtomicLongArray(CloseReason.values().length);
    private volatile boolean closing;
    /** Registrations in progress; shutdown waits for them so that its sweep cannot miss one that lands late. */
    private final AtomicInteger registering = new AtomicInteger();

    SessionRegistry(SerialDispatcher<PresenceListener, PresenceEvent> events) {
        this.events = events;
    }

    long nextSessionId() {
        return sessionIds.incrementAndGet();
    }

    void countAccepted() {
        accepted.increment();
    }

    void countRejected() {
        rejected.increment();
    }

    boolean isClosing() {
        return closing;
    }

    /**
     * Refuses new sessions from now on, and returns once every registration that had already begun has
     * finished: after this, {@link #all()} holds every session that will ever have been admitted. (The
     * counter is raised before {@code closing} is read, and {@code closing} is set before the counter is
     * read, so each registration either sees the shutdown or is waited for.)
     */
    void beginShutdown() {
        closing = true;
        while (registering.get() != 0) {
            Thread.onSpinWait(); // a registration is a few map operations on an event loop
        }
    }

    /**
     * Puts a newly handshaken session online. Returns the session it replaced (already marked offline,
     * still to be cleaned up by the caller), or {@code null}. Returns the session itself when it was not
     * admitted: the server is shutting down, or the session already ended (its connection broke while the
     * WELCOME was written). A session that ended before this point is never announced, so no OFFLINE can
     * precede its ONLINE and nothing is left online without a connection.
     */
    ServerSession register(ServerSession session) {
        registering.incrementAndGet();
        try {
            return admit(session);
        } finally {
            registering.decrementAndGet();
        }
    }

    private ServerSession admit(ServerSession session) {
        ServerSession[] replaced = new ServerSession[1];
        boolean[] admitted = new boolean[1];
        byClientId.compute(session.clientId(), (id, current) -> {
            if (closing || !session.markOnline()) {
                return current; // shutting down, or it ended (its socket broke) before it could be announced
            }
            if (current != null && current.markOffline() == ServerSession.ONLINE) {
                replaced[0] = current;
                publishOffline(current, CloseReason.REPLACED, replacedDetail(session));
            }
            admitted[0] = true;
            onlineEvents.increment();
            events.publish(new PresenceEvent(PresenceEvent.Type.ONLINE, session.clientId(), session.sessionId(),
                    session.remote(), null, "", 0, System.currentTimeMillis(), session.isLegacy()));
            return session;
        });
        return admitted[0] ? replaced[0] : session;
    }

    static String replacedDetail(ServerSession successor) {
        return "replaced by session " + successor.sessionId() + " from " + successor.remote();
    }

    /** Takes a session offline; true only for the one call that actually did so. */
    boolean retire(ServerSession session, CloseReason reason, String detail) {
        boolean[] won = new boolean[1];
        byClientId.compute(session.clientId(), (id, current) -> {
            int was = session.markOffline();
            if (was != ServerSession.OFFLINE) {
                won[0] = true; // the caller cleans up, announced or not
                if (was == ServerSession.ONLINE) {
                    publishOffline(session, reason, detail);
                }
            }
            return current == session ? null : current;
        });
        return won[0];
    }

    private void publishOffline(ServerSession session, CloseReason reason, String detail) {
        offlineByReason.incrementAndGet(reason.ordinal());
        events.publish(new PresenceEvent(PresenceEvent.Type.OFFLINE, session.clientId(), session.sessionId(),
                session.remote(), reason, detail, session.silentMillis(), System.currentTimeMillis(),
                session.isLegacy()));
    }

    public ServerSession find(String clientId) {
        return clientId == null ? null : byClientId.get(clientId);
    }

    public List<ServerSession> all() {
        return new ArrayList<>(byClientId.values());
    }

    public List<SessionInfo> snapshot() {
        List<SessionInfo> infos = new ArrayList<>(byClientId.size());
        for (ServerSession session : byClientId.values()) {
            infos.add(session.info());
        }
        return infos;
    }

    public int size() {
        return byClientId.size();
    }

    ServerStats stats(ConnectionCounts counts, MemoryBudget buffers) {
        Map<CloseReason, Long> offline = new EnumMap<>(CloseReason.class);
        for (CloseReason reason : CloseReason.values()) {
            offline.put(reason, offlineByReason.get(reason.ordinal()));
        }
        return new ServerStats(size(), accepted.sum(), onlineEvents.sum(), offline, rejected.sum(), counts.open(),
                counts.handshakes(), buffers.held());
    }
}
