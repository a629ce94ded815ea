package io.tether.internal;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * TLS for Tether's connections: TLS 1.3 and 1.2 only, from PEM files, on OpenSSL (netty-tcnative's BoringSSL)
 * where it loads and on the JDK's TLS otherwise. {@code -Dtether.tls.provider=jdk} forces the JDK's.
 */
public final class Tls {
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private Tls() {
    }

    /** The provider new contexts use. */
    public static SslProvider provider() {
        if ("jdk".equalsIgnoreCase(System.getProperty("tether.tls.provider", ""))) {
            return SslProvider.JDK;
        }
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** How a start-up line names the TLS in use: "TLS 1.3/1.2 via OpenSSL (BoringSSL)" or "... via the JDK". */
    public static String describe(SslContext context) {
        return "TLS 1.3/1.2 via " + (context instanceof JdkSslContext ? "the JDK" : OpenSsl.versionString());
    }

    /**
     * A server context from a certificate chain and its private key (PEM, the key in PKCS#8), requiring
     * client certificates signed by {@code clientCa} when it is not null. A context that cannot complete a
     * handshake (a key that does not belong to the certificate builds without complaint) is refused here.
     */
    public static SslContext server(Path certificateChain, Path privateKey, Path clientCa) throws IOException {
        readable(certificateChain, "certificate");
        readable(privateKey, "private key");
        if (clientCa != null) {
            readable(clientCa, "client CA");
        }
        SslContext context = build(() -> {
            SslContextBuilder builder = SslContextBuilder.forServer(certificateChain.toFile(), privateKey.toFile());
            if (clientCa != null) {
                builder.trustManager(clientCa.toFile()).clientAuth(ClientAuth.REQUIRE);
            }
            return builder;
        }, certificateChain);
        try {
            handshakeInMemory(context);
        } catch (SSLException | RuntimeException e) {
            throw new IOException("cannot set up TLS from " + certificateChain + ": a TLS handshake with it and the private key in "
                    + privateKey + " fails, as when the key is not the certificate's: " + Failures.words(Failures.rootOf(e)), e);
        }
        return context;
    }

    /**
     * A client context trusting {@code trustedCa} (or the system's trust store when null), presenting
     * {@code certificateChain} and {@code privateKey} when they are not null.
     */
    public static SslContext client(Path trustedCa, Path certificateChain, Path privateKey) throws IOException {
        if (trustedCa != null) {
            readable(trustedCa, "CA");
        }
        if (certificateChain != null) {
            readable(certificateChain, "certificate");
            readable(privateKey, "private key");
        }
        return build(() -> {
            SslContextBuilder builder = SslContextBuilder.forClient();
            if (trustedCa != null) {
                builder.trustManager(trustedCa.toFile());
            }
            if (certificateChain != null) {
                builder.keyManager(certificateChain.toFile(), privateKey.toFile());
            }
            return builder;
        }, trustedCa != null ? trustedCa : certificateChain);
    }

    /** A client handler for {@code host}, checking that the server's certificate names it (as HTTPS does). */
    public static SslHandler clientHandler(SslContext context, ByteBufAllocator alloc, String host, int port,
                                           Duration handshakeTimeout) {
        SslHandler handler = context.newHandler(alloc, host, port);
        checkServerName(handler.engine());
        handler.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
        return handler;
    }

    /** A client engine for {@code host}, checking that the server's certificate names it (as HTTPS does). */
    public static SSLEngine clientEngine(SslContext context, ByteBufAllocator alloc, String host, int port) {
        return checkServerName(context.newEngine(alloc, host, port));
    }

    private static SSLEngine checkServerName(SSLEngine engine) {
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(parameters);
        return engine;
    }

    /**
     * A server connection's handler. It has no handshake timeout of its own: the connection's deadline, from
     * accept, covers TLS and HELLO alike (a second deadline would race it).
     *
     * <p>The JDK's TLS grants a TLS 1.2 client every renegotiation it asks for, as often as it asks (BoringSSL
     * refuses them all, and TLS 1.3 has none): a handshake each, out of reach of the handshake rate and limits.
     * So once a JDK TLS 1.2 handshake is done, the connection's engine is left no protocol to negotiate again
     * with (the protocol in use stays in use): a renegotiation, resumed or not, fails, and the connection with it.
     */
    public static SslHandler serverHandler(SslContext context, ByteBufAllocator alloc) {
        SslHandler handler = context.newHandler(alloc);
        handler.setHandshakeTimeoutMillis(0);
        if (context instanceof JdkSslContext) {
            handler.handshakeFuture().addListener(done -> {
                SSLEngine engine = handler.engine();
                if (done.isSuccess() && "TLSv1.2".equals(engine.getSession().getProtocol())) {
                    engine.setEnabledProtocols(new String[0]);
                }
            });
        }
        return handler;
    }

    /**
     * Completes one handshake with {@code server} in memory, or throws. The client trusts any certificate: what
     * is checked is the server's proof that it holds the key of the certificate it presents, not its issuer.
     */
    private static void handshakeInMemory(SslContext server) throws SSLException {
        SslContext client = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .trustManager(InsecureTrustManagerFactory.INSTANCE).protocols(PROTOCOLS).build();
        SSLEngine serverEngine = server.newEngine(ByteBufAllocator.DEFAULT);
        SSLEngine clientEngine = client.newEngine(ByteBufAllocator.DEFAULT);
        try {
            serverEngine.setNeedClientAuth(false); // mutual TLS is not what is checked, and the client has no certificate
            ByteBuffer toServer = ByteBuffer.allocate(64 << 10);
            ByteBuffer toClient = ByteBuffer.allocate(64 << 10);
            ByteBuffer plain = ByteBuffer.allocate(64 << 10);
            ByteBuffer none = ByteBuffer.allocate(0);
            boolean clientDone = false;
            boolean serverDone = false;
            // Each round, each side sends what it has and reads what the other sent: a TLS 1.3 or 1.2 handshake
            // takes three or four rounds.
            for (int round = 0; round < 20 && !(clientDone && serverDone); round++) {
                clientDone |= finished(clientEngine, clientEngine.wrap(none, toServer).getHandshakeStatus());
                serverDone |= finished(serverEngine, serverEngine.wrap(none, toClient).getHandshakeStatus());
                toServer.flip();
                toClient.flip();
                clientDone |= finished(clientEngine, clientEngine.unwrap(toClient, plain.clear()).getHandshakeStatus());
                serverDone |= finished(serverEngine, serverEngine.unwrap(toServer, plain.clear()).getHandshakeStatus());
                toServer.compact();
                toClient.compact();
            }
            if (!(clientDone && serverDone)) {
                throw new SSLException("the handshake did not complete in 20 rounds");
            }
        } finally {
            ReferenceCountUtil.release(serverEngine);
            ReferenceCountUtil.release(clientEngine);
        }
    }

    /** Runs the tasks an engine asks for; returns whether its handshake (begun already) is over. */
    private static boolean finished(SSLEngine engine, HandshakeStatus status) {
        if (status == HandshakeStatus.NEED_TASK) {
            for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
                task.run();
            }
            status = engine.getHandshakeStatus();
        }
        return status == HandshakeStatus.FINISHED || status == HandshakeStatus.NOT_HANDSHAKING;
    }

    /** What builds a context; Netty reads the files as it goes and may throw at any step. */
    private interface Setup {
        SslContextBuilder builder() throws Exception;
    }

    private static SslContext build(Setup setup, Path named) throws IOException {
        try {
            return setup.builder().sslProvider(provider()).protocols(PROTOCOLS).build();
        } catch (Exception e) { // Netty reports a file it cannot use as SSLException or IllegalArgumentException
            throw new IOException("cannot set up TLS from " + (named != null ? named : "the system trust store")
                    + ": " + Failures.words(Failures.rootOf(e)), e);
        }
    }

    private static void readable(Path file, String what) throws IOException {
        if (file == null || !Files.isReadable(file)) {
            throw new IOException("cannot read the TLS " + what + " file " + file);
        }
    }
}
