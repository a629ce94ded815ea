/** The Tether server: {@code io.tether.server} is its API; {@code io.tether.server.internal} is not exported. */
module io.tether.server {
    requires transitive io.tether.core;
    requires io.netty.handler;
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.unix.common;
    requires org.slf4j;
    requires com.nimbusds.jose.jwt;
    requires java.naming;

    exports io.tether.server;
}
