package io.tether.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for TLS tests, made by the tests themselves with the {@code openssl} command (never checked
 * in): a CA, and certificates it signs, with EC P-256 keys in PKCS#8 PEM, valid for a day. Tests that need
 * it are skipped, saying why, where {@code openssl} is missing. Shared through tether-core's test jar by every
 * module whose tests need certificates.
 */
public final class TestPki {
    private final Path dir;
    private final String caName;

    private TestPki(Path dir, String caName) {
        this.dir = dir;
        this.caName = caName;
    }

    /** A new CA named {@code name} in {@code dir}; skips the calling test when openssl cannot run. */
    public static TestPki ca(Path dir, String name) throws Exception {
        assumeTrue(opensslRuns(), "openssl is not installed: TLS tests need it to make their certificates");
        TestPki pki = new TestPki(dir, name);
        pki.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", pki.key(name).toString(), "-out", pki.cert(name).toString(), "-days", "1",
                "-subj", "/CN=" + name);
        return pki;
    }

    public Path caCert() {
        return cert(caName);
    }

    /** A certificate for {@code name} signed by this CA; {@code subjectAltNames} like "IP:127.0.0.1", or none. */
    public Path issue(String name, String... subjectAltNames) throws Exception {
        Path csr = dir.resolve(name + ".csr");
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key(name).toString(), "-out", csr.toString(), "-subj", "/CN=" + name);
        List<String> args = new ArrayList<>(List.of("x509", "-req", "-in", csr.toString(), "-CA", caCert().toString(),
                "-CAkey", key(caName).toString(), "-CAcreateserial", "-out", cert(name).toString(), "-days", "1"));
        if (subjectAltNames.length > 0) {
            Path ext = dir.resolve(name + ".ext");
            Files.writeString(ext, "subjectAltName=" + String.join(",", subjectAltNames) + "\n");
            args.addAll(List.of("-extfile", ext.toString()));
        }
        openssl(args.toArray(new String[0]));
        return cert(name);
    }

    public Path cert(String name) {
        return dir.resolve(name + ".pem");
    }

    public Path key(String name) {
        return dir.resolve(name + ".key");
    }

    private void openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("openssl " + String.join(" ", args) + " failed: " + new String(output));
        }
    }

    public static boolean opensslRuns() {
        try {
            Process process = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
