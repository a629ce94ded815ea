package io.tether.admin.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import io.tether.server.PresenceEvent;
import io.tether.server.SessionInfo;
import com.fasterxml.jackson.core.JsonFactory;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/** The JSON fields of a session and of a presence event, as the admin API and the dashboard read them. */
public final class SessionJson {
    private static final JsonFactory JSON = new JsonFactory();

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
        return object(g -> write(g, event));
    }

    /** The fields of one JSON object. */
    public interface Fields {
        void write(JsonGenerator json) throws IOException;
    }

    /**
     * One JSON object on one line, written field by field with Jackson's streaming generator (no map, no data
     * binding); Jackson escapes every string, so a client's text cannot break the line.
     */
    public static String object(Fields fields) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            fields.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JSON", e);
        }
        return out.toString();
    }
}
