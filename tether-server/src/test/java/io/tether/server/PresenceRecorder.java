package io.tether.server;

import static org.awaitility.Awaitility.await;

import io.tether.protocol.CloseReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every presence event, and waits for the ones a test expects. */
final class PresenceRecorder implements PresenceListener {
    final List<PresenceEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void onPresence(PresenceEvent event) {
        events.add(event);
    }

    PresenceEvent awaitOnline(String clientId) {
        return awaitEvent(clientId, PresenceEvent.Type.ONLINE);
    }

    PresenceEvent awaitOffline(String clientId) {
        return awaitEvent(clientId, PresenceEvent.Type.OFFLINE);
    }

    PresenceEvent awaitOffline(String clientId, CloseReason reason) {
        PresenceEvent event = awaitOffline(clientId);
        if (event.reason() != reason) {
            throw new AssertionError("expected OFFLINE " + reason + " for " + clientId + " but got " + event);
        }
        return event;
    }

    private PresenceEvent awaitEvent(String clientId, PresenceEvent.Type type) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> find(clientId, type), e -> e != null);
    }

    PresenceEvent find(String clientId, PresenceEvent.Type type) {
        return events.stream().filter(e -> e.clientId().equals(clientId) && e.type() == type).findFirst().orElse(null);
    }

    /**
     * The promise presence makes, checked over everything recorded: per session, exactly one ONLINE and then
     * at most one OFFLINE, in that order; with {@code closed}, exactly one OFFLINE each. A session is its
     * client id and session id (servers started one after another each count their sessions from 1).
     */
    void assertTruthful(boolean closed) {
        Map<String, List<PresenceEvent.Type>> bySession = new LinkedHashMap<>();
        for (PresenceEvent event : events) {
            bySession.computeIfAbsent(event.clientId() + "#" + event.sessionId(), id -> new ArrayList<>()).add(event.type());
        }
        List<PresenceEvent.Type> whole = List.of(PresenceEvent.Type.ONLINE, PresenceEvent.Type.OFFLINE);
        bySession.forEach((id, types) -> {
            boolean ok = types.equals(whole) || (!closed && types.equals(List.of(PresenceEvent.Type.ONLINE)));
            if (!ok) {
                throw new AssertionError("session " + id + " had events " + types + ": "
                        + events.stream().filter(e -> id.equals(e.clientId() + "#" + e.sessionId())).toList());
            }
        });
    }

    /** Waits until every ONLINE recorded so far but those of the sessions still online has its OFFLINE. */
    void awaitAllOfflineBut(java.util.function.IntSupplier stillOnline, Duration within) {
        await().atMost(within).until(() -> events.stream().filter(e -> e.type() == PresenceEvent.Type.ONLINE).count()
                == events.stream().filter(e -> e.type() == PresenceEvent.Type.OFFLINE).count() + stillOnline.getAsInt());
    }

    List<PresenceEvent> of(String clientId) {
        return events.stream().filter(e -> e.clientId().equals(clientId)).toList();
    }
}
