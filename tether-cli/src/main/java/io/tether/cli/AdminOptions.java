package io.tether.cli;

import io.tether.admin.AdminServer;
import io.tether.admin.PresenceFeed;
import io.tether.server.TetherServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The admin port of {@code tether server} (docs/ADMIN.md). */
final class AdminOptions {
    @Option(names = "--admin-port", paramLabel = "PORT",
            description = "Serve metrics, health, the sessions API and the dashboard over HTTP on this port. Default: none.")
    @Within(min = "0", max = "65535")
    Integer port;

    @Option(names = "--admin-host", paramLabel = "ADDRESS", converter = CliTypes.BindAddressConverter.class,
            description = "Address of the admin port; beyond loopback it needs --admin-token-file. Default: ${DEFAULT-VALUE}.")
    String host = "127.0.0.1";

    @Option(names = "--admin-token-file", paramLabel = "FILE",
            description = "Require Authorization: Bearer <the file's text> on the admin port (at least 16 bytes).")
    Path tokenFile;

    @Option(names = "--admin-events", paramLabel = "N",
            description = "Presence events the admin port keeps for /events to resume from. Default: ${DEFAULT-VALUE}.")
    @Within(min = "1", max = "1000000")
    int events = 10_000;

    private PresenceFeed feed;

    /** Registers the feed the admin port streams from; call before the server is built. */
    void prepare(TetherServer.Builder builder, CommandLine command) {
        if (port == null) {
            if (tokenFile != null) {
                throw new CommandLine.ParameterException(command, "--admin-token-file goes with --admin-port");
            }
            return;
        }
        feed = new PresenceFeed(events);
        builder.listener(feed);
    }

    /** Starts the admin port for {@code server}, or returns null when none was asked for. */
    AdminServer start(TetherServer server, CommandLine command) throws IOException {
        if (port == null) {
            return null;
        }
        AdminServer.Builder builder = AdminServer.builder(server, feed).host(host).port(port);
        try {
            if (tokenFile != null) {
                builder.bearerToken(Files.readString(tokenFile).strip().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return builder.build().start();
        } catch (IllegalArgumentException | IllegalStateException | java.nio.file.NoSuchFileException e) {
            throw new CommandLine.ParameterException(command, "--admin: " + e.getMessage());
        }
    }
}
