package io.tether.cluster.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/** Inbox messages survive the trip, and whatever else arrives on an inbox is refused with an IOException. */
class RouteMessagePropertyTest {

    @Property
    void everyMessageDecodesToItself(@ForAll RouteMessage.Kind kind, @ForAll long corr,
                                     @ForAll @StringLength(max = 64) String client, @ForAll long session,
                                     @ForAll boolean ok, @ForAll @StringLength(max = 2_000) String text,
                                     @ForAll @Size(max = 512) byte[] payload) throws IOException {
        RouteMessage sent = new RouteMessage(kind, corr, "node-1", client, session, 5_000, ok, text, payload);
        RouteMessage got = RouteMessage.decode(sent.encode());
        assertThat(got.kind()).isEqualTo(kind);
        assertThat(got.client()).isEqualTo(client);
        assertThat(got.session()).isEqualTo(session);
        assertThat(got.text()).isEqualTo(text.length() > RouteMessage.MAX_TEXT ? text.substring(0, RouteMessage.MAX_TEXT) : text);
        assertThat(got.payload()).isEqualTo(payload);
    }

    @Property
    void garbageIsRefusedAsMalformed(@ForAll @Size(max = 300) byte[] garbage) {
        try {
            RouteMessage.decode(garbage);
        } catch (IOException expected) {
            return; // the only way to refuse: no other exception may escape to the subscriber's thread
        }
    }

    @Property
    void aTruncatedMessageIsRefused(@ForAll @Size(min = 1, max = 64) byte[] payload) {
        byte[] whole = new RouteMessage(RouteMessage.Kind.SEND, 1, "n", "c", 1, 0, true, "", payload).encode();
        byte[] cut = Arrays.copyOf(whole, whole.length - 1);
        assertThatThrownBy(() -> RouteMessage.decode(cut)).isInstanceOf(IOException.class);
    }
}
