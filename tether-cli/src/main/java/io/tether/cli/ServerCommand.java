package io.tether.cli;

import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.heartbeat.HeartbeatProfile;
import io.tether.heartbeat.PhiAccrual;
import io.tether.server.ServerStats;
import io.tether.internal.LogLimit;
import io.tether.admin.AdminServer;
import io.tether.server.TetherServer;
import io.tether.cluster.TetherCluster;
import io.tether.util.Durations;
import java.nio.file.Path;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Run a heartbeat server until Ctrl-C. Stops gracefully: every client gets GOAWAY.")
final class ServerCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger("tether.server");

    enum EventFormat { text, jsonl }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--host", paramLabel = "ADDRESS", converter = CliTypes.BindAddressConverter.class,
            description = "Address to bind; 0.0.0.0 for every interface. Default: ${DEFAULT-VALUE} (loopback only).")
    String host = "127.0.0.1";

    @Option(names = "--port", paramLabel = "PORT", description = "Tether protocol port, 0 for any free one. Default: ${DEFAULT-VALUE}.")
    @Within(min = "0", max = "65535")
    int port = 7000;

    @Option(names = "--legacy-port", paramLabel = "PORT",
            description = "Also accept classic clients (8-byte little-endian {type, length} header) on this port.")
    @Within(min = "0", max = "65535")
    Integer legacyPort;

    @Option(names = "--reuse-port",
            description = "Share --port and --legacy-port with other servers on this host started with --reuse-port"
                    + " (SO_REUSEPORT): the kernel spreads new connections among them, each process under its own"
                    + " open-files limit. Linux (native epoll) only; elsewhere the server does not start.")
    boolean reusePort;

    @Mixin
    HeartbeatOptions heartbeat = new HeartbeatOptions(HeartbeatProfile.STANDARD);

    @Mixin
    LimitOptions limits = new LimitOptions();

    @Mixin
    AuthOptions auth = new AuthOptions();

    @Mixin
    AdminOptions admin = new AdminOptions();

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Mixin
    LogOptions logging = new LogOptions();

    @Mixin
    ConfigFile config = new ConfigFile();

    /** One line per DATA frame, but no more than 10 a second: a flooding client cannot fill the log. */
    private final LogLimit dataLines = new LogLimit(10, TimeUnit.SECONDS.toNanos(1), System.nanoTime());

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "PEM certificate chain: TLS 1.3/1.2 on the Tether port, with --tls-key. Default: plain TCP.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM (PKCS#8) private key of --tls-cert.")
    Path tlsKey;

    @Option(names = "--tls-client-ca", paramLabel = "FILE",
            description = "Require TLS clients to present a certificate signed by a CA in this PEM file (mutual TLS).")
    Path tlsClientCa;

    @Option(names = "--events", paramLabel = "FORMAT",
            description = "text: log lines; jsonl: one JSON object per ONLINE/OFFLINE on stdout. Default: ${DEFAULT-VALUE}.")
    EventFormat events = EventFormat.text;

    @Option(names = "--summary-every", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
            description = "How often to log a one-line summary (0ms = never). Default: 10s.")
    @Within(min = "0ms", max = "24h")
    Duration summaryEvery = Duration.ofSeconds(10);

    enum Detector { fixed, phi }

    @Option(names = "--detector", paramLabel = "KIND",
            description = "fixed: offline after the heartbeat timeout; phi: phi-accrual, learns each client's rhythm. Default: ${DEFAULT-VALUE}.")
    Detector detector = Detector.fixed;

    @Option(names = "--phi-threshold", paramLabel = "PHI", description = "Phi threshold (2..20). Default: ${DEFAULT-VALUE}.")
    @Within(min = "2", max = "20")
    double phiThreshold = PhiAccrual.defaults().threshold();

    @Option(names = "--phi-min-std", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
            description = "Floor for the measured deviation. Default: 100ms.")
    @Within(min = "1ms", max = "1h")
    Duration phiMinStd = PhiAccrual.defaults().minStdDeviation();

    @Option(names = "--phi-pause", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
            description = "Acceptable heartbeat pause. Default: one heartbeat interval.")
    @Within(min = "0ms", max = "24h")
    Duration phiPause;

    @Option(names = "--phi-window", paramLabel = "N", description = "Samples in the estimate (4..1000). Default: ${DEFAULT-VALUE}.")
    @Within(min = "4", max = "1000")
    int phiWindow = PhiAccrual.defaults().window();

    @Option(names = "--threads", paramLabel = "N",
            description = "Event loop threads (1..256). Default: one per core (${DEFAULT-VALUE}).")
    @Within(min = "1", max = "256", why = "one event loop per core is the most that helps")
    int threads = Math.min(256, Runtime.getRuntime().availableProcessors());

    @Override
    public Integer call() throws Exception {
        logging.apply();
        HeartbeatPolicy policy = heartbeat.resolve(spec.commandLine());
        PrintStream out = System.out;
        TetherServer.Builder builder = TetherServer.builder().host(host).port(port).reusePort(reusePort)
                .heartbeat(policy).eventLoopThreads(threads)
                .messageHandler((session, payload) -> {
                    long left = dataLines.take(System.nanoTime());
                    if (left >= 0) {
                        log.info("{} sent {} bytes{}", session.clientId(), payload.length, LogLimit.note(left));
                    }
                });
        try {
            limits.applyTo(builder);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (legacyPort != null) {
            builder.legacyPort(legacyPort);
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together");
        }
        if (tlsCert != null) {
            builder.tls(tlsCert, tlsKey);
        }
        if (tlsClientCa != null) {
            if (tlsCert == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--tls-client-ca needs --tls-cert and --tls-key");
            }
            builder.tlsClientCa(tlsClientCa);
        }
        auth.applyTo(builder, tlsClientCa != null, spec.commandLine());
        admin.prepare(builder, spec.commandLine());
        if (detector == Detector.phi) {
            try {
                builder.phiAccrual(new PhiAccrual(phiThreshold, phiMinStd, phiPause, phiWindow));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        if (events == EventFormat.jsonl) {
            builder.listener(event -> {
                synchronized (out) {
                    out.println(EventJson.line(event));
                    out.flush();
                }
            });
        }
        // In text mode the server's own log lines report every ONLINE and OFFLINE with its reason.
        // With --cluster: connected to Redis before the server listens, so that an unreachable Redis stops it
        // before any client is let in; joined once it listens, since a node's record holds its address.
        TetherCluster node = cluster.connect(spec.commandLine());
        if (node != null) {
            builder.listener(node.presenceListener());
        }
        TetherServer server;
        AdminServer adminPort;
        try {
            TetherServer built;
            try {
                built = builder.build();
            } catch (IllegalArgumentException e) { // a TLS file that cannot be read or used
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            server = start(built, node);
            try {
                adminPort = admin.start(server, spec.commandLine());
            } catch (IOException | RuntimeException e) {
                server.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            if (node != null) {
                node.close();
            }
            throw e;
        }

        ScheduledExecutorService summary = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "tether-summary");
            thread.setDaemon(true);
            return thread;
        });
        if (!summaryEvery.isZero()) {
            summary.scheduleAtFixedRate(() -> log.info("{}{}", summaryLine(server.stats()),
                            node == null ? "" : ClusterOptions.summary(node.stats())),
                    summaryEvery.toMillis(), summaryEvery.toMillis(), TimeUnit.MILLISECONDS);
        }
        UntilSignalled.run(() -> {
            summary.shutdownNow();
            if (adminPort != null) {
                adminPort.close();
            }
            server.close(); // first, so that each session's own OFFLINE reaches the cluster
            if (node != null) {
                node.close();
            }
        });
        return 0;
    }

    /** Starts the server and, with {@code --cluster}, joins the cluster as its node; on failure, nothing runs. */
    private TetherServer start(TetherServer built, TetherCluster node) throws IOException {
        TetherServer server = built.start();
        if (node == null) {
            return server;
        }
        try {
            node.start(server);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        log.info("cluster node {} joined cluster {} as epoch {} on Redis {} (lease {} renewed every {})", node.nodeId(),
                cluster.name, node.stats().epoch(), cluster.address(), Durations.format(cluster.leaseTimeout),
                Durations.format(cluster.leaseInterval));
        return server;
    }

    static String summaryLine(ServerStats stats) {
        String offline = stats.offlineByReason().entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .map(e -> e.getKey().name().toLowerCase(java.util.Locale.ROOT) + "=" + e.getValue())
                .collect(Collectors.joining(" "));
        return "online=" + stats.online() + " accepted=" + stats.accepted() + " went-offline=" + stats.offlineEvents()
                + (offline.isEmpty() ? "" : " (" + offline + ")") + " refused=" + stats.rejected()
                + " connections=" + stats.connections() + " in-handshake=" + stats.handshakes()
                + " buffered=" + stats.bufferedBytes();
    }
}
