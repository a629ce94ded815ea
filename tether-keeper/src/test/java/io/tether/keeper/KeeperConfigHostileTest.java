package io.tether.keeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Files an operator (or an attacker with write access to one) might hand the keeper: each is refused when
 * it is read, with one bounded line naming the file, the line and the key, never later at run time.
 */
class KeeperConfigHostileTest {
    @TempDir
    Path dir;

    private KeeperConfig read(byte[] bytes) throws Exception {
        Path file = dir.resolve("keeper.properties");
        Files.write(file, bytes);
        return KeeperConfig.read(file);
    }

    private KeeperConfig read(String text) throws Exception {
        return read(text.getBytes(StandardCharsets.UTF_8));
    }

    private static final String ONE = "endpoint.a.host = 127.0.0.1\nendpoint.a.port = 9000\n";
    private static final String CLASSIC_ONE = "socketConnCount=1\nsocket1=bank\nsocket1_ip=127.0.0.1\nsocket1_port=9000\n";

    @Test
    void aDirectoryIsNotAConfiguration() {
        assertThatThrownBy(() -> KeeperConfig.read(dir)).isInstanceOf(ConfigException.class)
                .hasMessage(dir.getFileName() + ": is a directory, not a configuration file");
    }

    @Test
    void aMissingFileIsAConfigurationError() {
        assertThatThrownBy(() -> KeeperConfig.read(dir.resolve("absent.properties"))).isInstanceOf(ConfigException.class)
                .hasMessage("absent.properties: no such file");
    }

    @Test
    void invalidUtf8NamesTheLineTheKeyAndTheByte() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(CLASSIC_ONE.getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes("appName=caf".getBytes(StandardCharsets.US_ASCII));
        bytes.write(0xff);
        bytes.write('\n');
        assertThatThrownBy(() -> read(bytes.toByteArray())).isInstanceOf(ConfigException.class)
                .hasMessage("keeper.properties:5: appName: is not valid UTF-8 (byte 0xff at column 12 of the line);"
                        + " save the file as UTF-8");
    }

