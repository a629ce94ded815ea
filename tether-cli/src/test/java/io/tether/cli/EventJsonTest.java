package io.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tether.protocol.CloseReason;
import io.tether.server.PresenceEvent;
import org.junit.jupiter.api.Test;

class EventJsonTest {
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void offlineEventCarriesEveryFieldOnOneLine() throws Exception {
        String line = EventJson.line(new PresenceEvent(PresenceEvent.Type.OFFLINE, "alice \"the\" first", 42,
                "127.0.0.1:5555", CloseReason.TIMEOUT, "no bytes for 6003 ms\nreally", 6003, 1_700_000_000_000L, false, 6000, null));

        assertThat(line).doesNotContain("\n");
        JsonNode json = mapper.readTree(line);
        assertThat(json.get("event").asText()).isEqualTo("OFFLINE");
        assertThat(json.get("clientId").asText()).isEqualTo("alice \"the\" first");
        assertThat(json.get("sessionId").asLong()).isEqualTo(42);
        assertThat(json.get("remote").asText()).isEqualTo("127.0.0.1:5555");
        assertThat(json.get("reason").asText()).isEqualTo("TIMEOUT");
        assertThat(json.get("silentMs").asLong()).isEqualTo(6003);
        assertThat(json.get("timeoutMs").asLong()).isEqualTo(6000);
        assertThat(json.get("lateMs").asLong()).isEqualTo(3);
        assertThat(json.get("at").asLong()).isEqualTo(1_700_000_000_000L);
    }

    @Test
    void onlineEventHasANullReason() throws Exception {
        JsonNode json = mapper.readTree(EventJson.line(new PresenceEvent(PresenceEvent.Type.ONLINE, "bob", 1,
                "127.0.0.1:1", null, "", 0, 1L, true, 15000, null)));
        assertThat(json.get("reason").isNull()).isTrue();
        assertThat(json.get("legacy").asBoolean()).isTrue();
    }
}
