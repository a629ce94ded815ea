package io.tether.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tether.protocol.CloseReason;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What a client does when a server will not have it: stop when nothing can change, retry otherwise. */
class ClientRefusalTest extends ClientHarness {

    @Test
    void refusedHelloEndsTheClientInsteadOfRetryingForEver() throws Exception {
        StateLog log = new StateLog();
        try (RefusingServer server = new RefusingServer(CloseReason.PROTOCOL_ERROR,
                "unsupported protocol version 1; this peer speaks 2")) {
            TetherClient client = startClient(client("old-timer", server.port()).listener(log));

            await().atMost(Duration.ofSeconds(10)).until(() -> client.state() == ClientState.CLOSED);

            assertThat(log.states).containsExactly(ClientState.CONNECTING, ClientState.CLOSED);
            assertThat(log.reasons).last().asString()
                    .contains("refused by 127.0.0.1:" + server.port(), "PROTOCOL_ERROR", "unsupported protocol version 1");
            // CLOSED is reached only after the refused connection closed, with no retry scheduled.
            assertThat(server.refusedCount()).isEqualTo(1);
        }
    }

    @Test
    void refusalForHelloArrivingLateIsRetriedAsItMayNotRecur() throws Exception {
        StateLog log = new StateLog();
        try (RefusingServer server = new RefusingServer(CloseReason.PROTOCOL_ERROR, "no HELLO within 300 ms")) {
            TetherClient client = startClient(client("slow-line", server.port()).listener(log));

            await().atMost(Duration.ofSeconds(10)).until(() -> server.refusedCount() >= 3);

            assertThat(client.state()).isNotEqualTo(ClientState.CLOSED);
            assertThat(log.reasons).anyMatch(r -> r.startsWith("RECONNECTING") && r.contains("no HELLO within"));
        }
    }

    @Test
    void serverShuttingDownDuringTheHandshakeIsRetried() throws Exception {
        try (RefusingServer server = new RefusingServer(CloseReason.SERVER_SHUTDOWN, "server is shutting down")) {
            TetherClient client = startClient(client("patient", server.port()));

            await().atMost(Duration.ofSeconds(10)).until(() -> server.refusedCount() >= 3);

            assertThat(client.state()).isNotEqualTo(ClientState.CLOSED);
        }
    }

    @Test
    void refusalTextFromTheServerIsShownEscapedAndBounded() throws Exception {
        StateLog log = new StateLog();
        try (RefusingServer server = new RefusingServer(CloseReason.PROTOCOL_ERROR,
                "bad handshake\nFORGED LINE " + "x".repeat(500))) {
            TetherClient client = startClient(client("careful", server.port()).listener(log));

            await().atMost(Duration.ofSeconds(10)).until(() -> client.state() == ClientState.CLOSED);

            assertThat(log.reasons).last().asString().doesNotContain("\n").contains("bad handshake\\nFORGED LINE")
                    .hasSizeLessThan(400);
        }
    }

    @Test
    void idsTheServerWouldRefuseAreRefusedByTheBuilder() {
        assertThatThrownBy(() -> client("x".repeat(300), 1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than 255");
        assertThatThrownBy(() -> client("tab\there", 1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("control character");
        assertThatThrownBy(() -> client("", 1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
    }
}
