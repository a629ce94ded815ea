/** The Tether client: {@code io.tether.client} is its API; {@code io.tether.client.internal} is not exported. */
module io.tether.client {
    requires transitive io.tether.core;
    requires io.netty.handler;
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.unix.common;
    requires org.slf4j;
    requires static micrometer.core;

    exports io.tether.client;
}
