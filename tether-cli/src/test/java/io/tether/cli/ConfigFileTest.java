package io.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * {@code tether server --config FILE}: the file's values as flags would give them, and hostile files refused in
 * one line. A case that wrongly passes would start a server, which runs until signalled: the timeout ends it.
 */
@Timeout(60)
class ConfigFileTest {
    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    private Path file(String text) throws Exception {
        return file(text.getBytes(StandardCharsets.UTF_8));
    }

    private Path file(byte[] bytes) throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        return Files.write(conf.resolve("server.yaml"), bytes);
    }

    /** The server command as parsed with the file and flags, without running it. */
    static ServerCommand parsed(String... args) {
        CommandLine cli = TetherCommand.newCommandLine();
        List<String> all = new ArrayList<>(List.of("server"));
        all.addAll(List.of(args));
        Bounds.check(ConfigFile.apply(cli.parseArgs(all.toArray(String[]::new))));
        return cli.getSubcommands().get("server").getCommand();
    }

    /** Runs {@code tether server --config FILE args}, which must fail with exit code 2 and one line. */
    private String refused(Path config, String... args) {
        CommandLine cli = TetherCommand.newCommandLine();
        cli.setErr(new PrintWriter(err));
        cli.setOut(new PrintWriter(new StringWriter()));
        List<String> all = new ArrayList<>(List.of("server", "--config", config.toString()));
        all.addAll(List.of(args));
        err.getBuffer().setLength(0);
        int exit = cli.execute(all.toArray(String[]::new));
        assertThat(exit).as(err.toString()).isEqualTo(2);
        assertThat(err.toString().lines()).hasSize(1);
        assertThat(err.toString()).startsWith("tether server: ").doesNotContain("Exception");
        assertThat(err.toString().length()).isLessThan(700);
        return err.toString().strip();
    }

    @Test
    void everyKindOfValueReachesTheCommandAsItsFlagWouldGiveIt() throws Exception {
        Path config = file("""
                port: 7001
                heartbeat-interval: 2s
                max-connections: 50000
                max-bytes-per-second: 8MiB
                detector: PHI
                phi-threshold: 9.5
                legacy-allow: [10.0.0.0/8, 192.168.0.0/16]
                tls-cert: server.pem
                tls-key: /absolute/server.key
                auth: token
                auth-secret-file: secrets/secret
                log-format: json
                """);
        ServerCommand server = parsed("--config", config.toString());

        assertThat(server.port).isEqualTo(7001);
        assertThat(server.heartbeat.interval).isEqualTo(Duration.ofSeconds(2));
        assertThat(server.limits.maxConnections).isEqualTo(50_000);
        assertThat(server.limits.maxBytesPerSecond).isEqualTo(8L << 20);
        assertThat(server.detector).isEqualTo(ServerCommand.Detector.phi);
        assertThat(server.phiThreshold).isEqualTo(9.5);
        assertThat(server.limits.legacyAllow).containsExactly("10.0.0.0/8", "192.168.0.0/16");
        assertThat(server.tlsCert).as("relative to the file's directory").isEqualTo(config.getParent().resolve("server.pem"));
        assertThat(server.tlsKey).isEqualTo(Path.of("/absolute/server.key"));
        assertThat(server.auth.mode).isEqualTo(AuthOptions.Mode.token);
        assertThat(server.auth.secretFile).isEqualTo(config.getParent().resolve("secrets/secret"));
        assertThat(server.logging.format).isEqualTo(LogOptions.Format.json);
        assertThat(server.host).as("a key left out keeps its default").isEqualTo("127.0.0.1");
    }

    @Test
    void flagsOverrideTheFileAndAListIsReplacedNotExtended() throws Exception {
        Path config = file("port: 7001\nlegacy-allow: 10.0.0.0/8,192.168.0.0/16\nthreads: 3\n");
        ServerCommand server = parsed("--config", config.toString(), "--port", "7100", "--legacy-allow", "172.16.0.0/12");

        assertThat(server.port).isEqualTo(7100);
        assertThat(server.limits.legacyAllow).containsExactly("172.16.0.0/12");
        assertThat(server.threads).isEqualTo(3);
        assertThat(parsed("--port", "7100", "--config", config.toString()).port).as("wherever the flag is").isEqualTo(7100);
    }

    @Test
    void textInTheFileIsTakenLiterallyNotExpanded() throws Exception {
        Path config = file("tls-cert: \"${sys:user.home}/x.pem\"\nauth-jwt-keys: $${env:HOME}\n");
        ServerCommand server = parsed("--config", config.toString());

        assertThat(server.tlsCert).isEqualTo(config.getParent().resolve("${sys:user.home}/x.pem"));
        assertThat(server.auth.jwtKeys).isEqualTo(config.getParent().resolve("$${env:HOME}"));
    }

    @Test
    void aFlagWithoutAValueIsSwitchedOnWithTrue() throws Exception {
        assertThat(parsed("--config", file("reuse-port: true\n").toString()).reusePort).isTrue();
        assertThat(parsed("--config", file("reuse-port: false\n").toString()).reusePort).isFalse();
        assertThat(parsed("--config", file("reuse-port: false\n").toString(), "--reuse-port").reusePort)
                .as("the flag over the file").isTrue();
        assertThat(parsed("--config", file("port: 7000\n").toString()).reusePort).isFalse();
    }

    @Test
    void aFileOfCommentsChangesNothing() throws Exception {
        ServerCommand server = parsed("--config", file("# nothing yet\n").toString());
        assertThat(server.port).isEqualTo(7000);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "unknown key            | port: 7000\\nporrt: 7001                     | server.yaml:2: porrt: not a setting of tether server; did you mean port?",
            "empty string           | host: ''                                     | server.yaml:1: host: has no value",
            "null                   | host: ~                                      | server.yaml:1: host: has no value",
            "config in config       | config: other.yaml                           | server.yaml:1: config: not a setting of tether server (a config file cannot name another)",
            "help as a key          | help: true                                   | server.yaml:1: help: not a setting of tether server",
            "flag spelling as key   | --port: 7000                                 | server.yaml:1: --port: not a setting of tether server",
            "wrong type             | port: seven                                  | server.yaml:1: port: 'seven' is not an int",
            "float for an int       | port: 7e3                                    | server.yaml:1: port: '7e3' is not an int",
            "list for one value     | port: [7000, 7001]                           | server.yaml:1: port: takes one value, got a list",
            "mapping for a value    | port:\\n  number: 7000                       | server.yaml:1: port: expected a value, got a mapping",
            "list in a list         | legacy-allow: [[10.0.0.0/8]]                 | server.yaml:1: legacy-allow: expected a value, got a list",
            "no value               | port:                                        | server.yaml:1: port: has no value; leave the key out to keep the default",
            "empty list             | legacy-allow: []                             | server.yaml:1: legacy-allow: is an empty list",
            "out of bounds          | threads: 4\\nport: 70000                     | server.yaml:2: port must be within 0..65535, got 70000",
            "duration out of bounds | heartbeat-interval: 2h                       | server.yaml:1: heartbeat-interval must be within 1ms..1h, got 2h",
            "byte size out of bounds| max-buffered: 1KiB                           | server.yaml:1: max-buffered must be within 1048576..1099511627776, got 1024",
            "not a duration         | heartbeat-interval: fast                     | server.yaml:1: heartbeat-interval: 'fast' is not a duration",
            "not a boolean          | reuse-port: yes                              | server.yaml:1: reuse-port: 'yes' is not a boolean",
            "not an enum value      | detector: magic                              | server.yaml:1: detector: expected one of [fixed, phi]",
            "not a network          | legacy-allow: [10.0.0.0/8, 999.1.1.1/8]      | server.yaml:1: legacy-allow: not a network in CIDR form like 10.0.0.0/8 (not an IP address): 999.1.1.1/8",
            "not a profile          | profile: turbo                               | server.yaml:1: profile: unknown heartbeat profile 'turbo'",
            "set twice              | port: 7000\\nthreads: 2\\nport: 7001         | server.yaml:3: port: is set twice, here and on line 1",
            "not YAML               | port: [7000                                  | server.yaml:1: is not valid YAML: expected ',' or ']', but got <stream end>",
            "tab indentation        | port: 7000\\n\\tthreads: 2                   | server.yaml:2: is not valid YAML: ",
            "list at the top        | - port: 7000                                 | server.yaml:1: expected 'key: value' lines, got a list",
            "text at the top        | just some text                               | server.yaml:1: expected 'key: value' lines, got a single value",
            "anchor and alias       | threads: &n 2\\nphi-window: *n               | server.yaml:2: YAML anchors and aliases (& and *) are not used in a file of flags",
            "alias bomb             | a: &a [x, x]\\nb: &b [*a, *a]\\nc: [*b, *b]  | server.yaml:1: YAML anchors and aliases",
            "tag                    | port: !!int 7000                             | server.yaml:1: YAML tags (!",
            "two documents          | port: 7000\\n---\\nport: 7001                | server.yaml:3: a second YAML document; a file of flags holds one mapping",
            "forged line in a key   | \"po\\\\nFORGED: rt\": 1                     | server.yaml:1: po\\nFORGED: rt: not a setting of tether server"})
    void hostileOrWrongFileIsAUsageErrorNamingFileLineAndKey(String name, String yaml, String expected) throws Exception {
        String text = yaml.strip().replace("\\\\n", "\u0000").replace("\\n", "\n").replace("\\t", "\t").replace("\u0000", "\\n");
        Path config = file(text);
        assertThat(refused(config)).startsWith("tether server: " + config.getParent() + "/" + expected.strip()).contains("--help");
    }

    @Test
    void aFlagReplacesTheFilesValueUnreadAsPicocliDoesForAnyDefault() throws Exception {
        assertThat(parsed("--config", file("port: seven\n").toString(), "--port", "7000").port).isEqualTo(7000);
    }

    @Test
    void aFlagOutOfBoundsIsNamedAsTheFlagEvenWithAFile() throws Exception {
        assertThat(refused(file("port: 7000\n"), "--port", "70000")).contains("tether server: --port must be within 0..65535");
    }

    @Test
    void deepNestingIsRefusedBeforeItCostsAnything() throws Exception {
        String deep = "port: " + "[".repeat(100_000) + "\n";
        assertThat(refused(file(deep))).contains("server.yaml:1: port: expected a value, got a list");
    }

    @Test
    void notUtf8NamesTheLineAndByte() throws Exception {
        byte[] bytes = "port: 7000\nhost: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(refused(file(bytes)))
                .contains("server.yaml:2: is not valid UTF-8 (byte 0xe9 at column 10 of the line); save the file as UTF-8");
    }

    @Test
    void aFileOverTheBoundIsRefusedWithoutReadingItAll() throws Exception {
        byte[] big = ("#" + "x".repeat(YamlFlags.MAX_BYTES) + "\n").getBytes(StandardCharsets.UTF_8);
        assertThat(refused(file(big))).contains("server.yaml: is larger than 1048576 bytes");
        assertThat(refused(Path.of("/dev/zero"))).as("a file that claims no size")
                .contains("/dev/zero: is larger than 1048576 bytes");
    }

    @Test
    void aLongValueIsNotEchoedWhole() throws Exception {
        String line = refused(file("summary-every: " + "9".repeat(500_000) + "x\n"));
        assertThat(line).contains("server.yaml:1: summary-every: '999").contains("more chars");
    }

    @Test
    void missingFileAndDirectoryAreOneLine() throws Exception {
        assertThat(refused(dir.resolve("nope.yaml"))).contains("nope.yaml: no such file");
        assertThat(refused(dir)).contains(": is a directory, not a YAML file");
    }

    @Test
    void helpNeedsNoFile() {
        CommandLine cli = TetherCommand.newCommandLine();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute("server", "--config", dir.resolve("nope.yaml").toString(), "--help")).isZero();
        assertThat(out.toString()).contains("--config=FILE");
    }
}
