package io.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tether keep --once}: its exit code says whether every endpoint is UP, short ones included. */
class KeepOnceTest {
    @TempDir
    Path dir;

    private int keepOnce(String config) throws Exception {
        Path file = dir.resolve("keeper.properties");
        Files.writeString(file, config, StandardCharsets.UTF_8);
        CommandLine cli = TetherCommand.newCommandLine();
        cli.setErr(new PrintWriter(new StringWriter()));
        cli.setOut(new PrintWriter(new StringWriter()));
        return cli.execute("keep", "--config", file.toString(), "--once");
    }

    @Test
    void aShortEndpointWhoseHostDoesNotResolveFailsOnce() throws Exception {
        // .invalid never resolves (RFC 6761)
        assertThat(keepOnce("endpoint.partner.host = nowhere.invalid\nendpoint.partner.port = 7100\n"
                + "endpoint.partner.mode = short\n")).isEqualTo(1);
    }

    @Test
    void aShortEndpointWhoseHostResolvesPassesOnceWithoutConnecting() throws Exception {
        // Port 1 on loopback has no listener: nothing is connected for a short endpoint, so it does not matter.
        assertThat(keepOnce("endpoint.partner.host = 127.0.0.1\nendpoint.partner.port = 1\n"
                + "endpoint.partner.mode = short\n")).isZero();
    }
}
