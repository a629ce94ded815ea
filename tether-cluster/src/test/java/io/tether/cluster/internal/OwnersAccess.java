package io.tether.cluster.internal;

import io.tether.cluster.ClusterSession;

/** Opens the owner-record parser to the tests of the public package. */
public final class OwnersAccess {
    private OwnersAccess() {
    }

    public static ClusterSession parse(String client, String record) {
        return Owners.parse(client, record);
    }
}
