package io.tether.server;

import static org.awaitility.Awaitility.await;

import io.tether.protocol.CloseReason;
import java.time.Duration;
import java.util.List;
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

    List<PresenceEvent> of(String clientId) {
        return events.stream().filter(e -> e.clientId().equals(clientId)).toList();
    }
}
