package io.tether.admin.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import io.tether.keeper.EndpointCounters;
import io.tether.keeper.EndpointStatus;
import io.tether.keeper.Keeper;
import java.io.IOException;
import java.time.Duration;

/** {@code GET /keeper}: every endpoint's status and counters, in configuration order; names leave as escaped JSON. */
final class KeeperJson {
    private KeeperJson() {
    }

    static String endpoints(Keeper keeper) {
        return Routes.json(g -> {
            g.writeArrayFieldStart("endpoints");
            for (EndpointStatus status : keeper.status()) {
                g.writeStartObject();
                write(g, status);
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    private static void write(JsonGenerator json, EndpointStatus status) throws IOException {
        json.writeStringField("name", status.name());
        json.writeStringField("address", status.address());
        json.writeStringField("mode", status.mode().name());
        json.writeStringField("state", status.state().name());
        json.writeNumberField("idle", status.idle());
        json.writeNumberField("lent", status.borrowed());
        json.writeNumberField("poolSize", status.poolSize());
        micros(json, "lastProbeRttMicros", status.lastProbeRtt());
        json.writeNumberField("failures", status.failures());
        json.writeStringField("lastFailure", status.lastFailure());
        json.writeStringField("nextRetry", status.nextRetry() == null ? null : status.nextRetry().toString());
        EndpointCounters counters = status.counters();
        json.writeObjectFieldStart("counters");
        json.writeNumberField("borrows", counters.borrows());
        micros(json, "borrowWaitMicros", counters.borrowWait());
        micros(json, "longestBorrowWaitMicros", counters.longestBorrowWait());
        json.writeNumberField("borrowTimeouts", counters.borrowTimeouts());
        json.writeNumberField("leaks", counters.leaks());
        json.writeObjectFieldStart("probeFailures");
        for (var failures : counters.probeFailures().entrySet()) {
            json.writeNumberField(failures.getKey().name(), failures.getValue());
        }
        json.writeEndObject();
        json.writeNumberField("opened", counters.opened());
        json.writeNumberField("retired", counters.retired());
        json.writeNumberField("wentUp", counters.wentUp());
        json.writeNumberField("wentDown", counters.wentDown());
        json.writeEndObject();
    }

    private static void micros(JsonGenerator json, String field, Duration duration) throws IOException {
        if (duration == null) {
            json.writeNullField(field);
        } else {
            json.writeNumberField(field, duration.toNanos() / 1000);
        }
    }
}
