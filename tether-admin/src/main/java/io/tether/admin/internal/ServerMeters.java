package io.tether.admin.internal;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.tether.admin.PresenceFeed;
import io.tether.internal.StallLog;
import io.tether.internal.Traffic;
import io.tether.protocol.CloseReason;
import io.tether.server.PresenceEvent;
import io.tether.server.ServerStats;
import io.tether.server.SessionInfo;
import io.tether.server.TetherServer;
import java.time.Duration;
import java.util.List;

/**
 * A server's figures as Micrometer meters. Everything is read from what the server counts anyway, when the
 * registry is scraped, or derived from presence events as they are published: nothing is added to the
 * heartbeat path (docs/ADMIN.md lists every meter).
 */
public final class ServerMeters {
    private ServerMeters() {
    }

    /** How long one reading of the server's counters serves a scrape's meters. */
    static final Duration SCRAPE = Duration.ofMillis(100);
    /** How long one walk of the session table serves: a walk of 19,000 sessions is not free. */
    static final Duration TABLE = Duration.ofSeconds(1);

    /**
     * Binds the meters. Each reads a {@link Fresh} reading its function captures, so the registry (which
     * holds a gauge's object only weakly) keeps the readings alive with the functions.
     */
    public static void bind(TetherServer server, PresenceFeed feed, MeterRegistry registry) {
        Fresh<ServerStats> stats = new Fresh<>(server::stats, SCRAPE);
        Fresh<long[]> traffic = new Fresh<>(server::traffic, SCRAPE);
        Fresh<long[]> rttBuckets = new Fresh<>(server::rttBuckets, SCRAPE);
        Fresh<SessionFigures> sessions = new Fresh<>(() -> SessionFigures.of(server.sessions()), TABLE);
        for (boolean classic : new boolean[] {false, true}) {
            Gauge.builder("tether.sessions.online", server, s -> sessions.get().online(classic))
                    .tags("listener", classic ? "classic" : "tether", "engine", classic ? "channel" : server.engine())
                    .description("sessions online now, by listener and the engine that holds them").register(registry);
        }
        Gauge.builder("tether.connections.open", server, s -> stats.get().connections())
                .description("connections open now on all ports, handshaken or not").register(registry);
        Gauge.builder("tether.handshakes.pending", server, s -> stats.get().handshakes())
                .description("connections that have not been welcomed yet").register(registry);
        Gauge.builder("tether.buffered", server, s -> stats.get().bufferedBytes()).baseUnit("bytes")
                .description("bytes held for partial inbound and unsent outbound frames").register(registry);
        FunctionCounter.builder("tether.connections.accepted", server, s -> stats.get().accepted())
                .description("connections accepted, handshaken or not").register(registry);
        for (CloseReason reason : CloseReason.values()) {
            FunctionCounter.builder("tether.connections.refused", server,
                            s -> stats.get().rejectedByReason().getOrDefault(reason, 0L))
                    .tag("reason", reason.name()).description("connections closed before they came online, by reason")
                    .register(registry);
        }
        FunctionCounter.builder("tether.loop.stalls", registry, r -> StallLog.stalls())
                .description("times an event loop of this process was found running late (the pause guard)").register(registry);
        String[][] directions = {{"frames", "in"}, {"bytes", "in"}, {"frames", "out"}, {"bytes", "out"}};
        for (int i = 0; i < directions.length; i++) {
            int index = i;
            FunctionCounter.builder("tether." + directions[i][0], server, s -> traffic.get()[index])
                    .tag("direction", directions[i][1]).baseUnit(directions[i][0].equals("bytes") ? "bytes" : null)
                    .description(directions[i][0] + " through the Tether port").register(registry);
        }
        FunctionCounter.builder("tether.presence.online", server, s -> stats.get().onlineEvents())
                .description("ONLINE events").register(registry);
        for (CloseReason reason : CloseReason.values()) {
            FunctionCounter.builder("tether.presence.offline", server,
                            s -> stats.get().offlineByReason().getOrDefault(reason, 0L))
                    .tag("reason", reason.name()).description("OFFLINE events, by reason").register(registry);
        }
        for (String stat : List.of("p50", "p90", "p99", "max")) {
            Gauge.builder("tether.sessions.rtt", server, s -> statistic(sessions.get().micros(), stat)).tag("stat", stat)
                    .baseUnit("seconds").description("the heartbeat round trip the online clients last reported, across clients")
                    .register(registry);
        }
        // The reported round trips as cumulative buckets with an le label, from the loops' own counts (summed
        // once per scrape), so that histogram_quantile reads them; nothing is recorded into Micrometer per ping.
        for (int k = 0; k < Traffic.RTT_BUCKETS; k++) {
            int upTo = k;
            String le = k == Traffic.RTT_BUCKETS - 1 ? "+Inf" : Double.toString((1L << k) / 1e6);
            Gauge.builder("tether.heartbeat.rtt", server, s -> cumulative(rttBuckets.get(), upTo))
                    .tag("le", le).baseUnit("seconds").description("heartbeat round trips the clients reported, at most le seconds")
                    .register(registry);
        }
        DistributionSummary lateness = DistributionSummary.builder("tether.verdict.lateness").baseUnit("seconds")
                .description("how long after its deadline a TIMEOUT verdict was passed")
                .serviceLevelObjectives(0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
                .register(registry);
        feed.follow(entry -> {
            PresenceEvent event = entry.event();
            if (event.reason() == CloseReason.TIMEOUT) {
                lateness.record(event.lateMillis() / 1000.0);
            }
        });
        for (var binder : List.of(new JvmMemoryMetrics(), new JvmGcMetrics(), new JvmThreadMetrics(),
                new ClassLoaderMetrics(), new ProcessorMetrics(), new UptimeMetrics(), new FileDescriptorMetrics())) {
            binder.bindTo(registry);
        }
    }

    /** What one walk of the session table gives: the last reported round trips, sorted, and the counts by port. */
    record SessionFigures(long[] micros, long classic, long total) {
        static SessionFigures of(List<SessionInfo> all) {
            return new SessionFigures(sortedMicros(all), all.stream().filter(SessionInfo::legacy).count(), all.size());
        }

        double online(boolean ofClassic) {
            return ofClassic ? classic : total - classic;
        }
    }

    static double cumulative(long[] buckets, int upTo) {
        long sum = 0;
        for (int k = 0; k <= upTo; k++) {
            sum += buckets[k];
        }
        return sum;
    }

    static long[] sortedMicros(List<SessionInfo> sessions) {
        return sessions.stream().map(SessionInfo::lastRtt).filter(r -> r != null)
                .mapToLong(r -> r.toNanos() / 1000).sorted().toArray();
    }

    /** A statistic of the online clients' last reported round trips, in seconds; NaN when none has reported. */
    static double statistic(long[] micros, String stat) {
        if (micros.length == 0) {
            return Double.NaN;
        }
        int index = switch (stat) {
            case "p50" -> (int) Math.ceil(micros.length * 0.50) - 1;
            case "p90" -> (int) Math.ceil(micros.length * 0.90) - 1;
            case "p99" -> (int) Math.ceil(micros.length * 0.99) - 1;
            default -> micros.length - 1;
        };
        return micros[Math.max(0, index)] / 1e6;
    }

}
