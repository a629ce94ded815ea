package io.tether.admin;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.tether.admin.internal.Fresh;
import io.tether.keeper.EndpointState;
import io.tether.keeper.EndpointStatus;
import io.tether.keeper.Keeper;
import io.tether.keeper.ProbeFailureKind;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * A keeper's endpoints as Micrometer meters, one set per endpoint tagged {@code endpoint=<name>}. The meters read
 * the endpoint's {@link Keeper#status(String) status} when the registry is scraped: nothing is added to
 * borrowing. docs/ADMIN.md lists them.
 *
 * <p>The admin port binds them when it is given the keeper ({@link AdminServer.Builder#keeper}). An application
 * with a registry of its own binds them itself, {@code KeeperMeters.bind(keeper, registry)}, or hands Micrometer
 * the binder {@code registry -> KeeperMeters.bind(keeper, registry)}. Meters are told apart by endpoint name
 * only, so bind one keeper per registry. The registry then holds the keeper.
 */
public final class KeeperMeters {
    private KeeperMeters() {
    }

    public static void bind(Keeper keeper, MeterRegistry registry) {
        for (EndpointStatus endpoint : keeper.status()) {
            new Reading(keeper, endpoint.name(), registry).bind();
        }
    }

    /**
     * One endpoint's meters over one status, read at most every {@value #FRESH_MILLIS} ms however many of its
     * meters a scrape reads ({@link Fresh}), so that the figures of one scrape come from one snapshot and agree.
     * Micrometer holds the object a meter reads weakly, so every meter's function refers to this reading
     * itself: the registry keeps it, and its keeper, alive.
     */
    private static final class Reading {
        static final long FRESH_MILLIS = 100;
        private final MeterRegistry registry;
        private final Tags endpoint;
        private final Fresh<EndpointStatus> status;

        Reading(Keeper keeper, String name, MeterRegistry registry) {
            this.registry = registry;
            this.endpoint = Tags.of("endpoint", name);
            this.status = new Fresh<>(() -> keeper.status(name), Duration.ofMillis(FRESH_MILLIS));
        }

        EndpointStatus status() {
            return status.get();
        }

        void bind() {
            gauge("tether.keeper.endpoint.up", endpoint, s -> s.state() == EndpointState.UP ? 1 : 0,
                    "1 while the endpoint is UP, 0 while it is DOWN");
            gauge("tether.keeper.connections", endpoint.and("state", "idle"), EndpointStatus::idle,
                    "connections open and free to lend");
            gauge("tether.keeper.connections", endpoint.and("state", "lent"), EndpointStatus::borrowed,
                    "connections lent out");
            gauge("tether.keeper.pool.size", endpoint, EndpointStatus::poolSize,
                    "connections a keep endpoint holds open when it can; 0 for a short endpoint");
            TimeGauge.builder("tether.keeper.probe.rtt", this, TimeUnit.NANOSECONDS, r -> nanos(status().lastProbeRtt()))
                    .tags(endpoint).description("how long the last successful probe took").register(registry);
            counter("tether.keeper.failures", endpoint, EndpointStatus::failures,
                    "connection attempts and probes that failed");
            counter("tether.keeper.connections.opened", endpoint, s -> s.counters().opened(), "connections opened");
            counter("tether.keeper.connections.retired", endpoint, s -> s.counters().retired(),
                    "connections closed: broken, expired, failed a probe, or done with");
            counter("tether.keeper.borrow.timeouts", endpoint, s -> s.counters().borrowTimeouts(),
                    "borrows that gave up within the borrow timeout");
            counter("tether.keeper.leaks", endpoint, s -> s.counters().leaks(), "leases held past the leak threshold");
            for (ProbeFailureKind kind : ProbeFailureKind.values()) {
                counter("tether.keeper.probe.failures", endpoint.and("kind", kind.name()),
                        s -> s.counters().probeFailures().get(kind), "probes that failed, by kind");
            }
            counter("tether.keeper.transitions", endpoint.and("to", "UP"), s -> s.counters().wentUp(),
                    "UP and DOWN events, by the state entered");
            counter("tether.keeper.transitions", endpoint.and("to", "DOWN"), s -> s.counters().wentDown(),
                    "UP and DOWN events, by the state entered");
            FunctionTimer.builder("tether.keeper.borrow.wait", this, r -> status().counters().borrows(),
                            r -> status().counters().borrowWait().toNanos(), TimeUnit.NANOSECONDS)
                    .tags(endpoint).description("how long borrowers were blocked until their lease was handed out")
                    .register(registry);
            TimeGauge.builder("tether.keeper.borrow.wait.longest", this, TimeUnit.NANOSECONDS,
                            r -> status().counters().longestBorrowWait().toNanos())
                    .tags(endpoint).description("the longest one borrower was blocked").register(registry);
        }

        /** NaN, which Prometheus shows as such, before the first probe. */
        private static double nanos(Duration duration) {
            return duration == null ? Double.NaN : duration.toNanos();
        }

        private void gauge(String meter, Tags tags, ToDoubleFunction<EndpointStatus> value, String description) {
            Gauge.builder(meter, this, r -> value.applyAsDouble(status())).tags(tags).description(description)
                    .register(registry);
        }

        private void counter(String meter, Tags tags, ToDoubleFunction<EndpointStatus> value, String description) {
            FunctionCounter.builder(meter, this, r -> value.applyAsDouble(status())).tags(tags)
                    .description(description).register(registry);
        }
    }
}
