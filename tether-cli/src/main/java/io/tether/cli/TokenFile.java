package io.tether.cli;

import io.tether.protocol.Hello;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Supplier;

/** A token kept in a file, read again before every connection attempt, so a renewed token is picked up. */
final class TokenFile {
    private TokenFile() {
    }

    static Supplier<byte[]> reader(Path file) {
        return () -> {
            try {
                if (Files.size(file) > Hello.MAX_CREDENTIAL_BYTES + 2) {
                    throw new IOException(file + " is larger than a credential may be (" + Hello.MAX_CREDENTIAL_BYTES
                            + " bytes)");
                }
                byte[] bytes = Files.readAllBytes(file);
                int end = bytes.length;
                while (end > 0 && Character.isWhitespace(bytes[end - 1])) {
                    end--;
                }
                if (end == 0) {
                    throw new IOException(file + " is empty");
                }
                return Arrays.copyOf(bytes, end);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the token: " + e.getMessage(), e);
            }
        };
    }
}
