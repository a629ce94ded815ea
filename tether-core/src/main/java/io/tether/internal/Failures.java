package io.tether.internal;

import io.netty.handler.codec.DecoderException;

/** Reading what actually went wrong on a connection. */
public final class Failures {
    private Failures() {
    }

    /** A decoder wraps what it threw (a ProtocolException, say) in a DecoderException; this unwraps it. */
    public static Throwable rootOf(Throwable cause) {
        return cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    }
}
