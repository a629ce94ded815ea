/**
 * Tether's protocol and the parts client and server share. Only the protocol, heartbeat, messaging, retry and
 * util packages are API; {@code io.tether.internal} is open to Tether's own modules alone.
 */
module io.tether.core {
    requires transitive io.netty.buffer;
    requires transitive io.netty.common;
    requires transitive io.netty.transport;
    requires transitive io.netty.codec;
    requires io.netty.handler;
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.unix.common;
    requires org.slf4j;

    exports io.tether.heartbeat;
    exports io.tether.messaging;
    exports io.tether.protocol;
    exports io.tether.retry;
    exports io.tether.util;
    exports io.tether.internal to io.tether.server, io.tether.client, io.tether.keeper;
}
