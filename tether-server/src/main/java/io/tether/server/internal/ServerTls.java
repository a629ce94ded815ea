package io.tether.server.internal;

import io.netty.handler.ssl.SslContext;
import io.tether.internal.Tls;
import io.tether.util.LogSafe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Tether port's TLS: the files it comes from and the context new connections get. When a file changes
 * (its modification time or its bytes) the context is built again and new connections get the new one; live
 * connections keep the TLS session they have, so a renewed certificate drops no one. A change that does
 * not make a usable context (a key written before its certificate, say) is logged and the old context
 * stays until the files are usable. Checked by the server every {@value #CHECK_MILLIS} ms.
 */
public final class ServerTls {
    static final long CHECK_MILLIS = 1000;
    private static final Logger log = LoggerFactory.getLogger(ServerTls.class);

    private final Path certificateChain;
    private final Path privateKey;
    private final Path clientCa;
    private volatile SslContext context;
    private List<String> seen;

    /** Loads the files now: an unusable file is an IOException here, before the server starts. */
    public ServerTls(Path certificateChain, Path privateKey, Path clientCa) throws IOException {
        this.certificateChain = certificateChain;
        this.privateKey = privateKey;
        this.clientCa = clientCa;
        this.seen = stamps();
        this.context = Tls.server(certificateChain, privateKey, clientCa);
    }

    /** The context a connection accepted now gets. */
    SslContext context() {
        return context;
    }

    /** Builds the context again if a file changed since the last look; returns whether it was replaced. */
    boolean reloadIfChanged() {
        List<String> now = stamps();
        if (now.equals(seen)) {
            return false;
        }
        seen = now;
        try {
            context = Tls.server(certificateChain, privateKey, clientCa);
            log.info("TLS certificate reloaded from {}: new connections get it, live ones keep theirs", certificateChain);
            return true;
        } catch (IOException e) {
            // The message names the files and says what is wrong with them, after the paths: room for both.
            log.warn("TLS files changed but cannot be used yet, keeping the previous certificate: {}",
                    LogSafe.text(e.getMessage(), 1000));
            return false;
        }
    }

    private List<String> stamps() {
        List<String> stamps = new ArrayList<>();
        for (Path file : clientCa == null ? List.of(certificateChain, privateKey) : List.of(certificateChain, privateKey, clientCa)) {
            try {
                stamps.add(Files.getLastModifiedTime(file).toMillis() + ":" + Arrays.hashCode(Files.readAllBytes(file)));
            } catch (IOException e) {
                stamps.add("unreadable");
            }
        }
        return stamps;
    }
}
