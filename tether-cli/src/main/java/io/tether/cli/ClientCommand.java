package io.tether.cli;

import io.tether.client.ClientListener;
import io.tether.client.ClientState;
import io.tether.client.TetherClient;
import io.tether.heartbeat.HeartbeatProfile;
import io.tether.retry.ReconnectBackoff;
import io.tether.util.LogSafe;
import java.nio.file.Path;
import java.io.BufferedReader;
import java.io.IOException;
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
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "client", mixinStandardHelpOptions = true,
        description = {"Connect to a Tether server and stay connected until Ctrl-C.",
                "Prints state changes and heartbeat round trips; each line typed on stdin is sent as DATA,",
                "and what the server sends is printed. Exits with 1 if the server replaces this client (another",
                "client connected with its id) or refuses it for good (an id or protocol version it does not accept)."})
final class ClientCommand implements Callable<Integer> {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--server", required = true, paramLabel = "HOST:PORT", converter = CliTypes.HostPortConverter.class,
            description = "Server to connect to; repeat for failover, tried in order.")
    List<InetSocketAddress> servers;

    @Option(names = "--id", required = true, paramLabel = "CLIENT_ID", converter = CliTypes.ClientIdConverter.class,
            description = "This client's id: 1 to 255 bytes of UTF-8, no control or format characters.")
    String id;

    @Mixin
    HeartbeatOptions heartbeat = new HeartbeatOptions(HeartbeatProfile.STANDARD);

    @Option(names = "--backoff-initial", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
            description = "First reconnect delay ceiling. Default: 200ms.")
    @Within(min = "1ms", max = "1h")
    Duration backoffInitial = ReconnectBackoff.DEFAULT.initial();

    @Option(names = "--backoff-max", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
            description = "Largest reconnect delay. Default: 30s.")
    @Within(min = "1ms", max = "24h")
    Duration backoffMax = ReconnectBackoff.DEFAULT.max();

    @Option(names = "--backoff-multiplier", paramLabel = "X", description = "Growth per failed attempt. Default: ${DEFAULT-VALUE}.")
    @Within(min = "1", max = "100")
    double backoffMultiplier = ReconnectBackoff.DEFAULT.multiplier();

    @Option(names = "--tls", description = "Connect over TLS 1.3/1.2, trusting the system's CAs or --tls-ca;"
            + " the server's certificate must name the host given in --server.")
    boolean tls;

    @Option(names = "--tls-ca", paramLabel = "FILE", description = "Trust only server certificates signed by a CA in this PEM file (implies --tls).")
    Path tlsCa;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate chain to present to a server that asks (with --tls-key; implies --tls).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM (PKCS#8) private key of --tls-cert.")
    Path tlsKey;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "Prove the client id with this token (tether token, or a JSON Web Token). Visible to other"
                    + " local users in the process list: prefer --token-file.")
    String token;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "Prove the client id with the token in this file, read again before every connection attempt.")
    Path tokenFile;

    @Option(names = "--quiet-rtt", description = "Do not print every heartbeat round trip.")
    boolean quietRtt;

    @Option(names = "--verbose", description = "Also show the client library's own log lines (retries, failures).")
    boolean verbose;

    @Mixin
    LogOptions logging = new LogOptions();

    @Override
    public Integer call() throws Exception {
        logging.apply();
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
        // The exit code: 0 once a signal has closed the client, 1 when the client ended by itself (CLOSED is
        // final: replaced, or refused for a reason another attempt cannot change).
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        CompletableFuture<Void> stopping = new CompletableFuture<>();
        TetherClient.Builder builder = TetherClient.builder()
                .clientId(id)
                .heartbeat(heartbeat.resolve(spec.commandLine()))
                .reconnectBackoff(backoff)
                .messageHandler(payload -> print(out, "< " + LogSafe.text(new String(payload, StandardCharsets.UTF_8))))
                .listener(new ClientListener() {
                    @Override
                    public void stateChanged(ClientState previous, ClientState current, String reason) {
                        print(out, current + " (" + reason + ")");
                        if (current == ClientState.CLOSED && !stopping.isDone()) {
                            System.err.println(spec.qualifiedName() + ": " + LogSafe.text(id) + " stopped: " + reason);
                            exit.complete(1);
                        }
                    }

                    @Override
                    public void heartbeatAcknowledged(Duration rtt) {
                        if (!quietRtt) {
                            print(out, String.format(Locale.ROOT, "rtt %.3f ms", rtt.toNanos() / 1e6));
                        }
                    }
                });
        servers.forEach(builder::server);
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together");
        }
        if (tlsCa != null) {
            builder.tls(tlsCa);
        } else if (tls) {
            builder.tls();
        }
        if (token != null && tokenFile != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--token and --token-file are alternatives");
        }
        if (token != null) {
            builder.token(token);
        } else if (tokenFile != null) {
            builder.credential(TokenFile.reader(tokenFile));
        }
        if (tlsCert != null) {
            builder.tlsClientCertificate(tlsCert, tlsKey);
        }
        TetherClient client;
        try {
            client = builder.build();
        } catch (IllegalArgumentException e) { // a TLS file that cannot be read or used
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        UntilSignalled.arm(() -> {
            stopping.complete(null);
            client.close();
            exit.complete(0);
        });
        client.start();
        Thread stdin = new Thread(() -> sendLines(client, out), "tether-stdin");
        stdin.setDaemon(true); // blocked in a read when the client ends: must not keep the process alive
        stdin.start();
        return exit.get();
    }

    /** Sends each line of stdin as DATA; when stdin closes (or was never there) the connection stays. */
    private static void sendLines(TetherClient client, PrintStream out) {
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try {
            for (String line = stdin.readLine(); line != null; line = stdin.readLine()) {
                String text = line;
                client.send(text.getBytes(StandardCharsets.UTF_8)).whenComplete((ok, failure) ->
                        print(out, failure == null ? "> " + LogSafe.text(text) : "! not sent: " + failure.getMessage()));
            }
        } catch (IOException e) {
            print(out, "! stdin: " + e.getMessage());
        }
    }

    private static void print(PrintStream out, String line) {
        synchronized (out) {
            out.println(LocalTime.now().format(CLOCK) + " " + line);
            out.flush();
        }
    }
}
