package io.tether.client;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * A client's figures as Micrometer meters: register it as a listener ({@code TetherClient.Builder.listener})
 * and every meter is tagged with the client id. Needs micrometer-core on the class path (an optional
 * dependency of the client). Its cost per heartbeat is one summary record: no allocation, no lock.
 *
 * <ul>
 *   <li>{@code tether.client.state{client,state}}: 1 for the state the client is in, 0 for the others
 *   <li>{@code tether.client.transitions{client,to}}: state changes, by the state entered
 *   <li>{@code tether.client.reconnects{client}}: times it lost or failed a connection and tried again
 *   <li>{@code tether.client.rtt{client}}: heartbeat round trips, in seconds
 * </ul>
 */
public final class ClientMeters implements ClientListener {
    private volatile ClientState current = ClientState.CONNECTING;
    private final Map<ClientState, Counter> transitions = new EnumMap<>(ClientState.class);
    private final Counter reconnects;
    private final DistributionSummary rtt;

    public ClientMeters(MeterRegistry registry, String clientId) {
        Tags client = Tags.of("client", clientId);
        for (ClientState state : ClientState.values()) {
            Gauge.builder("tether.client.state", this, m -> m.current == state ? 1 : 0)
                    .tags(client.and("state", state.name())).description("1 for the state the client is in")
                    .register(registry);
            transitions.put(state, Counter.builder("tether.client.transitions").tags(client.and("to", state.name()))
                    .description("state changes, by the state entered").register(registry));
        }
        reconnects = Counter.builder("tether.client.reconnects").tags(client)
                .description("times the client lost or failed a connection and tried again").register(registry);
        rtt = DistributionSummary.builder("tether.client.rtt").tags(client).baseUnit("seconds")
                .description("heartbeat round trips").register(registry);
    }

    @Override
    public void stateChanged(ClientState previous, ClientState next, String reason) {
        current = next;
        transitions.get(next).increment();
        if (next == ClientState.RECONNECTING) {
            reconnects.increment();
        }
    }

    @Override
    public void heartbeatAcknowledged(Duration roundTrip) {
        rtt.record(roundTrip.toNanos() / 1e9);
    }
}
