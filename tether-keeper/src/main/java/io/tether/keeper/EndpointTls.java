package io.tether.keeper;

import java.nio.file.Path;

/**
 * How an endpoint speaks TLS (1.3 or 1.2): the PEM file of the CAs it trusts ({@code null}: the JVM's default
 * trust store), the client certificate chain and PKCS#8 private key it presents when the server asks (both or
 * neither), and the name the server's certificate must carry ({@code null}: the endpoint's host). The server's
 * certificate is always checked against that name, as HTTPS does; there is no way to skip the check.
 * Built by {@link EndpointConfig.Builder#tls()} and its siblings, which refuse files that cannot be used.
 */
public record EndpointTls(Path ca, Path certificate, Path key, String serverName) {
    static final EndpointTls DEFAULT_TRUST = new EndpointTls(null, null, null, null);

    public EndpointTls {
        if ((certificate == null) != (key == null)) {
            throw new IllegalArgumentException("a client certificate (tls.cert) and its private key (tls.key) go together");
        }
        if (serverName != null) {
            String problem = EndpointConfig.hostProblem(serverName);
            if (problem != null) {
                throw new IllegalArgumentException("tls.server-name " + problem);
            }
        }
    }

    EndpointTls withCa(Path trustedCa) {
        return new EndpointTls(trustedCa, certificate, key, serverName);
    }

    EndpointTls withClientCertificate(Path certificateChain, Path privateKey) {
        return new EndpointTls(ca, certificateChain, privateKey, serverName);
    }

    EndpointTls withServerName(String name) {
        return new EndpointTls(ca, certificate, key, name);
    }
}
