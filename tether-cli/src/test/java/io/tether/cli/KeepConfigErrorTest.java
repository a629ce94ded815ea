package io.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code tether keep --config FILE} with a wrong file: exit code 2 and one line naming file, line and key. */
class KeepConfigErrorTest {
    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();
    private final StringWriter out = new StringWriter();

    private int keep(Path config) {
        CommandLine cli = TetherCommand.newCommandLine();
        cli.setErr(new PrintWriter(err));
        cli.setOut(new PrintWriter(out));
        return cli.execute("keep", "--config", config.toString(), "--once");
    }

    private Path file(byte[] bytes) throws Exception {
        Path file = dir.resolve("keeper.properties");
        Files.write(file, bytes);
        return file;
    }

    private void assertOneLineExitTwo(int exit, String expected) {
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().lines()).hasSize(1);
        assertThat(err.toString()).startsWith("tether keep: " + expected).doesNotContain("Exception").contains("--help");
        assertThat(err.toString().length()).isLessThan(600);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "no endpoints          | socketConnCount=0                                                  | keeper.properties:1: socketConnCount: '0' is not a whole number within 1..1024",
            "huge socket index     | socketConnCount=1\\nsocket1=a\\nsocket1_ip=127.0.0.1\\nsocket1_port=9\\nsocket99999999999999999999_ip=x | keeper.properties:5: socket99999999999999999999_ip: is defined but socketConnCount is 1",
            "empty host            | endpoint.a.host =\\nendpoint.a.port = 9                             | keeper.properties:1: endpoint.a.host: has no value",
            "huge check interval   | endpoint.a.host = 127.0.0.1\\nendpoint.a.port = 9\\nendpoint.a.check-interval = 999999999999h | keeper.properties:3: endpoint.a.check-interval: '999999999999h' is not within 10ms..24h",
            "huge reconnect max    | endpoint.a.host = 127.0.0.1\\nendpoint.a.port = 9\\nendpoint.a.reconnect.max = 999999999999h  | keeper.properties:3: endpoint.a.reconnect.max: '999999999999h' is not within 1ms..1h",
            "huge max lifetime     | endpoint.a.host = 127.0.0.1\\nendpoint.a.port = 9\\nendpoint.a.max-lifetime = 999999999999h  | keeper.properties:3: endpoint.a.max-lifetime: '999999999999h' is not within 0..720h",
            "huge keepalive idle   | endpoint.a.host = 127.0.0.1\\nendpoint.a.port = 9\\nendpoint.a.keepalive.idle = 999999h      | keeper.properties:3: endpoint.a.keepalive.idle: '999999h' is not within 1s..32767s (whole seconds)"})
    void badFileExitsTwoWithOneLine(String name, String text, String expected) throws Exception {
        int exit = keep(file(text.strip().replace("\\n", "\n").getBytes(StandardCharsets.UTF_8)));
        assertOneLineExitTwo(exit, expected.strip());
        assertThat(out.toString()).as("nothing was started").isEmpty();
    }

    @Test
    void directoryExitsTwoWithOneLine() {
        assertOneLineExitTwo(keep(dir), dir.getFileName() + ": is a directory, not a configuration file");
    }

    @Test
    void invalidUtf8ExitsTwoWithOneLine() throws Exception {
        byte[] bytes = "socketConnCount=1\nsocket1=caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        assertOneLineExitTwo(keep(file(bytes)),
                "keeper.properties:2: socket1: is not valid UTF-8 (byte 0xe9 at column 12 of the line); save the file as UTF-8");
    }

    @Test
    void threeMegabyteLineIsNotEchoedWhole() throws Exception {
        byte[] bytes = ("socketConnCount=1\n" + "y".repeat(3 * 1024 * 1024) + "\n").getBytes(StandardCharsets.UTF_8);
        assertOneLineExitTwo(keep(file(bytes)), "keeper.properties:2: expected 'key = value', got 'yyy");
    }
}
