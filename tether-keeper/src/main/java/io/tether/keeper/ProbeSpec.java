package io.tether.keeper;

import java.util.Arrays;
import java.util.Objects;

/**
 * A probe and, for {@link ProbeKind#EXCHANGE}, what it sends and the prefix the reply line must start with.
 */
public record ProbeSpec(ProbeKind kind, byte[] send, byte[] expect) {
    public static final ProbeSpec PEEK = new ProbeSpec(ProbeKind.PEEK, new byte[0], new byte[0]);

    public ProbeSpec {
        Objects.requireNonNull(kind, "kind");
        send = send == null ? new byte[0] : send.clone();
        expect = expect == null ? new byte[0] : expect.clone();
        if (kind == ProbeKind.EXCHANGE && (send.length == 0 || expect.length == 0)) {
            throw new IllegalArgumentException("an exchange probe needs bytes to send and a reply prefix to expect");
        }
    }

    public static ProbeSpec of(ProbeKind kind) {
        return new ProbeSpec(kind, null, null);
    }

    public static ProbeSpec exchange(byte[] send, byte[] expect) {
        return new ProbeSpec(ProbeKind.EXCHANGE, send, expect);
    }

    @Override
    public byte[] send() {
        return send.clone();
    }

    @Override
    public byte[] expect() {
        return expect.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProbeSpec other && kind == other.kind && Arrays.equals(send, other.send)
                && Arrays.equals(expect, other.expect);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, Arrays.hashCode(send), Arrays.hashCode(expect));
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
