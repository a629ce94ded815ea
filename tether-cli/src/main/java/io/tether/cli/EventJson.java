package io.tether.cli;

import io.tether.keeper.EndpointEvent;
import io.tether.admin.internal.SessionJson;
import io.tether.server.PresenceEvent;

/**
 * One event as one line of JSON, for {@code --events jsonl}. Written field by field with Jackson's
 * streaming generator: no map and no data binding per event, which matters when thousands of verdicts come
 * at once (docs/PERFORMANCE.md, a burst of verdicts). Jackson escapes every string, so a client's text cannot
 * break a line.
 */
public final class EventJson {

    private EventJson() {
    }

    /** The same fields the admin port's event stream carries. */
    public static String line(PresenceEvent event) {
        return SessionJson.line(event);
    }

    static String line(EndpointEvent event) {
        return SessionJson.object(json -> {
            json.writeStringField("event", event.state().name());
            json.writeStringField("endpoint", event.endpoint());
            json.writeStringField("cause", event.cause());
            json.writeNumberField("at", event.at());
        });
    }

}
