package io.tether.keeper;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every configuration example in docs/KEEPER.md loads as written. */
class KeeperDocumentTest {
    private static final Pattern PROPERTIES_BLOCK = Pattern.compile("```properties\\n(.*?)```", Pattern.DOTALL);

    @TempDir
    Path dir;

    static String document() throws Exception {
        return Files.readString(Path.of("..", "docs", "KEEPER.md"), StandardCharsets.UTF_8);
    }

    static List<String> examples() throws Exception {
        List<String> examples = new ArrayList<>();
        Matcher m = PROPERTIES_BLOCK.matcher(document());
        while (m.find()) {
            examples.add(m.group(1));
        }
        return examples;
    }

    @Test
    void theDocumentHasTheClassicAndTheTetherExample() throws Exception {
        assertThat(examples()).hasSizeGreaterThanOrEqualTo(2)
                .anyMatch(e -> e.contains("socketConnCount")).anyMatch(e -> e.contains("endpoint."))
                .anyMatch(e -> e.contains(".tls.ca"));
    }

    @ParameterizedTest(name = "example {index}")
    @MethodSource("examples")
    void everyPropertiesExampleLoadsAsWritten(String example) throws Exception {
        if (example.contains(".tls")) { // the files docs/SECURITY.md makes for a test deployment
            TestPki.ca(dir, "ca").issue("keeper");
        }
        Path file = dir.resolve("keeper.properties");
        Files.writeString(file, example, StandardCharsets.UTF_8);

        KeeperConfig config = KeeperConfig.read(file);

        assertThat(config.endpoints()).isNotEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(DurationLimit.class)
    void theDocumentedRangeOfEveryDurationIsTheOneEnforced(DurationLimit limit) throws Exception {
        assertThat(documentedRange(limit.setting())).isEqualTo(limit.range());
    }

    @Test
    void theDocumentedRangeOfEveryCountIsTheOneEnforced() throws Exception {
        assertThat(documentedRange("pool-size")).isEqualTo("1.." + EndpointConfig.MAX_POOL_SIZE);
        assertThat(documentedRange("keepalive.count")).isEqualTo("1.." + TcpKeepalive.MAX_COUNT);
        assertThat(documentedRange("reconnect.multiplier")).isEqualTo("1.." + (int) EndpointConfig.MAX_RECONNECT_MULTIPLIER);
        assertThat(documentedRange("port")).isEqualTo("1..65535");
    }

    /** The range column of the setting's row in the Tether layout's table. */
    private static String documentedRange(String setting) throws Exception {
        return document().lines().filter(line -> line.startsWith("| `" + setting + "` "))
                .map(line -> line.split("\\|")[3].strip())
                .reduce((a, b) -> {
                    throw new AssertionError("two rows for " + setting);
                })
                .orElseThrow(() -> new AssertionError("no row for " + setting + " in docs/KEEPER.md"));
    }
}
