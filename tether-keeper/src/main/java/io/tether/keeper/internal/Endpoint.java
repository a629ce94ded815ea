package io.tether.keeper.internal;

import io.tether.keeper.EndpointConfig;
import io.tether.keeper.EndpointStatus;
import io.tether.keeper.Lease;
import java.io.IOException;
import java.time.Duration;

/** One named endpoint as the keeper drives it. */
interface Endpoint {
    EndpointConfig config();

    /** Opens what must be open at start-up; never throws for an unreachable upstream. */
    void start();

    Lease borrow(Duration timeout) throws IOException;

    EndpointStatus status();

    void close();
}
