package io.tether.internal;

import io.tether.protocol.CloseReason;
import io.tether.protocol.ProtocolException;
import java.io.IOException;
import javax.net.ssl.SSLException;

/** Reading what actually went wrong on a connection; {@link CloseReason#of} says why it ends. */
public final class Failures {
    private Failures() {
    }

    /** The failure a wrapper (a decoder's DecoderException, say) stands for: the first protocol or I/O error in its causes. */
    public static Throwable rootOf(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ProtocolException || t instanceof IOException) {
                return t;
            }
        }
        return cause;
    }

    /** Whether {@code cause} is a bug on this side rather than the peer's doing or the network's: log it with its stack. */
    public static boolean unexpected(Throwable cause) {
        Throwable root = rootOf(cause);
        return !(root instanceof ProtocolException) && !(root instanceof IOException);
    }

    /** The detail that goes with {@link CloseReason#of}: the peer's offence, the I/O error, or "internal error". */
    public static String detail(Throwable cause) {
        if (tls(cause)) {
            return "TLS: " + tlsReason(cause);
        }
        Throwable root = rootOf(cause);
        return unexpected(root) ? "internal error: " + root : String.valueOf(root.getMessage());
    }

    /**
     * Whether TLS failed: a handshake that could not complete (a certificate not trusted or not naming the
     * host, no protocol in common) or bytes that are not TLS at all.
     */
    public static boolean tls(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Why TLS failed: the innermost message of the chain, since OpenSSL's own exception says only "General
     * OpenSslEngine problem". {@link #detail} gives it as "TLS: " and this.
     */
    public static String tlsReason(Throwable cause) {
        String message = null;
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        return message != null ? message : "handshake failed";
    }

    /** What {@code failure} says of itself: its message, or its kind when it has none. */
    public static String words(Throwable failure) {
        return failure.getMessage() != null ? failure.getMessage() : failure.getClass().getSimpleName();
    }
}
