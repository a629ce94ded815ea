package io.tether.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tether.server.TetherServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A real client's states, reconnects and round trips, counted by ClientMeters. */
class ClientMetersTest extends ClientHarness {
    @Test
    void statesReconnectsAndRoundTripsAreCounted() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TetherServer server = startServer(server(0));
        int port = server.address().getPort();
        TetherClient alice = startClient(client("alice", port).listener(new ClientMeters(registry, "alice")));
        assertThat(alice.awaitOnline(Duration.ofSeconds(10))).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.get("tether.client.rtt").summary().count() >= 3);
        assertThat(registry.get("tether.client.state").tag("state", "ONLINE").gauge().value()).isEqualTo(1);

        server.kick("alice", "test");
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.get("tether.client.reconnects").counter().count() == 1
                && registry.get("tether.client.transitions").tag("to", "ONLINE").counter().count() == 2);
        assertThat(registry.get("tether.client.state").tag("state", "RECONNECTING").gauge().value()).isZero();
    }
}
