package io.tether.cli;

import io.tether.server.TetherServer;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The server's limits on what clients may cost it (docs/SECURITY.md), as flags of {@code tether server}. */
final class LimitOptions {
    @Option(names = "--max-connections", paramLabel = "N",
            description = "Connections held at once on all ports; more are refused OVERLOADED. Default: ${DEFAULT-VALUE}.")
    @Within(min = "1", max = "10000000")
    int maxConnections = 100_000;

    @Option(names = "--max-handshakes", paramLabel = "N",
            description = "Connections that have not said HELLO yet. Default: ${DEFAULT-VALUE}.")
    @Within(min = "1", max = "10000000")
    int maxHandshakes = 16_384;

    @Option(names = "--max-handshake-rate", paramLabel = "N",
            description = "Connections taken off the listening sockets a second; more wait in the kernel's accept queue; 0 for no limit. Default: ${DEFAULT-VALUE}.")
    @Within(min = "0", max = "10000000")
    int maxHandshakeRate = TetherServer.DEFAULT_HANDSHAKE_RATE;

    @Option(names = "--max-connections-per-address", paramLabel = "N",
            description = "Connections from one source address, 0 for no limit (clients behind NAT share one). Default: ${DEFAULT-VALUE}.")
    @Within(min = "0", max = "10000000")
    int maxPerAddress;

    @Option(names = "--max-frames-per-second", paramLabel = "N",
            description = "Frames other than PING one client may send a second before RATE_LIMITED. Default: ${DEFAULT-VALUE}.")
    @Within(min = "1", max = "100000000")
    int maxFramesPerSecond = 1_000;

    @Option(names = "--max-bytes-per-second", paramLabel = "BYTES", converter = CliTypes.ByteSizeConverter.class,
            description = "Bytes of those frames one client may send a second (e.g. 16MiB). Default: 16MiB.")
    @Within(min = "1024", max = "1099511627776")
    long maxBytesPerSecond = 16L << 20;

    @Option(names = "--max-buffered", paramLabel = "BYTES", converter = CliTypes.ByteSizeConverter.class,
            description = "Bytes held across all connections for partial and unsent frames (e.g. 512MiB). Default: a quarter of the heap.")
    @Within(min = "1048576", max = "1099511627776")
    Long maxBuffered;

    @Option(names = "--legacy-max-payload", paramLabel = "BYTES", converter = CliTypes.ByteSizeConverter.class,
            description = "Largest data payload a classic client may send (64..16MiB). Default: 16KiB.")
    @Within(min = "64", max = "16777216")
    long legacyMaxPayload = 16 << 10;

    @Option(names = "--legacy-allow", paramLabel = "CIDR", split = ",", converter = CliTypes.NetworkConverter.class,
            description = "Source networks the classic port accepts, e.g. 10.0.0.0/8,127.0.0.1/32. Default: any.")
    List<String> legacyAllow = new ArrayList<>();

    /** Applies the limits (each allow-list entry has been checked by its converter). */
    void applyTo(TetherServer.Builder builder) {
        builder.maxConnections(maxConnections, maxHandshakes, maxPerAddress)
                .maxHandshakeRate(maxHandshakeRate)
                .maxRatePerSecond(maxFramesPerSecond, maxBytesPerSecond)
                .legacyMaxPayload((int) legacyMaxPayload)
                .legacyAllow(legacyAllow);
        if (maxBuffered != null) {
            builder.maxBufferedBytes(maxBuffered);
        }
    }
}
