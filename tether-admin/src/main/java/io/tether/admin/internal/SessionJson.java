package io.tether.admin.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import io.tether.server.PresenceEvent;
import io.tether.server.SessionInfo;
import java.io.IOException;

/** The JSON fields of a session and of a presence event, as the admin API and the dashboard read them. */
public final class SessionJson {
    private SessionJson() {
    }

    static void write(JsonGenerator json, SessionInfo session) throws IOException {
        json.writeStringField("clientId", session.clientId());
        json.writeNumberField("sessionId", session.sessionId());
        json.writeStringField("remote", session.remote());
        json.writeStringField("connectedAt", session.connectedAt().toString());
        json.writeStringField("lastSeenAt", session.lastSeenAt().toString());
        if (session.lastRtt() == null) {
            json.writeNullField("rttMicros");
        } else {
            json.writeNumberField("rttMicros", session.lastRtt().toNanos() / 1000);
        }
        json.writeNumberField("intervalMs", session.heartbeat().interval().toMillis());
        json.writeNumberField("timeoutMs", session.heartbeat().timeout().toMillis());
        json.writeBooleanField("legacy", session.legacy());
        json.writeStringField("principal", session.principal());
    }

    /** An event's fields, the same as {@code tether server --events jsonl} prints. */
    public static void write(JsonGenerator json, PresenceEvent event) throws IOException {
        json.writeStringField("event", event.type().name());
        json.writeStringField("clientId", event.clientId());
        json.writeNumberField("sessionId", event.sessionId());
        json.writeStringField("remote", event.remote());
        json.writeStringField("reason", event.reason() == null ? null : event.reason().name());
        json.writeStringField("detail", event.detail());
        json.writeNumberField("silentMs", event.silentMillis());
        json.writeBooleanField("legacy", event.legacy());
        json.writeNumberField("timeoutMs", event.timeoutMillis());
        json.writeNumberField("lateMs", event.lateMillis());
        json.writeNumberField("at", event.at());
    }

    /** One event as one line of JSON. */
    public static String line(PresenceEvent event) {
        return Routes.json(g -> write(g, event));
    }
}
