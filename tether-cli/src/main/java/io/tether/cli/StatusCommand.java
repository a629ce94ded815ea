package io.tether.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tether.util.LogSafe;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tether status}: a running server's summary and session table, read from its admin port. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Print a running server's summary and its online sessions, from its admin port (--admin-port).")
final class StatusCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--admin", paramLabel = "HOST:PORT", required = true, converter = CliTypes.HostPortConverter.class,
            description = "The server's admin port.")
    InetSocketAddress admin;

    @Option(names = "--admin-token-file", paramLabel = "FILE", description = "The admin port's bearer token, if it needs one.")
    Path tokenFile;

    @Option(names = "--prefix", paramLabel = "TEXT", description = "Only sessions whose client id starts with this.")
    String prefix = "";

    @Option(names = "--limit", paramLabel = "N", description = "At most this many sessions. Default: ${DEFAULT-VALUE}.")
    @Within(min = "1", max = "1000")
    int limit = 50;

    @Override
    public Integer call() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String token = tokenFile == null ? null : Files.readString(tokenFile).strip();
        JsonNode health = fetch(http, token, "/health", true);
        JsonNode stats = fetch(http, token, "/stats", false);
        JsonNode page = fetch(http, token, "/sessions?limit=" + limit + "&prefix="
                + URLEncoder.encode(prefix, StandardCharsets.UTF_8), false);
        PrintStream out = System.out;
        out.printf("%s  online=%d connections=%d in-handshake=%d refused=%d went-offline=%d%s%n",
                health.get("status").asText(), stats.get("online").asLong(), stats.get("connections").asLong(),
                stats.get("handshakes").asLong(), stats.get("refused").asLong(), stats.get("offlineEvents").asLong(),
                reasons(stats.get("offlineByReason")));
        for (JsonNode problem : health.get("problems")) {
            out.println("  problem: " + LogSafe.text(problem.asText()));
        }
        out.printf("%-32s %10s %-22s %10s %9s%n", "client", "session", "remote", "rtt", "timeout");
        for (JsonNode s : page.get("sessions")) {
            out.printf("%-32s %10d %-22s %10s %8dms%n", LogSafe.text(s.get("clientId").asText(), 32),
                    s.get("sessionId").asLong(), LogSafe.text(s.get("remote").asText()),
                    s.get("rttMicros").isNull() ? "-" : String.format("%.3fms", s.get("rttMicros").asLong() / 1000.0),
                    s.get("timeoutMs").asLong());
        }
        if (!page.get("nextCursor").isNull()) {
            out.println("(more sessions: raise --limit or narrow --prefix)");
        }
        return 0;
    }

    private static String reasons(JsonNode byReason) {
        StringBuilder text = new StringBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = byReason.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (entry.getValue().asLong() > 0) {
                text.append(text.length() == 0 ? " (" : " ").append(entry.getKey().toLowerCase(java.util.Locale.ROOT))
                        .append('=').append(entry.getValue().asLong());
            }
        }
        return text.length() == 0 ? "" : text.append(')').toString();
    }

    private JsonNode fetch(HttpClient http, String token, String path, boolean anyStatus) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + admin.getHostString() + ":"
                + admin.getPort() + path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "cannot reach the admin port at "
                    + admin.getHostString() + ":" + admin.getPort() + ": " + e);
        }
        if (!anyStatus && response.statusCode() != 200) {
            throw new CommandLine.ParameterException(spec.commandLine(), "the admin port answered " + path + " with "
                    + response.statusCode() + ": " + LogSafe.text(response.body(), 200));
        }
        return JSON.readTree(response.body());
    }
}
