package io.tether.keeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tether.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The TLS settings of an endpoint, in a file and through the builder, and the mistakes refused at load. */
class KeeperTlsConfigTest {
    @TempDir
    Path dir;
    private TestPki pki;

    @BeforeEach
    void makeCertificates() throws Exception {
        pki = TestPki.ca(dir, "test-ca");
        pki.issue("keeper");
        Files.writeString(dir.resolve("not-pem.pem"), "this is not a certificate\n");
    }

    private KeeperConfig read(String text) throws Exception {
        Path file = dir.resolve("keeper.properties");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return KeeperConfig.read(file);
    }

    private static final String TLS = """
            defaults.tls.ca = test-ca.pem
            endpoint.hub.host = 127.0.0.1
            endpoint.hub.port = 7443
            endpoint.hub.tls = true
            endpoint.hub.tls.cert = keeper.pem
            endpoint.hub.tls.key = keeper.key
            endpoint.hub.tls.server-name = hub.internal
            endpoint.bank.host = 127.0.0.1
            endpoint.bank.port = 9000
            """;

    @Test
    void tlsSettingsLoadWithFilesNamedRelativeToTheConfigurationFile() throws Exception {
        KeeperConfig config = read(TLS);

        EndpointTls hub = config.endpoints().get("hub").tls();
        assertThat(hub.ca()).isEqualTo(dir.resolve("test-ca.pem"));
        assertThat(hub.certificate()).isEqualTo(dir.resolve("keeper.pem"));
        assertThat(hub.key()).isEqualTo(dir.resolve("keeper.key"));
        assertThat(hub.serverName()).isEqualTo("hub.internal");
        assertThat(config.endpoints().get("hub").toString()).contains(", tls");
        assertThat(config.endpoints().get("bank").tls()).as("defaults.tls.* apply only where tls = true").isNull();
    }

    @Test
    void tlsAloneTrustsTheJvmsDefaultTrustStore() throws Exception {
        KeeperConfig config = read("""
                endpoint.web.host = example.com
                endpoint.web.port = 443
                endpoint.web.tls = TRUE
                """);

        assertThat(config.endpoints().get("web").tls()).isEqualTo(new EndpointTls(null, null, null, null));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not a boolean        | endpoint.hub.tls = true|endpoint.hub.tls = yes                        | keeper.properties:4: endpoint.hub.tls: 'yes' is not true or false",
            "tls off              | endpoint.hub.tls = true|endpoint.hub.tls = false                      | keeper.properties:5: endpoint.hub.tls.cert: is set but endpoint.hub.tls is not true",
            "missing CA file      | defaults.tls.ca = test-ca.pem|defaults.tls.ca = missing.pem           | keeper.properties:1: defaults.tls.ca: cannot read the TLS CA file ",
            "CA not PEM           | defaults.tls.ca = test-ca.pem|defaults.tls.ca = not-pem.pem           | keeper.properties:1: defaults.tls.ca: cannot set up TLS from ",
            "cert without key     | endpoint.hub.tls.key = keeper.key|                                   | keeper.properties:5: endpoint.hub.tls.cert: needs endpoint.hub.tls.key too: a client certificate goes with its private key",
            "key without cert     | endpoint.hub.tls.cert = keeper.pem|                                  | keeper.properties:6: endpoint.hub.tls.key: needs endpoint.hub.tls.cert too",
            "key not PEM          | endpoint.hub.tls.key = keeper.key|endpoint.hub.tls.key = not-pem.pem | keeper.properties:6: endpoint.hub.tls.key: cannot set up TLS from ",
            "missing key          | endpoint.hub.tls.key = keeper.key|endpoint.hub.tls.key = gone.key    | keeper.properties:6: endpoint.hub.tls.key: cannot read the TLS private key file ",
            "unknown TLS setting  | endpoint.hub.tls.server-name = hub.internal|endpoint.hub.tls.verify = false | keeper.properties:7: endpoint.hub.tls.verify: unknown setting 'tls.verify'",
            "bad server name      | endpoint.hub.tls.server-name = hub.internal|endpoint.hub.tls.server-name = hub internal | keeper.properties:7: endpoint.hub.tls.server-name: 'hub internal' is not a host name: it contains whitespace",
            "urgent probe         | endpoint.bank.port = 9000|endpoint.hub.probe = urgent                | keeper.properties:9: endpoint.hub.probe: the urgent probe's byte travels outside TLS",
            "TLS detail, no tls   | endpoint.bank.port = 9000|endpoint.bank.port = 9000\\nendpoint.bank.tls.server-name = bank | keeper.properties:10: endpoint.bank.tls.server-name: is set but endpoint.bank.tls is not true"})
    void wrongTlsSettingsNameTheKeyAndLine(String name, String from, String to, String expected) {
        String text = TLS.replace(from.strip(), to == null ? "" : to.strip().replace("\\n", "\n"));
        assertThatThrownBy(() -> read(text)).isInstanceOf(ConfigException.class).hasMessageStartingWith(expected.strip());
    }

    @Test
    void theBuilderRefusesWhatTheFileDoes() {
        EndpointConfig.Builder hub = EndpointConfig.builder("hub", "127.0.0.1", 7443);
        assertThatThrownBy(() -> hub.tls(dir.resolve("missing.pem"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot read the TLS CA file " + dir.resolve("missing.pem"));
        assertThatThrownBy(() -> hub.tlsClientCertificate(pki.cert("keeper"), dir.resolve("not-pem.pem")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("cannot set up TLS from " + pki.cert("keeper"));
        assertThatThrownBy(() -> hub.tlsServerName("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tls.server-name must not be empty");
        assertThatThrownBy(() -> hub.tls().probe(ProbeSpec.of(ProbeKind.URGENT)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("the urgent probe's byte travels outside TLS");

        EndpointConfig built = EndpointConfig.builder("hub", "127.0.0.1", 7443).tls(pki.caCert())
                .tlsClientCertificate(pki.cert("keeper"), pki.key("keeper")).tlsServerName("hub.internal").build();
        assertThat(built.tls()).isEqualTo(new EndpointTls(pki.caCert(), pki.cert("keeper"), pki.key("keeper"), "hub.internal"));
        assertThat(built.toBuilder().build().tls()).as("kept by toBuilder").isEqualTo(built.tls());
        assertThat(EndpointConfig.builder("plain", "127.0.0.1", 9000).build().tls()).isNull();
    }

    @Test
    void aTlsFileGoneBetweenLoadingAndStartingFailsTheStartNamingTheEndpoint() throws Exception {
        Path ca = Files.copy(pki.caCert(), dir.resolve("soon-gone.pem"));
        KeeperConfig config = KeeperConfig.of(java.util.List.of(EndpointConfig.builder("hub", "127.0.0.1", 7443).tls(ca).build()));
        Files.delete(ca);

        assertThatThrownBy(() -> Keeper.start(config).close()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("hub: cannot read the TLS CA file " + ca);
    }
}
