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
import java.util.Objects;
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
    private final AtomicLongArray rejectedByReason = new AtomicLongArray(CloseReason.values().length);
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

    void countRejected(CloseReason reason) {
        rejected.increment();
        rejectedByReason.incrementAndGet(reason.ordinal());
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

    /** How a registration ended. */
    enum Outcome {
        /** Announced ONLINE (after the session it replaced, if any, was announced OFFLINE). */
        ONLINE,
        /** Not admitted: the server is shutting down, or the session already ended (its socket broke). */
        NOT_ADMITTED,
        /** Not admitted: its client id is online as another principal, which it may not take over. */
        HELD_BY_ANOTHER
    }

    /** What {@link #register} did; {@code replaced} is the session it took over (to be cleaned up), or null. */
    record Registration(Outcome outcome, ServerSession replaced) { }

    /**
     * Puts a newly handshaken session online, replacing the session online with its client id if that one
     * authenticated as the same principal (or both are anonymous). The replaced session is already marked
     * offline and still to be cleaned up by the caller. A session that is not admitted is marked offline
     * unannounced: one that ended before this point is never announced, so no OFFLINE can precede its
     * ONLINE and nothing is left online without a connection.
     */
    Registration register(ServerSession session) {
        registering.incrementAndGet();
        try {
            return admit(session);
        } finally {
            registering.decrementAndGet();
        }
    }

    private Registration admit(ServerSession session) {
        Registration[] result = {new Registration(Outcome.NOT_ADMITTED, null)};
        byClientId.compute(session.clientId(), (id, current) -> {
            if (current != null && !current.isEnded() && !Objects.equals(current.principal(), session.principal())) {
                session.markOffline(); // never announced: no event is owed for it
                result[0] = new Registration(Outcome.HELD_BY_ANOTHER, null);
                return current;
            }
            if (closing || !session.markOnline()) {
                return current; // shutting down, or it ended (its socket broke) before it could be announced
            }
            ServerSession replaced = null;
            if (current != null && current.markOffline() == ServerSession.ONLINE) {
                replaced = current;
                publishOffline(current, CloseReason.REPLACED, replacedDetail(session));
            }
            result[0] = new Registration(Outcome.ONLINE, replaced);
            onlineEvents.increment();
            events.publish(new PresenceEvent(PresenceEvent.Type.ONLINE, session.clientId(), session.sessionId(),
                    session.remote(), null, "", 0, System.currentTimeMillis(), session.isLegacy(),
                    session.heartbeat().timeout().toMillis(), session.principal()));
            return session;
        });
        return result[0];
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
                session.isLegacy(), session.heartbeat().timeout().toMillis(), session.principal()));
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
        return new ServerStats(size(), accepted.sum(), onlineEvents.sum(), byReason(offlineByReason), rejected.sum(),
                counts.open(), counts.handshakes(), buffers.held(), byReason(rejectedByReason));
    }

    private static Map<CloseReason, Long> byReason(AtomicLongArray counts) {
        Map<CloseReason, Long> map = new EnumMap<>(CloseReason.class);
        for (CloseReason reason : CloseReason.values()) {
            map.put(reason, counts.get(reason.ordinal()));
        }
        return map;
    }
}
