package io.tether.keeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeeperConfigTest {
    @TempDir
    Path dir;

    private KeeperConfig read(String text) throws Exception {
        Path file = dir.resolve("keeper.properties");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return KeeperConfig.read(file);
    }

    private static final String CLASSIC = """
            # the classic socket keeper layout
            socketConnCount=3
            commonCheckTime=5
            socket1=bank
            socket1_ip=127.0.0.1
            socket1_port=9001
            socket1_isKeep=1
            socket2=partner
            socket2_ip=127.0.0.1
            socket2_port=9002
            socket2_isKeep=0
            socket3=ledger
            socket3_ip=127.0.0.1
            socket3_port=9003
            socket3_isKeep=1
            appName=whatever the application keeps here
            """;

    @Test
    void classicFileLoadsAsWritten() throws Exception {
        KeeperConfig config = read(CLASSIC);

        assertThat(config.endpoints().keySet()).containsExactly("bank", "partner", "ledger");
        EndpointConfig bank = config.endpoints().get("bank");
        assertThat(bank.host()).isEqualTo("127.0.0.1");
        assertThat(bank.port()).isEqualTo(9001);
        assertThat(bank.mode()).isEqualTo(EndpointMode.KEEP);
        assertThat(bank.checkInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.endpoints().get("partner").mode()).isEqualTo(EndpointMode.SHORT);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "bad port number       | socket2_port=9002|socket2_port=ninety    | keeper.properties:10: socket2_port: 'ninety' is not a whole number within 1..65535",
            "port out of range     | socket2_port=9002|socket2_port=70000     | keeper.properties:10: socket2_port: '70000' is not a whole number",
            "missing port          | socket2_port=9002|                       | keeper.properties: socket2_port: missing: socketConnCount is 3",
            "count too high        | socketConnCount=3|socketConnCount=4      | keeper.properties: socket4: missing: socketConnCount is 4",
            "count too low         | socketConnCount=3|socketConnCount=2      | keeper.properties:12: socket3: is defined but socketConnCount is 2",
            "bad count             | socketConnCount=3|socketConnCount=three  | keeper.properties:2: socketConnCount: 'three' is not a whole number",
            "isKeep not a number   | socket1_isKeep=1|socket1_isKeep=yes      | keeper.properties:7: socket1_isKeep: 'yes' is not a whole number",
            "bad check time        | commonCheckTime=5|commonCheckTime=0      | keeper.properties:3: commonCheckTime: '0' is not a whole number within 1..86400",
            "misspelt key          | socket1_port=9001|socket1_prot=9001      | keeper.properties:6: socket1_prot: unknown key",
            "duplicate name        | socket3=ledger|socket3=bank              | keeper.properties:12: socket3: endpoint name 'bank' is used twice",
            "key set twice         | appName=whatever the application keeps here|socket1=again | keeper.properties:16: socket1: set twice (first on line 4)"})
    void wrongClassicFileNamesTheKeyAndLine(String name, String from, String to, String expected) {
        String text = CLASSIC.replace(from.strip(), to == null ? "" : to.strip());
        assertThatThrownBy(() -> read(text)).isInstanceOf(ConfigException.class).hasMessageStartingWith(expected.strip());
    }

    private static final String RICH = """
            defaults.check-interval = 2s
            defaults.probe-timeout = 300ms
            endpoint.cache.host = 127.0.0.1
            endpoint.cache.port = 6379
            endpoint.cache.pool-size = 4
            endpoint.cache.probe = exchange
            endpoint.cache.probe.send = PING\\r\\n
            endpoint.cache.probe.expect = +PONG
            endpoint.cache.max-lifetime = 30m
            endpoint.cache.reconnect.initial = 100ms
            endpoint.cache.reconnect.max = 1s
            endpoint.cache.keepalive.idle = 10s
            endpoint.cache.leak-threshold = 5s
            endpoint.partner.host = partner.example
            endpoint.partner.port = 7100
            endpoint.partner.mode = short
            endpoint.partner.check-interval = 7s
            """;

    @Test
    void richFileLoadsEverySettingWithDefaultsUnderneath() throws Exception {
        KeeperConfig config = read(RICH);

        EndpointConfig cache = config.endpoints().get("cache");
        assertThat(cache.poolSize()).isEqualTo(4);
        assertThat(cache.checkInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(cache.probeTimeout()).isEqualTo(Duration.ofMillis(300));
        assertThat(cache.probe()).isEqualTo(ProbeSpec.exchange("PING\r\n".getBytes(StandardCharsets.US_ASCII),
                "+PONG".getBytes(StandardCharsets.US_ASCII)));
        assertThat(cache.maxLifetime()).isEqualTo(Duration.ofMinutes(30));
        assertThat(cache.reconnect().initial()).isEqualTo(Duration.ofMillis(100));
        assertThat(cache.reconnect().max()).isEqualTo(Duration.ofSeconds(1));
        assertThat(cache.keepalive().idle()).isEqualTo(Duration.ofSeconds(10));
        assertThat(cache.keepalive().count()).isEqualTo(TcpKeepalive.DEFAULT.count());
        assertThat(cache.leakThreshold()).isEqualTo(Duration.ofSeconds(5));
        EndpointConfig partner = config.endpoints().get("partner");
        assertThat(partner.mode()).isEqualTo(EndpointMode.SHORT);
        assertThat(partner.checkInterval()).isEqualTo(Duration.ofSeconds(7));
        assertThat(partner.probe()).isEqualTo(ProbeSpec.PEEK);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "unknown mode       | endpoint.partner.mode = short|endpoint.partner.mode = sometimes | keeper.properties:16: endpoint.partner.mode: unknown mode 'sometimes' (keep or short)",
            "unknown setting    | endpoint.cache.pool-size = 4|endpoint.cache.poolsize = 4     | keeper.properties:5: endpoint.cache.poolsize: unknown setting 'poolsize'",
            "missing port       | endpoint.partner.port = 7100|                              | keeper.properties: endpoint.partner.port: missing",
            "bad duration       | defaults.probe-timeout = 300ms|defaults.probe-timeout = soon | keeper.properties:2: defaults.probe-timeout: 'soon' is not a duration",
            "unknown probe      | endpoint.cache.probe = exchange|endpoint.cache.probe = ping   | keeper.properties:6: endpoint.cache.probe: unknown probe 'ping'",
            "exchange w/o reply | endpoint.cache.probe.expect = +PONG|                      | keeper.properties:6: endpoint.cache.probe: an exchange probe needs probe.send and probe.expect",
            "bad pool size      | endpoint.cache.pool-size = 4|endpoint.cache.pool-size = 0   | keeper.properties:5: endpoint.cache.pool-size: '0' is not a whole number within 1..1024",
            "bad escape         | PING\\r\\n|PING\\q                                           | keeper.properties:7: endpoint.cache.probe.send: unknown escape \\q",
            "stray key          | defaults.check-interval = 2s|checkInterval = 2s            | keeper.properties:1: checkInterval: unknown key",
            "no separator       | defaults.check-interval = 2s|just some words               | keeper.properties:1: expected 'key = value'"})
    void wrongRichFileNamesTheKeyAndLine(String name, String from, String to, String expected) {
        String text = RICH.replace(from.strip(), to == null ? "" : to.strip());
        assertThatThrownBy(() -> read(text)).isInstanceOf(ConfigException.class).hasMessageStartingWith(expected.strip());
    }
}
