package io.tether.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.tether.keeper.EndpointEvent;
import io.tether.admin.internal.SessionJson;
import io.tether.server.PresenceEvent;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * One event as one line of JSON, for {@code --events jsonl}. Written field by field with Jackson's
 * streaming generator: no map and no data binding per event, which matters when thousands of verdicts come
 * at once (docs/PERFORMANCE.md, a burst of verdicts). Jackson escapes every string, so a client's text cannot
 * break a line.
 */
public final class EventJson {
    private static final JsonFactory JSON = new JsonFactory();

    private EventJson() {
    }

    /** The same fields the admin port's event stream carries. */
    public static String line(PresenceEvent event) {
        return SessionJson.line(event);
    }

    static String line(EndpointEvent event) {
        return write(json -> {
            json.writeStringField("event", event.state().name());
            json.writeStringField("endpoint", event.endpoint());
            json.writeStringField("cause", event.cause());
            json.writeNumberField("at", event.at());
        });
    }

    private interface Fields {
        void write(JsonGenerator json) throws IOException;
    }

    private static String write(Fields fields) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            fields.write(json);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write an event as JSON", e);
        }
        return out.toString();
    }
}
