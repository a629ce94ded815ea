package io.tether.keeper.internal;

import io.tether.keeper.EndpointConfig;
import io.tether.keeper.EndpointMode;
import io.tether.keeper.ProbeKind;
import io.tether.keeper.ProbeSpec;
import io.tether.keeper.TcpKeepalive;
import io.tether.keeper.internal.ConfigFiles.Entry;
import io.tether.retry.ReconnectBackoff;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Tether's own layout: {@code endpoint.<name>.<setting> = value}, with {@code defaults.<setting>} applying to
 * every endpoint that does not set its own. See docs/KEEPER.md for every setting.
 */
final class RichFormat {
    static final Set<String> SETTINGS = Set.of("host", "port", "mode", "pool-size", "connect-timeout",
            "check-interval", "probe", "probe.send", "probe.expect", "probe-timeout", "borrow-timeout",
            "validate-after-idle", "max-lifetime", "reconnect.initial", "reconnect.max", "reconnect.multiplier",
            "keepalive.idle", "keepalive.interval", "keepalive.count", "leak-threshold");

    private final Settings settings;
    private final Map<String, Entry> entries;

    RichFormat(String source, Map<String, Entry> entries) {
        this.settings = new Settings(source);
        this.entries = entries;
    }

    List<EndpointConfig> endpoints() {
        Map<String, Entry> defaults = new HashMap<>();
        Map<String, Map<String, Entry>> byEndpoint = new LinkedHashMap<>();
        for (Entry entry : entries.values()) {
            String key = entry.key();
            if (key.startsWith("defaults.")) {
                String setting = checkSetting(entry, key.substring("defaults.".length()));
                if (setting.equals("host") || setting.equals("port")) {
                    throw settings.error(entry, "host and port belong to each endpoint, not to defaults");
                }
                defaults.put(setting, entry);
            } else if (key.startsWith("endpoint.")) {
                String rest = key.substring("endpoint.".length());
                int dot = rest.indexOf('.');
                if (dot <= 0) {
                    throw settings.error(entry, "expected endpoint.<name>.<setting>");
                }
                String name = rest.substring(0, dot);
                if (!name.matches("[A-Za-z0-9_-]+")) {
                    throw settings.error(entry, "endpoint names may use letters, digits, '_' and '-'");
                }
                byEndpoint.computeIfAbsent(name, n -> new HashMap<>()).put(checkSetting(entry, rest.substring(dot + 1)), entry);
            } else {
                throw settings.error(entry, "unknown key (settings are endpoint.<name>.<setting> or defaults.<setting>;"
                        + " a classic file starts with socketConnCount)");
            }
        }
        if (byEndpoint.isEmpty()) {
            throw settings.missing(null, "no endpoints: expected keys like endpoint.bank.host and endpoint.bank.port");
        }
        List<EndpointConfig> endpoints = new ArrayList<>();
        for (Map.Entry<String, Map<String, Entry>> endpoint : byEndpoint.entrySet()) {
            Map<String, Entry> merged = new HashMap<>(defaults);
            merged.putAll(endpoint.getValue());
            endpoints.add(build(endpoint.getKey(), merged));
        }
        return endpoints;
    }

    private String checkSetting(Entry entry, String setting) {
        if (!SETTINGS.contains(setting)) {
            throw settings.error(entry, "unknown setting '" + setting + "' (known: " + String.join(", ",
                    new java.util.TreeSet<>(SETTINGS)) + ")");
        }
        return setting;
    }

    private EndpointConfig build(String name, Map<String, Entry> s) {
        Entry host = s.get("host");
        Entry port = s.get("port");
        if (host == null || port == null) {
            throw settings.missing("endpoint." + name + "." + (host == null ? "host" : "port"), "missing");
        }
        EndpointConfig.Builder b = EndpointConfig.builder(name, host.value(), settings.port(port));
        with(s, "mode", e -> b.mode(mode(e)));
        with(s, "pool-size", e -> b.poolSize(settings.integer(e, 1, 1024)));
        with(s, "connect-timeout", e -> b.connectTimeout(settings.duration(e)));
        with(s, "check-interval", e -> b.checkInterval(settings.duration(e)));
        with(s, "probe-timeout", e -> b.probeTimeout(settings.duration(e)));
        with(s, "borrow-timeout", e -> b.borrowTimeout(settings.duration(e)));
        with(s, "validate-after-idle", e -> b.validateAfterIdle(settings.duration(e)));
        with(s, "max-lifetime", e -> b.maxLifetime(settings.duration(e)));
        with(s, "leak-threshold", e -> b.leakThreshold(settings.duration(e)));
        Entry probe = s.get("probe");
        if (probe != null) {
            settings.apply(probe, () -> b.probe(probe(probe, s.get("probe.send"), s.get("probe.expect"))));
        }
        ReconnectBackoff base = b.build().reconnect();
        Entry anyReconnect = first(s, "reconnect.initial", "reconnect.max", "reconnect.multiplier");
        if (anyReconnect != null) {
            settings.apply(anyReconnect, () -> b.reconnect(new ReconnectBackoff(
                    s.containsKey("reconnect.initial") ? settings.duration(s.get("reconnect.initial")) : base.initial(),
                    s.containsKey("reconnect.max") ? settings.duration(s.get("reconnect.max")) : base.max(),
                    s.containsKey("reconnect.multiplier") ? settings.decimal(s.get("reconnect.multiplier"), 1.0)
                            : base.multiplier())));
        }
        Entry anyKeepalive = first(s, "keepalive.idle", "keepalive.interval", "keepalive.count");
        if (anyKeepalive != null) {
            TcpKeepalive d = TcpKeepalive.DEFAULT;
            settings.apply(anyKeepalive, () -> b.keepalive(new TcpKeepalive(
                    s.containsKey("keepalive.idle") ? settings.duration(s.get("keepalive.idle")) : d.idle(),
                    s.containsKey("keepalive.interval") ? settings.duration(s.get("keepalive.interval")) : d.interval(),
                    s.containsKey("keepalive.count") ? settings.integer(s.get("keepalive.count"), 1, 100) : d.count())));
        }
        return b.build();
    }

    private void with(Map<String, Entry> s, String setting, java.util.function.Consumer<Entry> step) {
        Entry entry = s.get(setting);
        if (entry != null) {
            settings.apply(entry, () -> step.accept(entry));
        }
    }

    private static Entry first(Map<String, Entry> s, String... keys) {
        for (String key : keys) {
            if (s.containsKey(key)) {
                return s.get(key);
            }
        }
        return null;
    }

    private EndpointMode mode(Entry entry) {
        return switch (entry.value().toLowerCase(Locale.ROOT)) {
            case "keep" -> EndpointMode.KEEP;
            case "short" -> EndpointMode.SHORT;
            default -> throw settings.error(entry, "unknown mode '" + entry.value() + "' (keep or short)");
        };
    }

    private ProbeSpec probe(Entry kind, Entry send, Entry expect) {
        ProbeKind probeKind;
        try {
            probeKind = ProbeKind.valueOf(kind.value().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw settings.error(kind, "unknown probe '" + kind.value() + "' (peek, exchange, tether or urgent)");
        }
        if (probeKind != ProbeKind.EXCHANGE) {
            return ProbeSpec.of(probeKind);
        }
        if (send == null || expect == null) {
            throw settings.error(kind, "an exchange probe needs probe.send and probe.expect");
        }
        return ProbeSpec.exchange(send.value().getBytes(StandardCharsets.ISO_8859_1),
                expect.value().getBytes(StandardCharsets.ISO_8859_1));
    }
}
