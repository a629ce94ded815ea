package io.tether.cli;

import io.tether.server.Authenticators;
import io.tether.server.TetherServer;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** How {@code tether server} authenticates its clients (docs/SECURITY.md, Authentication). */
final class AuthOptions {
    enum Mode { none, token, jwt, mtls }

    @Option(names = "--auth", paramLabel = "MODE",
            description = "How clients prove their id: none, token (--auth-secret-file), jwt (--auth-jwt-keys) or"
                    + " mtls (--tls-client-ca). Default: ${DEFAULT-VALUE}.")
    Mode mode = Mode.none;

    @Option(names = "--auth-secret-file", paramLabel = "FILE",
            description = "The HMAC secret of --auth token, at least 32 bytes (openssl rand -hex 32 > FILE).")
    Path secretFile;

    @Option(names = "--auth-jwt-keys", paramLabel = "FILE",
            description = "The public keys of --auth jwt: a JWKS file, a PEM public key or a PEM certificate.")
    Path jwtKeys;

    /** Sets the chosen authenticator on {@code builder}; a missing or unusable file is a usage error. */
    void applyTo(TetherServer.Builder builder, boolean clientCertificates, CommandLine command) {
        if (mode != Mode.token && secretFile != null) {
            throw new CommandLine.ParameterException(command, "--auth-secret-file goes with --auth token");
        }
        if (mode != Mode.jwt && jwtKeys != null) {
            throw new CommandLine.ParameterException(command, "--auth-jwt-keys goes with --auth jwt");
        }
        try {
            switch (mode) {
                case none -> { }
                case token -> builder.authenticator(Authenticators.tokens(required(secretFile, "--auth-secret-file", command)));
                case jwt -> builder.authenticator(Authenticators.jwt(required(jwtKeys, "--auth-jwt-keys", command)));
                case mtls -> {
                    if (!clientCertificates) {
                        throw new CommandLine.ParameterException(command,
                                "--auth mtls needs TLS with client certificates: --tls-cert, --tls-key and --tls-client-ca");
                    }
                    builder.authenticator(Authenticators.clientCertificates());
                }
            }
        } catch (IOException e) {
            throw new CommandLine.ParameterException(command, "--auth " + mode + ": " + e.getMessage());
        }
    }

    private static Path required(Path file, String flag, CommandLine command) {
        if (file == null) {
            throw new CommandLine.ParameterException(command, "this --auth mode needs " + flag);
        }
        return file;
    }
}
