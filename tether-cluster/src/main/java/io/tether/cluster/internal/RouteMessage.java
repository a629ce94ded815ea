package io.tether.cluster.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A message between nodes through their inboxes: a send, request or kick for a client held by the receiver,
 * the news that one of its sessions was replaced elsewhere, or the reply to a message. Every field is present
 * in every kind; {@code corr} pairs a reply with its message.
 */
record RouteMessage(Kind kind, long corr, String origin, String client, long session, long timeoutMillis,
                    boolean ok, String text, byte[] payload) {

    enum Kind { SEND, REQUEST, KICK, REPLACE, REPLY }

    /** Text longer than this (an error, a kick's reason) is cut: it is for people, not for parsing. */
    static final int MAX_TEXT = 1_024;
    private static final int MAX_PAYLOAD = 64 << 20;

    static RouteMessage reply(RouteMessage to, String origin, boolean ok, String text, byte[] payload) {
        return new RouteMessage(Kind.REPLY, to.corr, origin, to.client, to.session, 0, ok, text, payload);
    }

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + (payload == null ? 0 : payload.length));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(kind.ordinal());
            out.writeLong(corr);
            out.writeUTF(origin);
            out.writeUTF(client);
            out.writeLong(session);
            out.writeLong(timeoutMillis);
            out.writeBoolean(ok);
            String t = text == null ? "" : text;
            out.writeUTF(t.length() > MAX_TEXT ? t.substring(0, MAX_TEXT) : t);
            byte[] p = payload == null ? new byte[0] : payload;
            out.writeInt(p.length);
            out.write(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Decodes a message; anything malformed is an IOException naming what was wrong. */
    static RouteMessage decode(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        int kind = in.readUnsignedByte();
        if (kind >= Kind.values().length) {
            throw new IOException("unknown message kind " + kind);
        }
        long corr = in.readLong();
        String origin = in.readUTF();
        String client = in.readUTF();
        long session = in.readLong();
        long timeout = in.readLong();
        boolean ok = in.readBoolean();
        String text = in.readUTF();
        text = text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text; // whoever sent it
        int length = in.readInt();
        if (length < 0 || length > MAX_PAYLOAD || length != in.available()) {
            throw new IOException("payload length " + length + " does not match the " + in.available()
                    + " bytes left");
        }
        byte[] payload = in.readNBytes(length);
        return new RouteMessage(Kind.values()[kind], corr, origin, client, session, timeout, ok, text, payload);
    }
}
