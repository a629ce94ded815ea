package io.tether.keeper;

/** Hears every UP and DOWN transition, in order, on a dedicated thread. */
@FunctionalInterface
public interface KeeperListener {
    void onEvent(EndpointEvent event);
}
