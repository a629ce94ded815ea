package io.tether.cli;

import io.tether.server.Tokens;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tether token}: prints a signed token for {@code tether server --auth token}. */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Print a token that proves a client id to a server started with --auth token and the same secret.")
final class TokenCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--secret-file", paramLabel = "FILE", required = true,
            description = "The server's --auth-secret-file.")
    Path secretFile;

    @Option(names = "--id", paramLabel = "CLIENT_ID", required = true, converter = CliTypes.ClientIdConverter.class,
            description = "The client id the token proves.")
    String clientId;

    @Option(names = "--ttl", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
            description = "How long the token is valid (its session ends then). Default: 1h.")
    @Within(min = "1s", max = "87600h")
    Duration ttl = Duration.ofHours(1);

    @Override
    public Integer call() throws Exception {
        byte[] secret;
        try {
            secret = Tokens.readSecret(secretFile);
        } catch (java.io.IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--secret-file: " + e.getMessage());
        }
        System.out.println(Tokens.issue(secret, clientId, Instant.now().plus(ttl).plusMillis(999)));
        return 0;
    }
}
