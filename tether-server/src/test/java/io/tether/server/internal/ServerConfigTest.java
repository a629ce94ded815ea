package io.tether.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.heartbeat.PhiAccrual;
import io.tether.internal.SilenceRule;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Sessions held to the server's own heartbeat share its policy and its silence rule: no objects per session. */
class ServerConfigTest {
    private static final HeartbeatPolicy SERVER = HeartbeatPolicy.of(Duration.ofSeconds(2), Duration.ofSeconds(6));

    private static ServerConfig config(PhiAccrual phi) {
        return new ServerConfig("127.0.0.1", 0, -1, false, SERVER, Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(6), 65_536, 4 << 20, new Limits(10, 1000, 16 << 20, 100_000, 16_384, 0, 0, 256 << 20, 16_384, List.of()), 1, List.of(), (session, payload) -> { },
                null, Duration.ofSeconds(5), phi, null, null);
    }

    @Test
    void aClientAskingForTheServersIntervalSharesTheServersPolicyAndRule() {
        ServerConfig config = config(null);
        SilenceRule shared = SilenceRule.fixed(SERVER.timeout().toNanos());

        HeartbeatPolicy asked = config.enforce(2000);
        HeartbeatPolicy clamped = config.enforce(60_000); // above the maximum: clamped to the server's own
        assertThat(asked).isSameAs(SERVER);
        assertThat(clamped).isSameAs(SERVER);
        assertThat(config.silenceRule(asked, 0, shared)).isSameAs(shared);

        HeartbeatPolicy faster = config.enforce(1000);
        assertThat(faster).isEqualTo(HeartbeatPolicy.of(Duration.ofSeconds(1), Duration.ofSeconds(3)));
        SilenceRule own = config.silenceRule(faster, 0, shared);
        assertThat(own).isNotSameAs(shared);
        assertThat(own.allowedSilenceNanos()).isEqualTo(Duration.ofSeconds(3).toNanos());
    }

    @Test
    void phiAccrualKeepsStateSoEverySessionGetsItsOwnRule() {
        ServerConfig config = config(PhiAccrual.defaults());
        SilenceRule shared = SilenceRule.fixed(SERVER.timeout().toNanos());
        assertThat(config.silenceRule(SERVER, 0, shared)).isNotSameAs(shared)
                .isNotSameAs(config.silenceRule(SERVER, 0, shared));
    }
}
