package io.tether.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExposureTest {

    @Test
    void loopbackListenersAreNotWarnedAbout() {
        assertThat(Exposure.warning("127.0.0.1", false, true, List.of())).isNull();
        assertThat(Exposure.warning("127.8.9.10", false, false, List.of())).isNull();
        assertThat(Exposure.warning("::1", false, false, List.of())).isNull();
        assertThat(Exposure.warning("localhost", false, false, List.of())).isNull();
    }

    @Test
    void aListenerBeyondLoopbackIsWarnedAboutNamingTheRisk() {
        assertThat(Exposure.warning("0.0.0.0", false, false, List.of()))
                .contains("listens on 0.0.0.0, beyond loopback, with --auth none").contains("claim any client id")
                .contains("take over").doesNotContain("classic");
        assertThat(Exposure.warning("10.1.2.3", false, true, List.of()))
                .contains("classic port has no handshake").contains("any source address: set --legacy-allow");
        assertThat(Exposure.warning("0.0.0.0", false, true, List.of("10.0.0.0/8", "192.168.1.0/24")))
                .contains("accepts 10.0.0.0/8,192.168.1.0/24");
    }

    @Test
    void anAuthenticatedTetherPortIsNotWarnedAboutButItsClassicPortIs() {
        assertThat(Exposure.warning("0.0.0.0", true, false, List.of())).isNull();
        assertThat(Exposure.warning("0.0.0.0", true, true, List.of()))
                .startsWith("the classic port listens on 0.0.0.0").contains("any source address: set --legacy-allow")
                .doesNotContain("Tether port");
    }

    @Test
    void theClassicPortSaysWhoItAdmits() {
        assertThat(Exposure.classicAdmission(List.of())).isEqualTo("no authentication, from any address");
        assertThat(Exposure.classicAdmission(List.of("127.0.0.1/32"))).isEqualTo("no authentication, from 127.0.0.1/32 only");
    }
}
