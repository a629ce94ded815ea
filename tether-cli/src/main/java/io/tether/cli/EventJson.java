package io.tether.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tether.keeper.EndpointEvent;
import io.tether.server.PresenceEvent;
import java.util.LinkedHashMap;
import java.util.Map;

/** One event as one line of JSON, for {@code --events jsonl}. */
public final class EventJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private EventJson() {
    }

    public static String line(PresenceEvent event) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("event", event.type().name());
        json.put("clientId", event.clientId());
        json.put("sessionId", event.sessionId());
        json.put("remote", event.remote());
        json.put("reason", event.reason() == null ? null : event.reason().name());
        json.put("detail", event.detail());
        json.put("silentMs", event.silentMillis());
        json.put("legacy", event.legacy());
        json.put("at", event.at());
        return write(json);
    }

    static String line(EndpointEvent event) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("event", event.state().name());
        json.put("endpoint", event.endpoint());
        json.put("cause", event.cause());
        json.put("at", event.at());
        return write(json);
    }

    private static String write(Map<String, Object> json) {
        try {
            return MAPPER.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write event as JSON", e);
        }
    }
}