    @Test
    void invalidUtf8InAKeyNamesTheLine() {
        byte[] bytes = (ONE + "endpoint.a.pool\u00e9-size = 2\n").getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> read(bytes)).isInstanceOf(ConfigException.class)
                .hasMessage("keeper.properties:3: is not valid UTF-8 (byte 0xe9 at column 16 of the line);"
                        + " save the file as UTF-8");
    }

    @Test
    void aByteOrderMarkIsNotPartOfTheFirstKey() throws Exception {
        KeeperConfig config = read("\ufeff" + ONE);
        assertThat(config.endpoints()).containsOnlyKeys("a");
    }

    @Test
    void aThreeMegabyteLineIsNotEchoedWhole() {
        String line = "x".repeat(3 * 1024 * 1024);
        assertThatThrownBy(() -> read(ONE + line + "\n")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("keeper.properties:3: expected 'key = value', got 'xxx")
                .hasMessageContaining("more chars)")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400));
    }

    @Test
    void aThreeMegabyteKeyOrValueIsNotEchoedWhole() {
        assertThatThrownBy(() -> read(ONE + "endpoint.a.mode = \\x1b[31m" + "m".repeat(3 * 1024 * 1024) + "\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("keeper.properties:3: endpoint.a.mode: unknown mode '\\u001b[31mmmm")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400).doesNotContain("\u001b"));
        assertThatThrownBy(() -> read(ONE + "endpoint.a." + "k".repeat(3 * 1024 * 1024) + " = 1\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("keeper.properties:3: endpoint.a.kkk")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(1000));
    }

    @Test
    void aFileBeyondTheSizeLimitIsRefusedWithoutReadingItAll() {
        String filler = "# " + "c".repeat(1022) + "\n";
        assertThatThrownBy(() -> read(ONE + filler.repeat(17 * 1024))).isInstanceOf(ConfigException.class)
                .hasMessage("keeper.properties: is larger than 16777216 bytes, more than any keeper configuration needs");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "socket index beyond long     | socket99999999999999999999_ip=x | keeper.properties:5: socket99999999999999999999_ip: is defined but socketConnCount is 1",
            "socket index with a zero     | socket01_ip=10.0.0.9            | keeper.properties:5: socket01_ip: socket numbers are written without leading zeros",
            "isKeep beyond int            | socket1_isKeep=99999999999999999999 | keeper.properties:5: socket1_isKeep: '99999999999999999999' is not a whole number within -2147483648..2147483647",
            "isKeep empty                 | socket1_isKeep=                 | keeper.properties:5: socket1_isKeep: has no value"})
    void hostileClassicLineIsRefusedWithFileLineAndKey(String name, String line, String expected) {
        assertThatThrownBy(() -> read(CLASSIC_ONE + line.strip() + "\n")).isInstanceOf(ConfigException.class)
                .hasMessage(expected.strip());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "no endpoints           | socketConnCount=0                       | keeper.properties:1: socketConnCount: '0' is not a whole number within 1..1024",
            "count beyond long      | socketConnCount=99999999999999999999    | keeper.properties:1: socketConnCount: '99999999999999999999' is not a whole number within 1..1024",
            "inline comment         | socketConnCount=1   # one endpoint      | keeper.properties:1: socketConnCount: '1   # one endpoint' is not a whole number within 1..1024 (a '#' starts a comment only at the start of a line)"})
    void badClassicCountIsRefused(String name, String line, String expected) {
        String text = CLASSIC_ONE.replace("socketConnCount=1", line.strip());
        assertThatThrownBy(() -> read(text)).isInstanceOf(ConfigException.class).hasMessage(expected.strip());
    }

    @Test
    void aClassicHostWithAnInlineCommentIsRefused() {
        String text = CLASSIC_ONE.replace("socket1_ip=127.0.0.1", "socket1_ip=10.0.0.5     # the bank");
        assertThatThrownBy(() -> read(text)).isInstanceOf(ConfigException.class)
                .hasMessage("keeper.properties:3: socket1_ip: '10.0.0.5     # the bank' is not a host name: it contains"
                        + " whitespace (a '#' starts a comment only at the start of a line)");
    }

    @Test
    void anEmptyClassicHostIsRefused() {
        String text = CLASSIC_ONE.replace("socket1_ip=127.0.0.1", "socket1_ip=");
        assertThatThrownBy(() -> read(text)).isInstanceOf(ConfigException.class)
                .hasMessage("keeper.properties:3: socket1_ip: has no value");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "empty host        | endpoint.a.host = 127.0.0.1 | endpoint.a.host =                      | keeper.properties:1: endpoint.a.host: has no value",
            "host with a space | endpoint.a.host = 127.0.0.1 | endpoint.a.host = bank host            | keeper.properties:1: endpoint.a.host: 'bank host' is not a host name: it contains whitespace",
            "empty port        | endpoint.a.port = 9000      | endpoint.a.port =                      | keeper.properties:2: endpoint.a.port: has no value",
            "port beyond long  | endpoint.a.port = 9000      | endpoint.a.port = 99999999999999999999 | keeper.properties:2: endpoint.a.port: '99999999999999999999' is not a whole number within 1..65535"})
    void hostileHostOrPortIsRefusedWithFileLineAndKey(String name, String from, String to, String expected) {
        String text = ONE.replace(from.strip(), to == null ? "" : to.strip());
        assertThatThrownBy(() -> read(text)).isInstanceOf(ConfigException.class).hasMessage(expected.strip());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "empty duration         | endpoint.a.check-interval =                       | endpoint.a.check-interval: has no value",
            "empty mode             | endpoint.a.mode =                                 | endpoint.a.mode: has no value",
            "huge check interval    | endpoint.a.check-interval = 999999999999h         | endpoint.a.check-interval: '999999999999h' is not within 10ms..24h",
            "tiny check interval    | endpoint.a.check-interval = 1ms                   | endpoint.a.check-interval: '1ms' is not within 10ms..24h",
            "duration beyond long   | endpoint.a.check-interval = 99999999999999999999h | endpoint.a.check-interval: '99999999999999999999h' is not a duration (use e.g. 500ms, 3s, 1m, 2h)",
            "huge connect timeout   | endpoint.a.connect-timeout = 999999999999h        | endpoint.a.connect-timeout: '999999999999h' is not within 1ms..10m",
            "huge probe timeout     | endpoint.a.probe-timeout = 11m                    | endpoint.a.probe-timeout: '11m' is not within 1ms..10m",
            "huge borrow timeout    | endpoint.a.borrow-timeout = 999999999999h         | endpoint.a.borrow-timeout: '999999999999h' is not within 0..1h",
            "huge validate idle     | endpoint.a.validate-after-idle = 25h              | endpoint.a.validate-after-idle: '25h' is not within 0..24h",
            "huge max lifetime      | endpoint.a.max-lifetime = 999999999999h           | endpoint.a.max-lifetime: '999999999999h' is not within 0..720h",
            "huge leak threshold    | endpoint.a.leak-threshold = 999999999999h         | endpoint.a.leak-threshold: '999999999999h' is not within 0..24h",
            "huge reconnect initial | endpoint.a.reconnect.initial = 999999999999h      | endpoint.a.reconnect.initial: '999999999999h' is not within 1ms..1h",
            "huge reconnect max     | endpoint.a.reconnect.max = 999999999999h          | endpoint.a.reconnect.max: '999999999999h' is not within 1ms..1h",
            "huge multiplier        | endpoint.a.reconnect.multiplier = 1e999           | endpoint.a.reconnect.multiplier: '1e999' is not a number within 1..100",
            "huge keepalive idle    | endpoint.a.keepalive.idle = 999999h               | endpoint.a.keepalive.idle: '999999h' is not within 1s..32767s (whole seconds)",
            "part-second keepalive  | endpoint.a.keepalive.interval = 1500ms            | endpoint.a.keepalive.interval: '1500ms' is not within 1s..32767s (whole seconds)",
            "huge keepalive count   | endpoint.a.keepalive.count = 128                  | endpoint.a.keepalive.count: '128' is not a whole number within 1..127",
            "huge pool size         | endpoint.a.pool-size = 99999999999999999999       | endpoint.a.pool-size: '99999999999999999999' is not a whole number within 1..1024",
            "key set twice          | endpoint.a.port = 9001                            | endpoint.a.port: set twice (first on line 2)"})
    void hostileSettingIsRefusedAtLoadWithFileLineAndKey(String name, String line, String expected) {
        assertThatThrownBy(() -> read(ONE + line.strip() + "\n")).isInstanceOf(ConfigException.class)
                .hasMessage("keeper.properties:3: " + expected.strip());
    }

    @Test
    void aBackoffWhoseMaxIsBelowItsInitialNamesTheMax() {
        String text = ONE + "endpoint.a.reconnect.initial = 1s\nendpoint.a.reconnect.max = 100ms\n";
        assertThatThrownBy(() -> read(text)).isInstanceOf(ConfigException.class)
                .hasMessage("keeper.properties:4: endpoint.a.reconnect.max: backoff needs 0 < initial <= max and multiplier >= 1");
    }

    @Test
    void everyRangeBoundIsAccepted() throws Exception {
        KeeperConfig config = read(ONE + """
                endpoint.a.check-interval = 24h
                endpoint.a.connect-timeout = 10m
                endpoint.a.probe-timeout = 1ms
                endpoint.a.borrow-timeout = 1h
                endpoint.a.max-lifetime = 720h
                endpoint.a.reconnect.initial = 1ms
                endpoint.a.reconnect.max = 1h
                endpoint.a.reconnect.multiplier = 100
                endpoint.a.keepalive.idle = 32767s
                endpoint.a.keepalive.interval = 1s
                endpoint.a.keepalive.count = 127
                endpoint.a.pool-size = 1024
                """);
        EndpointConfig a = config.endpoints().get("a");
        assertThat(a.maxLifetime()).isEqualTo(Duration.ofHours(720));
        assertThat(a.keepalive()).isEqualTo(new TcpKeepalive(Duration.ofSeconds(32767), Duration.ofSeconds(1), 127));
    }

    @Test
    void theBuilderHoldsTheSameRangesAsTheFile() {
        EndpointConfig.Builder b = EndpointConfig.builder("a", "127.0.0.1", 9000);
        assertThatThrownBy(() -> b.maxLifetime(Duration.ofDays(31))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("max-lifetime must be within 0..720h, got 744h");
        assertThatThrownBy(() -> b.connectTimeout(Duration.ofNanos(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("connect-timeout must be within 1ms..10m, got PT0.000000001S");
        assertThatThrownBy(() -> b.checkInterval(Duration.ofSeconds(Long.MAX_VALUE))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("check-interval must be within 10ms..24h, got PT");
        assertThatThrownBy(() -> new TcpKeepalive(Duration.ofSeconds(40_000), Duration.ofSeconds(5), 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keepalive.idle must be within 1s..32767s (whole seconds), got 40000s");
        assertThatThrownBy(() -> EndpointConfig.builder("a", "bank\nhost", 9000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("host of a: 'bank\\nhost' is not a host name: it contains whitespace");
    }
}
