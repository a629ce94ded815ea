package io.tether.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.protocol.Frames;
import java.lang.module.ModuleDescriptor;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * On the module path, an application sees the server's and the protocol's API and nothing else: the
 * {@code internal} packages are not exported to it (this test itself runs inside the server's module).
 */
class ModuleBoundaryTest {

    @Test
    void theServerExportsItsApiAlone() {
        Module server = TetherServer.class.getModule();
        assertThat(server.isNamed()).as("tests run on the module path").isTrue();
        assertThat(exports(server.getDescriptor())).containsExactly("io.tether.server");
    }

    @Test
    void coreShowsItsInternalsToTethersOwnModulesOnly() {
        Module core = Frames.class.getModule();
        assertThat(core.getName()).isEqualTo("io.tether.core");
        ModuleDescriptor.Exports internal = core.getDescriptor().exports().stream()
                .filter(e -> e.source().equals("io.tether.internal")).findFirst().orElseThrow();
        assertThat(internal.isQualified()).isTrue();
        assertThat(internal.targets()).containsExactlyInAnyOrder("io.tether.server", "io.tether.client", "io.tether.keeper");
        assertThat(exports(core.getDescriptor())).doesNotContain("io.tether.internal")
                .contains("io.tether.protocol", "io.tether.heartbeat");
    }

    private static Set<String> exports(ModuleDescriptor descriptor) {
        return descriptor.exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet());
    }
}
