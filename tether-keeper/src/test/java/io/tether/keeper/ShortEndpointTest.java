package io.tether.keeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tether.testing.Upstream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What a short endpoint, which holds nothing open, reports about itself. */
class ShortEndpointTest extends KeeperHarness {
    /** {@code .invalid} never resolves (RFC 6761), whatever resolver the machine has. */
    private static final String NOWHERE = "nowhere.invalid";

    @Test
    void aShortEndpointWhoseHostDoesNotResolveIsDownWithTheCause() throws Exception {
        Keeper keeper = keeper(EndpointConfig.builder("partner", NOWHERE, 7100).mode(EndpointMode.SHORT)
                .connectTimeout(Duration.ofSeconds(2)).build());

        EndpointStatus status = keeper.status("partner");
        assertThat(status.state()).isEqualTo(EndpointState.DOWN);
        assertThat(status.lastFailure()).startsWith("unknown host: " + NOWHERE);
        assertThat(status.failures()).isEqualTo(1);
        await().atMost(WAIT).until(() -> sawEvent(EndpointState.DOWN, "partner"));
        assertThat(events).singleElement().satisfies(e -> assertThat(e.cause()).startsWith("unknown host: " + NOWHERE));

        assertThatThrownBy(() -> keeper.borrow("partner")).isInstanceOf(EndpointUnavailableException.class)
                .hasMessageContaining("partner (" + NOWHERE + ":7100, short) cannot connect: unknown host: " + NOWHERE);
        assertThat(keeper.status("partner").state()).isEqualTo(EndpointState.DOWN);
    }

    @Test
    void aShortEndpointWhoseHostResolvesIsUpUntilABorrowFails() throws Exception {
        Upstream upstream = upstream();
        Keeper keeper = keeper(endpoint("report", upstream.port()).mode(EndpointMode.SHORT).build());

        assertThat(keeper.status("report").state()).isEqualTo(EndpointState.UP);
        assertThat(upstream.accepted).as("resolving the name opens no connection").hasValue(0);
        assertThat(events).as("nothing changed, so nothing is announced").isEmpty();
    }
}
