package io.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Model.OptionSpec;

/**
 * docs/server.example.yaml is complete and loads: every option of {@code tether server} appears in it once,
 * set or commented out, and it loads as written and with every commented setting switched on. A new flag
 * fails this test until the example shows it.
 */
class ServerExampleConfigTest {
    private static final Path EXAMPLE = Path.of("..", "docs", "server.example.yaml");
    /** A setting, or one commented out: "key: value" or "# key: value" at the start of a line. */
    private static final Pattern SETTING = Pattern.compile("^(?:# )?([a-z][a-z-]*):", Pattern.MULTILINE);
    /** A commented-out setting or list item, which switching on means dropping the "# ". */
    private static final Pattern COMMENTED = Pattern.compile("^# (?=[a-z][a-z-]*:|  +- )", Pattern.MULTILINE);

    @TempDir
    Path dir;

    @Test
    void everyServerOptionAppearsOnce() throws Exception {
        List<String> keys = new ArrayList<>();
        Matcher m = SETTING.matcher(Files.readString(EXAMPLE, StandardCharsets.UTF_8));
        while (m.find()) {
            keys.add(m.group(1));
        }
        List<String> options = new ArrayList<>();
        for (OptionSpec option : TetherCommand.newCommandLine().getSubcommands().get("server").getCommandSpec().options()) {
            String name = option.longestName().substring(2);
            if (!option.usageHelp() && !option.versionHelp() && !name.equals("config")) {
                options.add(name);
            }
        }
        assertThat(keys).as("keys of docs/server.example.yaml").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(options);
    }

    @Test
    void loadsAsWritten() {
        ServerCommand server = ConfigFileTest.parsed("--config", EXAMPLE.toString());
        assertThat(server.port).isEqualTo(7000);
        assertThat(server.host).isEqualTo("127.0.0.1");
        assertThat(server.auth.mode).isEqualTo(AuthOptions.Mode.none);
        assertThat(server.limits.maxHandshakes).isEqualTo(16_384);
        assertThat(server.reusePort).isFalse();
        assertThat(server.cluster.enabled()).isFalse();
        assertThat(server.cluster.leaseTimeout).hasSeconds(5);
    }

    @Test
    void loadsWithEveryCommentedSettingSwitchedOn() throws Exception {
        String all = COMMENTED.matcher(Files.readString(EXAMPLE, StandardCharsets.UTF_8)).replaceAll("");
        Path config = Files.writeString(dir.resolve("server.yaml"), all, StandardCharsets.UTF_8);

        ServerCommand server = ConfigFileTest.parsed("--config", config.toString());

        assertThat(server.legacyPort).isEqualTo(39002);
        assertThat(server.reusePort).isTrue();
        assertThat(server.limits.legacyAllow).containsExactly("10.0.0.0/8", "192.168.0.0/16");
        assertThat(server.tlsCert).isEqualTo(dir.resolve("server.pem"));
        assertThat(server.auth.secretFile).isEqualTo(dir.resolve("secret"));
        assertThat(server.phiPause).isNotNull();
        assertThat(server.cluster.redis).isEqualTo("redis://127.0.0.1:6379");
        assertThat(server.cluster.nodeId).isEqualTo("gw-1");
    }
}
