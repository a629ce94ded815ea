package io.tether.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HeartbeatPolicyTest {

    @Test
    void profilesAreTheDocumentedValues() {
        assertThat(HeartbeatProfile.STANDARD.policy()).isEqualTo(HeartbeatPolicy.of(Duration.ofSeconds(10), Duration.ofSeconds(30)));
        assertThat(HeartbeatProfile.STRICT.policy()).isEqualTo(HeartbeatPolicy.of(Duration.ofSeconds(2), Duration.ofSeconds(6)));
        assertThat(HeartbeatProfile.CLASSIC.policy()).isEqualTo(HeartbeatPolicy.of(Duration.ofSeconds(3), Duration.ofSeconds(15)));
        assertThat(HeartbeatProfile.CLASSIC.policy().missedPeriods()).isEqualTo(5.0);
        assertThat(HeartbeatProfile.MOBILE.policy()).isEqualTo(HeartbeatPolicy.of(Duration.ofSeconds(60), Duration.ofSeconds(180)));
    }

    @Test
    void profilesAreFoundByName() {
        assertThat(HeartbeatProfile.named(" Strict ")).isEqualTo(HeartbeatProfile.STRICT);
        assertThatThrownBy(() -> HeartbeatProfile.named("turbo"))
                .hasMessage("unknown heartbeat profile 'turbo' (known: standard, strict, classic, mobile)");
    }

    @Test
    void timeoutShorterThanIntervalIsRefused() {
        assertThatThrownBy(() -> HeartbeatPolicy.of(Duration.ofSeconds(5), Duration.ofSeconds(2)))
                .hasMessageContaining("must not be shorter than the interval");
        assertThatThrownBy(() -> HeartbeatPolicy.of(Duration.ZERO, Duration.ofSeconds(2)))
                .hasMessageContaining("at least 1 ms");
    }
}
