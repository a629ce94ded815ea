package io.tether.server.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * What a server's listeners expose, said once at start: whether they reach beyond loopback, and what then
 * stands between a stranger and a client id. Without an authenticator nothing does on the Tether port (a
 * HELLO names any id, and a second HELLO with an id takes its session over), and the classic port has no
 * handshake at all, only its allow-list of source networks. docs/SECURITY.md, secure defaults.
 */
public final class Exposure {
    private Exposure() {
    }

    /** Whether {@code host} is a loopback address (or a name for one); a host that does not resolve is not. */
    public static boolean loopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** How the start-up line describes the classic port's admission. */
    static String classicAdmission(List<String> allow) {
        return allow.isEmpty() ? "no authentication, from any address" : "no authentication, from " + String.join(",", allow) + " only";
    }

    /**
     * The warning to log at start, or null when there is nothing to warn about: every listener on loopback, or
     * a Tether port whose clients authenticate and no classic port. A listener beyond loopback without
     * authentication lets anyone who reaches it claim any client id.
     */
    static String warning(String host, boolean authenticated, boolean classic, List<String> classicAllow) {
        if (loopback(host) || authenticated && !classic) {
            return null;
        }
        String classicRisk = "the classic port has no handshake at all and "
                + (classicAllow.isEmpty() ? "accepts any source address: set --legacy-allow"
                        : "accepts " + String.join(",", classicAllow));
        if (authenticated) {
            return "the classic port listens on " + host + ", beyond loopback: " + classicRisk + " (docs/SECURITY.md)";
        }
        String tether = "the Tether port listens on " + host + ", beyond loopback, with --auth none: clients do not"
                + " authenticate, so anyone who can reach it can claim any client id and take over that client's session";
        return tether + (classic ? "; " + classicRisk : "") + " (docs/SECURITY.md)";
    }

    /** How the start-up line says who the Tether port admits. */
    static String tetherAdmission(boolean authenticated) {
        return authenticated ? "clients authenticate" : "no authentication";
    }
}
