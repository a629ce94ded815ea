package io.tether.keeper;

/**
 * Why a probe found a connection unfit to lend. A peer that does not answer, or answers wrongly, means the
 * service is down even though TCP still accepts; a peer that closed or reset an idle connection may simply
 * have dropped it, which a reconnect settles.
 */
public enum ProbeFailureKind {
    /** The peer closed the connection (end of stream). */
    CLOSED,
    /** A socket error such as a reset or a broken pipe. */
    IO_ERROR,
    /** No answer within the probe timeout. */
    TIMEOUT,
    /** An answer, but not the expected one. */
    BAD_REPLY,
    /** Bytes arrived on an idle connection, so its protocol is out of step. */
    UNEXPECTED_BYTES,
    /** TLS failed: the server sent a TLS alert (one refusing this client's certificate, say) or bytes that are not TLS. */
    TLS
}
