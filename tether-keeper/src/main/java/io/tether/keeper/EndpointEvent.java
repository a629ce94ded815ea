package io.tether.keeper;

/**
 * An endpoint went UP or DOWN.
 *
 * @param state    the new state
 * @param endpoint the endpoint's name
 * @param cause    why, for humans: "connected to 10.0.0.5:9000", "connection refused", "probe timed out"…
 * @param at       epoch milliseconds
 */
public record EndpointEvent(EndpointState state, String endpoint, String cause, long at) {
    @Override
    public String toString() {
        return state + " " + endpoint + ": " + cause;
    }
}
