package io.tether.admin.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tether.admin.PresenceFeed;
import io.tether.server.TetherServer;
import org.junit.jupiter.api.Test;

class ServerMetersTest {
    /** Micrometer holds what a gauge reads weakly: the server's gauges must still read after a collection. */
    @Test
    void gaugesStillReadAfterAGarbageCollection() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TetherServer server = TetherServer.builder().host("127.0.0.1").port(0).build().start()) {
            ServerMeters.bind(server, new PresenceFeed(1), registry);
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            assertThat(registry.get("tether.sessions.online").tag("listener", "tether").gauge().value()).isZero();
            assertThat(registry.get("tether.connections.open").gauge().value()).isZero();
        }
    }

    @Test
    void rttStatisticsTakeTheNearestRankAndAreNaNWithoutReports() {
        long[] micros = {100, 200, 300, 400, 500, 600, 700, 800, 900, 1000};
        assertThat(ServerMeters.statistic(micros, "p50")).isEqualTo(500e-6);
        assertThat(ServerMeters.statistic(micros, "p90")).isEqualTo(900e-6);
        assertThat(ServerMeters.statistic(micros, "p99")).isEqualTo(1000e-6);
        assertThat(ServerMeters.statistic(micros, "max")).isEqualTo(1000e-6);
        assertThat(ServerMeters.statistic(new long[0], "p50")).isNaN();
    }
}
