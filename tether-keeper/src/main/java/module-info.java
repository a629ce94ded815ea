/** The keeper of named upstream connections: {@code io.tether.keeper} is its API; its internals are not exported. */
module io.tether.keeper {
    requires transitive io.tether.core;
    requires io.netty.handler;
    requires jdk.net;
    requires org.slf4j;

    exports io.tether.keeper;
}
