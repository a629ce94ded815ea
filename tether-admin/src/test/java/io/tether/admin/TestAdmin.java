package io.tether.admin;

import io.tether.server.TetherServer;

/** The admin port as the tests start it: on loopback, any free port, with a bearer token when one is given. */
final class TestAdmin {
    private TestAdmin() {
    }

    static AdminServer start(TetherServer server, PresenceFeed feed, byte[] token) throws java.io.IOException {
        AdminServer.Builder builder = AdminServer.builder(server, feed);
        if (token != null) {
            builder.bearerToken(token);
        }
        return builder.build().start();
    }
}
