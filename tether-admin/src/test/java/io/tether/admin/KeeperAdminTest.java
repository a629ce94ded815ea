package io.tether.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tether.keeper.EndpointConfig;
import io.tether.keeper.EndpointUnavailableException;
import io.tether.keeper.Keeper;
import io.tether.keeper.KeeperConfig;
import io.tether.keeper.Lease;
import io.tether.server.TetherServer;
import io.tether.testing.Upstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A keeper with a real upstream, seen through a real admin port: {@code /metrics} and {@code /keeper}. */
class KeeperAdminTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Quotes, a backslash, braces, a comma, an equals sign, markup and letters beyond ASCII: all allowed in a name. */
    private static final String ODD = "we\"ird\\ {x=\"1\"},kind=\"TLS\" </script> ünï ☃";
    /** One sample of the Prometheus text format: name, labels (values escaped as the format says), value. */
    private static final Pattern SAMPLE = Pattern.compile("^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)"
            + "(?:\\{(?<labels>(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*)})? (?<value>\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"");

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private Upstream upstream;
    private AdminServer admin;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closing(T resource) {
        toClose.add(resource);
        return resource;
    }

    private Keeper keeper(String... names) throws Exception {
        upstream = closing(new Upstream());
        List<EndpointConfig> endpoints = new ArrayList<>();
        for (String name : names) {
            endpoints.add(EndpointConfig.builder(name, "127.0.0.1", upstream.port())
                    .checkInterval(Duration.ofMillis(100)).probeTimeout(Duration.ofMillis(200))
                    .leakThreshold(Duration.ofMillis(500)).build());
        }
        return closing(Keeper.start(KeeperConfig.of(endpoints)));
    }

    private void admin(Keeper keeper) throws Exception {
        PresenceFeed feed = new PresenceFeed(10);
        TetherServer server = closing(TetherServer.builder().host("127.0.0.1").port(0).listener(feed).build().start());
        AdminServer.Builder builder = AdminServer.builder(server, feed);
        if (keeper != null) {
            builder.keeper(keeper);
        }
        admin = closing(builder.build().start());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.address().getPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Every sample of a scrape, by name and its labels unescaped; a line that is not a valid sample fails. */
    private Map<String, Double> scrape() throws Exception {
        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        Map<String, Double> samples = new HashMap<>();
        for (String line : metrics.body().split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher sample = SAMPLE.matcher(line);
            assertThat(sample.matches()).as("a valid Prometheus sample: %s", line).isTrue();
            Map<String, String> labels = new TreeMap<>();
            if (sample.group("labels") != null) {
                Matcher label = LABEL.matcher(sample.group("labels"));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2).replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\"));
                }
            }
            samples.put(sample.group("name") + labels, Double.parseDouble(sample.group("value")));
        }
        return samples;
    }

    private static double sample(Map<String, Double> samples, String name, String... labels) {
        Map<String, String> wanted = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        Double value = samples.get(name + wanted);
        assertThat(value).as("%s%s in the scrape", name, wanted).isNotNull();
        return value;
    }

    @Test
    void metricsAndTheKeeperPathTellTheTruthAboutRealBorrowsLeaksAndProbes() throws Exception {
        Keeper keeper = keeper("bank");
        admin(keeper);

        keeper.borrow("bank").close();
        Lease held = keeper.borrow("bank");
        assertThatThrownBy(() -> keeper.borrow("bank", Duration.ofMillis(50))).isInstanceOf(EndpointUnavailableException.class);
        FutureTask<Lease> waiting = new FutureTask<>(() -> keeper.borrow("bank", WAIT));
        Thread waiter = new Thread(waiting, "waiting-borrower");
        waiter.start();
        await().atMost(WAIT).until(() -> waiter.getState() == Thread.State.TIMED_WAITING);
        long seenWaiting = System.nanoTime();
        await("held past the leak threshold").atMost(WAIT).until(() -> keeper.status("bank").counters().leaks() == 1);
        long returned = System.nanoTime();
        held.close();
        int port;
        try (Lease handedOver = waiting.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            port = handedOver.localAddress().getPort();
        }
        await().atMost(WAIT).until(() -> upstream.dropConnectionFrom(port));
        await().atMost(WAIT).until(() -> keeper.status("bank").counters().opened() == 2 && keeper.status("bank").idle() == 1);

        Map<String, Double> samples = scrape();
        assertThat(sample(samples, "tether_keeper_endpoint_up", "endpoint", "bank")).isEqualTo(1);
        assertThat(sample(samples, "tether_keeper_connections", "endpoint", "bank", "state", "idle")).isEqualTo(1);
        assertThat(sample(samples, "tether_keeper_connections", "endpoint", "bank", "state", "lent")).isZero();
        assertThat(sample(samples, "tether_keeper_borrow_wait_seconds_count", "endpoint", "bank")).isEqualTo(3);
        double waited = sample(samples, "tether_keeper_borrow_wait_seconds_sum", "endpoint", "bank");
        assertThat(waited).as("only the waiter waited, at least while it was seen waiting")
                .isGreaterThanOrEqualTo((returned - seenWaiting) / 1e9)
                .isEqualTo(sample(samples, "tether_keeper_borrow_wait_longest_seconds", "endpoint", "bank"));
        assertThat(sample(samples, "tether_keeper_borrow_timeouts_total", "endpoint", "bank")).isEqualTo(1);
        assertThat(sample(samples, "tether_keeper_leaks_total", "endpoint", "bank")).isEqualTo(1);
        assertThat(sample(samples, "tether_keeper_probe_failures_total", "endpoint", "bank", "kind", "CLOSED")).isEqualTo(1);
        assertThat(sample(samples, "tether_keeper_probe_failures_total", "endpoint", "bank", "kind", "TIMEOUT")).isZero();
        assertThat(sample(samples, "tether_keeper_connections_opened_total", "endpoint", "bank")).isEqualTo(2);
        assertThat(sample(samples, "tether_keeper_connections_retired_total", "endpoint", "bank")).isEqualTo(1);
        assertThat(sample(samples, "tether_keeper_transitions_total", "endpoint", "bank", "to", "UP")).isEqualTo(1);
        assertThat(sample(samples, "tether_keeper_probe_rtt_seconds", "endpoint", "bank")).isPositive().isLessThan(1);

        HttpResponse<String> answer = get("/keeper");
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode bank = JSON.readTree(answer.body()).get("endpoints").get(0);
        assertThat(bank.get("name").asText()).isEqualTo("bank");
        assertThat(bank.get("state").asText()).isEqualTo("UP");
        assertThat(bank.get("idle").asInt()).isEqualTo(1);
        JsonNode counters = bank.get("counters");
        assertThat(counters.get("borrows").asLong()).isEqualTo(3);
        assertThat(counters.get("borrowWaitMicros").asLong()).isEqualTo(counters.get("longestBorrowWaitMicros").asLong())
                .isGreaterThanOrEqualTo((returned - seenWaiting) / 1000);
        assertThat(counters.get("borrowTimeouts").asLong()).isEqualTo(1);
        assertThat(counters.get("leaks").asLong()).isEqualTo(1);
        assertThat(counters.get("probeFailures").get("CLOSED").asLong()).isEqualTo(1);
        assertThat(counters.get("opened").asLong()).isEqualTo(2);
    }

    @Test
    void oddEndpointNamesLeaveAsEscapedJsonAndValidPrometheusLabelValues() throws Exception {
        Keeper keeper = keeper("bank", ODD);
        admin(keeper);
        keeper.borrow(ODD).close();

        JsonNode endpoints = JSON.readTree(get("/keeper").body()).get("endpoints");
        assertThat(endpoints).extracting(e -> e.get("name").asText()).containsExactly("bank", ODD);
        Map<String, Double> samples = scrape();
        assertThat(sample(samples, "tether_keeper_borrow_wait_seconds_count", "endpoint", ODD)).isEqualTo(1);
        assertThat(sample(samples, "tether_keeper_probe_failures_total", "endpoint", ODD, "kind", "TLS")).isZero();
        assertThat(sample(samples, "tether_keeper_endpoint_up", "endpoint", ODD)).isEqualTo(1);
        assertThat(samples.keySet()).filteredOn(k -> k.startsWith("tether_keeper_endpoint_up")).hasSize(2);
    }

    @Test
    void withoutAKeeperTheKeeperPathSaysSo() throws Exception {
        admin(null);
        HttpResponse<String> answer = get("/keeper");
        assertThat(answer.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(answer.body()).get("error").asText()).isEqualTo("no keeper runs in this process");
        assertThat(get("/metrics").body()).doesNotContain("tether_keeper_");
    }

    @Test
    void anApplicationBindsTheMetersToItsOwnRegistryWithoutTheAdminPort() throws Exception {
        Keeper keeper = keeper("bank");
        MeterRegistry registry = new SimpleMeterRegistry();
        KeeperMeters.bind(keeper, registry);
        System.gc(); // Micrometer holds what a meter reads weakly: nothing the meters need may go with a collection
        keeper.borrow("bank").close();
        assertThat(registry.get("tether.keeper.borrow.wait").tag("endpoint", "bank").functionTimer().count()).isEqualTo(1);
        assertThat(registry.get("tether.keeper.endpoint.up").tag("endpoint", "bank").gauge().value()).isEqualTo(1);
        keeper.close();
        await().atMost(WAIT).until(() -> registry.get("tether.keeper.connections.retired").tag("endpoint", "bank")
                .functionCounter().count() == 1);
    }

    @Test
    void docsAdminListsEveryKeeperMeterThatExistsAndShowsTheFieldsOfTheKeeperPath() throws Exception {
        Keeper keeper = keeper("bank");
        admin(keeper);
        String doc = Files.readString(Path.of("..", "docs", "ADMIN.md"));
        TreeSet<String> documented = Pattern.compile("`(tether_keeper_[a-z_]+)").matcher(doc).results()
                .map(m -> m.group(1)).collect(Collectors.toCollection(TreeSet::new));
        TreeSet<String> scraped = get("/metrics").body().lines().filter(l -> l.startsWith("# TYPE tether_keeper_"))
                .map(l -> l.split(" ")[2]).collect(Collectors.toCollection(TreeSet::new));
        assertThat(documented).isEqualTo(scraped);

        Matcher example = Pattern.compile("`/keeper` answers\\s+```\\n(.*?)\\n```", Pattern.DOTALL).matcher(doc);
        assertThat(example.find()).as("docs/ADMIN.md shows an answer of /keeper").isTrue();
        assertThat(fields(JSON.readTree(example.group(1)), "")).isEqualTo(fields(JSON.readTree(get("/keeper").body()), ""));
    }

    /** Every field's path, arrays read through their first element: the shape of an answer, not its values. */
    private static TreeSet<String> fields(JsonNode node, String path) {
        TreeSet<String> paths = new TreeSet<>();
        if (node.isArray() && !node.isEmpty()) {
            paths.addAll(fields(node.get(0), path + "[]"));
        }
        for (var field : node.properties()) {
            paths.add(path + "." + field.getKey());
            paths.addAll(fields(field.getValue(), path + "." + field.getKey()));
        }
        return paths;
    }
}
