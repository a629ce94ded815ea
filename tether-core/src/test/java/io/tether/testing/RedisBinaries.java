package io.tether.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Where redis-server and redis-cli are, and the skip, with its reason, of a test that needs one that is missing.
 * {@code ./test} installs Debian's redis-server package (which brings redis-tools, so redis-cli) when it can,
 * and otherwise puts its reason in {@code TETHER_REDIS_UNAVAILABLE}.
 */
final class RedisBinaries {
    private RedisBinaries() {
    }

    static Path server() {
        return binary("TETHER_REDIS_SERVER", "redis-server");
    }

    static Path cli() {
        return binary("TETHER_REDIS_CLI", "redis-cli");
    }

    /** {@code $variable} if set, else /usr/bin/NAME (Debian's), else NAME on the PATH; /usr/bin/NAME if none. */
    private static Path binary(String variable, String name) {
        String named = System.getenv(variable);
        if (named != null && !named.isBlank()) {
            return Path.of(named);
        }
        Path debian = Path.of("/usr/bin", name);
        if (Files.isExecutable(debian)) {
            return debian;
        }
        String path = System.getenv("PATH");
        return Stream.of(path == null ? new String[0] : path.split(File.pathSeparator))
                .filter(entry -> !entry.isEmpty()).map(entry -> Path.of(entry, name))
                .filter(Files::isExecutable).findFirst().orElse(debian);
    }

    static void assumeInstalled(Path... binaries) {
        for (Path binary : binaries) {
            String reason = System.getenv("TETHER_REDIS_UNAVAILABLE");
            assumeTrue(Files.isExecutable(binary), () -> "skipped: " + binary + " is not installed"
                    + (reason == null || reason.isBlank()
                            ? " (./test installs Debian's redis-server package, which brings redis-cli, with apt-get"
                              + " when it runs as root or with passwordless sudo, and otherwise says why in"
                              + " TETHER_REDIS_UNAVAILABLE; TETHER_REDIS_SERVER and TETHER_REDIS_CLI name other binaries)"
                            : " and cannot be installed here (TETHER_REDIS_UNAVAILABLE: " + reason + ")"));
        }
    }
}
