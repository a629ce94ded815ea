package io.tether.bench.lab;

import com.fasterxml.jackson.databind.JsonNode;
import io.tether.util.LogSafe;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks a server's presence events in the order it delivered them, against the promise of
 * {@code PresenceEvent}: per session id exactly one ONLINE, then exactly one OFFLINE, never at an earlier
 * time. Anything else is a violation. Fed one event at a time, so it can be asked mid-run who is online.
 */
final class PresenceAudit {
    private static final int VIOLATIONS_KEPT = 5;
    private final String watchedPrefix;
    private final Map<Long, Online> online = new HashMap<>();
    private final Set<Long> ended = new HashSet<>();
    private final Map<String, Long> offlineByReason = new TreeMap<>();
    private final List<String> firstViolations = new ArrayList<>();
    private long sessions;
    private long violations;
    private long watchedOffline;

    private record Online(String clientId, long at) {
    }

    /** {@code watchedPrefix}: the client ids whose OFFLINE events {@link #watchedOffline()} counts. */
    PresenceAudit(String watchedPrefix) {
        this.watchedPrefix = watchedPrefix;
    }

    /** One event as {@code EventJson} writes it. */
    void accept(JsonNode event) {
        accept(event.path("event").asText(), event.path("sessionId").asLong(), event.path("clientId").asText(),
                event.path("reason").asText(), event.path("at").asLong());
    }

    void accept(String type, long sessionId, String clientId, String reason, long at) {
        switch (type) {
            case "ONLINE" -> {
                if (online.containsKey(sessionId)) {
                    violation("a second ONLINE for session " + sessionId + " (" + clientId + ")");
                } else if (ended.contains(sessionId)) {
                    violation("ONLINE after the OFFLINE of session " + sessionId + " (" + clientId + ")");
                } else {
                    online.put(sessionId, new Online(clientId, at));
                    sessions++;
                }
            }
            case "OFFLINE" -> {
                Online was = online.remove(sessionId);
                if (!ended.add(sessionId)) {
                    violation("a second OFFLINE for session " + sessionId + " (" + clientId + ")");
                    return;
                }
                if (was == null) {
                    violation("OFFLINE without an ONLINE before it for session " + sessionId + " (" + clientId + ")");
                } else if (at < was.at()) {
                    violation("OFFLINE at " + at + " before its ONLINE at " + was.at() + " for session " + sessionId);
                }
                offlineByReason.merge(reason, 1L, Long::sum);
                if (clientId.startsWith(watchedPrefix)) {
                    watchedOffline++;
                }
            }
            default -> violation("an event of unknown type '" + type + "' for session " + sessionId);
        }
    }

    private void violation(String what) {
        violations++;
        if (firstViolations.size() < VIOLATIONS_KEPT) {
            firstViolations.add(LogSafe.text(what));
        }
    }

    /** Sessions that have had their ONLINE. */
    long sessions() {
        return sessions;
    }

    long violations() {
        return violations;
    }

    /** The first few violations, escaped for printing. */
    List<String> firstViolations() {
        return List.copyOf(firstViolations);
    }

    /** Sessions online now, that is with an ONLINE and no OFFLINE yet. */
    int online() {
        return online.size();
    }

    /** Sessions online now whose client id does not start with the watched prefix. */
    long strangersOnline() {
        return online.values().stream().filter(o -> !o.clientId().startsWith(watchedPrefix)).count();
    }

    /** A few of the sessions online now that are not watched, escaped for printing. */
    List<String> someStrangers() {
        return online.entrySet().stream().filter(e -> !e.getValue().clientId().startsWith(watchedPrefix)).limit(5)
                .map(e -> "session " + e.getKey() + " (" + LogSafe.text(e.getValue().clientId()) + ")").toList();
    }

    /** OFFLINE events of watched client ids so far. */
    long watchedOffline() {
        return watchedOffline;
    }

    Map<String, Long> offlineByReason() {
        return new TreeMap<>(offlineByReason);
    }
}
