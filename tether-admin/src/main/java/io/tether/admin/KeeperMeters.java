package io.tether.admin;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.tether.keeper.EndpointState;
import io.tether.keeper.EndpointStatus;
import io.tether.keeper.Keeper;
import io.tether.keeper.ProbeFailureKind;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * A keeper's endpoints as Micrometer meters, one set per endpoint tagged {@code endpoint=<name>}. Every meter
 * reads the endpoint's {@link Keeper#status(String) status} when the registry is scraped: nothing is added to
 * borrowing. docs/ADMIN.md lists the meters.
 *
 * <p>The admin port binds them when it is given the keeper ({@link AdminServer.Builder#keeper}). An application
 * with a registry of its own binds them itself, {@code KeeperMeters.bind(keeper, registry)}, or hands Micrometer
 * the binder {@code registry -> KeeperMeters.bind(keeper, registry)}. Meters are told apart by endpoint name
 * only, so bind one keeper per registry. The registry holds the keeper weakly, as Micrometer's gauges do.
 */
public final class KeeperMeters {
    private KeeperMeters() {
    }

    public static void bind(Keeper keeper, MeterRegistry registry) {
        for (EndpointStatus endpoint : keeper.status()) {
            bind(keeper, endpoint.name(), registry);
        }
    }

    private static void bind(Keeper keeper, String name, MeterRegistry registry) {
        Tags endpoint = Tags.of("endpoint", name);
        Endpoint meters = new Endpoint(keeper, name, registry);
        meters.gauge("tether.keeper.endpoint.up", endpoint, s -> s.state() == EndpointState.UP ? 1 : 0,
                "1 while the endpoint is UP, 0 while it is DOWN");
        meters.gauge("tether.keeper.connections", endpoint.and("state", "idle"), EndpointStatus::idle,
                "connections open and free to lend");
        meters.gauge("tether.keeper.connections", endpoint.and("state", "lent"), EndpointStatus::borrowed,
                "connections lent out");
        meters.gauge("tether.keeper.pool.size", endpoint, EndpointStatus::poolSize,
                "connections a keep endpoint holds open when it can; 0 for a short endpoint");
        TimeGauge.builder("tether.keeper.probe.rtt", keeper, TimeUnit.NANOSECONDS, k -> nanos(k.status(name).lastProbeRtt()))
                .tags(endpoint).description("how long the last successful probe took").register(registry);
        meters.counter("tether.keeper.failures", endpoint, EndpointStatus::failures,
                "connection attempts and probes that failed");
        meters.counter("tether.keeper.connections.opened", endpoint, s -> s.counters().opened(), "connections opened");
        meters.counter("tether.keeper.connections.retired", endpoint, s -> s.counters().retired(),
                "connections closed: broken, expired, failed a probe, or done with");
        meters.counter("tether.keeper.borrow.timeouts", endpoint, s -> s.counters().borrowTimeouts(),
                "borrows that gave up within the borrow timeout");
        meters.counter("tether.keeper.leaks", endpoint, s -> s.counters().leaks(), "leases held past the leak threshold");
        for (ProbeFailureKind kind : ProbeFailureKind.values()) {
            meters.counter("tether.keeper.probe.failures", endpoint.and("kind", kind.name()),
                    s -> s.counters().probeFailures().get(kind), "probes that failed, by kind");
        }
        meters.counter("tether.keeper.state.changes", endpoint.and("state", "UP"), s -> s.counters().wentUp(),
                "UP and DOWN events");
        meters.counter("tether.keeper.state.changes", endpoint.and("state", "DOWN"), s -> s.counters().wentDown(),
                "UP and DOWN events");
        FunctionTimer.builder("tether.keeper.borrow.wait", keeper, k -> k.status(name).counters().borrows(),
                        k -> k.status(name).counters().borrowWait().toNanos(), TimeUnit.NANOSECONDS)
                .tags(endpoint).description("how long borrowers were blocked until their lease was handed out")
                .register(registry);
        TimeGauge.builder("tether.keeper.borrow.wait.longest", keeper, TimeUnit.NANOSECONDS,
                        k -> k.status(name).counters().longestBorrowWait().toNanos())
                .tags(endpoint).description("the longest one borrower was blocked").register(registry);
    }

    /** Registers one endpoint's gauges and counters, each reading the endpoint's status when scraped. */
    private record Endpoint(Keeper keeper, String name, MeterRegistry registry) {
        void gauge(String meter, Tags tags, ToDoubleFunction<EndpointStatus> value, String description) {
            Gauge.builder(meter, keeper, k -> value.applyAsDouble(k.status(name))).tags(tags)
                    .description(description).register(registry);
        }

        void counter(String meter, Tags tags, ToDoubleFunction<EndpointStatus> value, String description) {
            FunctionCounter.builder(meter, keeper, k -> value.applyAsDouble(k.status(name))).tags(tags)
                    .description(description).register(registry);
        }
    }

    /** NaN, which Prometheus shows as such, before the first probe. */
    private static double nanos(Duration duration) {
        return duration == null ? Double.NaN : duration.toNanos();
    }
}
