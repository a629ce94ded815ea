package io.tether.cli;

import io.tether.client.ClientListener;
import io.tether.client.ClientState;
import io.tether.client.TetherClient;
import io.tether.heartbeat.HeartbeatProfile;
import io.tether.retry.ReconnectBackoff;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "client", mixinStandardHelpOptions = true,
        description = {"Connect to a Tether server and stay connected until Ctrl-C.",
                "Prints state changes and heartbeat round trips; each line typed on stdin is sent as DATA,",
                "and what the server sends is printed."})
final class ClientCommand implements Callable<Integer> {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--server", required = true, paramLabel = "HOST:PORT", converter = CliTypes.HostPortConverter.class,
            description = "Server to connect to; repeat for failover, tried in order.")
    List<InetSocketAddress> servers;

    @Option(names = "--id", required = true, paramLabel = "CLIENT_ID", description = "This client's id.")
    String id;

    @Mixin
    HeartbeatOptions heartbeat;

    @Option(names = "--backoff-initial", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
            description = "First reconnect delay ceiling. Default: 200ms.")
    Duration backoffInitial = ReconnectBackoff.DEFAULT.initial();

    @Option(names = "--backoff-max", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
            description = "Largest reconnect delay. Default: 30s.")
    Duration backoffMax = ReconnectBackoff.DEFAULT.max();

    @Option(names = "--backoff-multiplier", paramLabel = "X", description = "Growth per failed attempt. Default: 2.")
    double backoffMultiplier = ReconnectBackoff.DEFAULT.multiplier();

    @Option(names = "--quiet-rtt", description = "Do not print every heartbeat round trip.")
    boolean quietRtt;

    @Option(names = "--verbose", description = "Also show the client library's own log lines (retries, failures).")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        ReconnectBackoff backoff;
        try {
            backoff = new ReconnectBackoff(backoffInitial, backoffMax, backoffMultiplier);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (!verbose) {
            Logging.quietLibrary(); // this command narrates state changes itself
        }
        PrintStream out = System.out;
        TetherClient.Builder builder = TetherClient.builder()
                .clientId(id)
                .heartbeat(heartbeat.resolve(spec.commandLine(), HeartbeatProfile.STANDARD))
                .reconnectBackoff(backoff)
                .messageHandler(payload -> print(out, "< " + new String(payload, StandardCharsets.UTF_8)))
                .listener(new ClientListener() {
                    @Override
                    public void stateChanged(ClientState previous, ClientState current, String reason) {
                        print(out, current + " (" + reason + ")");
                    }

                    @Override
                    public void heartbeatAcknowledged(Duration rtt) {
                        if (!quietRtt) {
                            print(out, String.format(Locale.ROOT, "rtt %.3f ms", rtt.toNanos() / 1e6));
                        }
                    }
                });
        servers.forEach(builder::server);
        TetherClient client = builder.build();
        UntilSignalled signal = UntilSignalled.arm(client::close);
        client.start();

        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = stdin.readLine(); line != null; line = stdin.readLine()) {
            String text = line;
            client.send(text.getBytes(StandardCharsets.UTF_8)).whenComplete((ok, failure) ->
                    print(out, failure == null ? "> " + text : "! not sent: " + failure.getMessage()));
        }
        // stdin closed (or never there): keep the connection until Ctrl-C.
        signal.await();
        return 0;
    }

    private static void print(PrintStream out, String line) {
        synchronized (out) {
            out.println(LocalTime.now().format(CLOCK) + " " + line);
            out.flush();
        }
    }
}
