package io.tether.keeper.internal;

import static io.tether.keeper.internal.ConfigFiles.quote;

import io.tether.keeper.DurationLimit;
import io.tether.keeper.EndpointConfig;
import io.tether.keeper.EndpointMode;
import io.tether.keeper.KeeperConfig;
import io.tether.keeper.ProbeKind;
import io.tether.keeper.ProbeSpec;
import io.tether.keeper.TcpKeepalive;
import io.tether.keeper.internal.ConfigFiles.Entry;
import io.tether.retry.ReconnectBackoff;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
            "keepalive.idle", "keepalive.interval", "keepalive.count", "leak-threshold", "tls", "tls.ca", "tls.cert",
            "tls.key", "tls.server-name");
    /** The settings that only mean something with {@code tls = true}. */
    private static final List<String> TLS_DETAILS = List.of("tls.ca", "tls.cert", "tls.key", "tls.server-name");

    private final Settings settings;
    private final Map<String, Entry> entries;

    RichFormat(Settings settings, Map<String, Entry> entries) {
        this.settings = settings;
        this.entries = entries;
    }

    List<EndpointConfig> endpoints() {
        Map<String, Entry> defaults = new HashMap<>();
        Map<String, Map<String, Entry>> byEndpoint = new LinkedHashMap<>();
        for (Entry entry : entries.values()) {
            String key = entry.key();
            settings.value(entry); // every setting of this layout needs one: an empty value is a half-written line
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
                if (name.length() > EndpointConfig.MAX_NAME_LENGTH) {
                    throw settings.error(entry, EndpointConfig.nameProblem(name));
                }
                if (!byEndpoint.containsKey(name) && byEndpoint.size() == KeeperConfig.MAX_ENDPOINTS) {
                    throw settings.error(entry, "a keeper holds at most " + KeeperConfig.MAX_ENDPOINTS + " endpoints");
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
            throw settings.error(entry, "unknown setting " + quote(setting) + " (known: " + String.join(", ",
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
        EndpointConfig.Builder b = EndpointConfig.builder(name, settings.host(host), settings.port(port));
        with(s, "mode", e -> b.mode(mode(e)));
        with(s, "pool-size", e -> b.poolSize(settings.integer(e, 1, EndpointConfig.MAX_POOL_SIZE)));
        with(s, DurationLimit.CONNECT_TIMEOUT, b::connectTimeout);
        with(s, DurationLimit.CHECK_INTERVAL, b::checkInterval);
        with(s, DurationLimit.PROBE_TIMEOUT, b::probeTimeout);
        with(s, DurationLimit.BORROW_TIMEOUT, b::borrowTimeout);
        with(s, DurationLimit.VALIDATE_AFTER_IDLE, b::validateAfterIdle);
        with(s, DurationLimit.MAX_LIFETIME, b::maxLifetime);
        with(s, DurationLimit.LEAK_THRESHOLD, b::leakThreshold);
        Entry probe = s.get("probe");
        if (probe != null) {
            settings.apply(probe, () -> b.probe(probe(probe, s.get("probe.send"), s.get("probe.expect"))));
        }
        // Each part is checked on its own line first; what is left to fail is how the parts combine,
        // reported at the last of them (the one most likely just written).
        ReconnectBackoff base = b.build().reconnect();
        Duration initial = durationOr(s, DurationLimit.RECONNECT_INITIAL, base.initial());
        Duration max = durationOr(s, DurationLimit.RECONNECT_MAX, base.max());
        double multiplier = s.containsKey("reconnect.multiplier") ? settings.decimal(s.get("reconnect.multiplier"), 1,
                EndpointConfig.MAX_RECONNECT_MULTIPLIER) : base.multiplier();
        Entry lastReconnect = last(s, "reconnect.initial", "reconnect.max", "reconnect.multiplier");
        if (lastReconnect != null) {
            settings.apply(lastReconnect, () -> b.reconnect(new ReconnectBackoff(initial, max, multiplier)));
        }
        TcpKeepalive d = TcpKeepalive.DEFAULT;
        Duration idle = durationOr(s, DurationLimit.KEEPALIVE_IDLE, d.idle());
        Duration interval = durationOr(s, DurationLimit.KEEPALIVE_INTERVAL, d.interval());
        int count = s.containsKey("keepalive.count") ? settings.integer(s.get("keepalive.count"), 1, TcpKeepalive.MAX_COUNT)
                : d.count();
        Entry lastKeepalive = last(s, "keepalive.idle", "keepalive.interval", "keepalive.count");
        if (lastKeepalive != null) {
            settings.apply(lastKeepalive, () -> b.keepalive(new TcpKeepalive(idle, interval, count)));
        }
        tls(name, s, b);
        // What is left to refuse is TLS with the urgent probe: at whichever of the two was written last.
        Entry lastTlsOrProbe = last(s, "tls", "probe");
        return lastTlsOrProbe == null ? b.build() : settings.build(lastTlsOrProbe, b::build);
    }

    /**
     * The TLS settings. Each file is checked where it is named; a {@code tls.*} setting written for an endpoint
     * whose {@code tls} is not true is a mistake (its traffic would go in plaintext), while one from
     * {@code defaults} simply applies to the endpoints that do speak TLS.
     */
    private void tls(String name, Map<String, Entry> s, EndpointConfig.Builder b) {
        Entry tls = s.get("tls");
        if (tls == null || !settings.bool(tls)) {
            for (String setting : TLS_DETAILS) {
                Entry detail = s.get(setting);
                if (detail != null && detail.key().startsWith("endpoint.")) {
                    throw settings.error(detail, "is set but endpoint." + name + ".tls is not true");
                }
            }
            return;
        }
        b.tls();
        Entry ca = s.get("tls.ca");
        if (ca != null) {
            Path file = settings.file(ca);
            settings.apply(ca, () -> b.tls(file));
        }
        Entry cert = s.get("tls.cert");
        Entry key = s.get("tls.key");
        if ((cert == null) != (key == null)) {
            throw settings.error(cert != null ? cert : key, cert != null
                    ? "needs endpoint." + name + ".tls.key too: a client certificate goes with its private key"
                    : "needs endpoint." + name + ".tls.cert too: a private key goes with its certificate");
        }
        if (cert != null) {
            Path certFile = settings.file(cert);
            Path keyFile = settings.file(key);
            settings.apply(last(s, "tls.cert", "tls.key"), () -> b.tlsClientCertificate(certFile, keyFile));
        }
        with(s, "tls.server-name", e -> b.tlsServerName(settings.host(e)));
    }

    private void with(Map<String, Entry> s, String setting, java.util.function.Consumer<Entry> step) {
        Entry entry = s.get(setting);
        if (entry != null) {
            settings.apply(entry, () -> step.accept(entry));
        }
    }

    private void with(Map<String, Entry> s, DurationLimit limit, java.util.function.Consumer<Duration> step) {
        Entry entry = s.get(limit.setting());
        if (entry != null) {
            Duration value = settings.duration(entry, limit);
            settings.apply(entry, () -> step.accept(value));
        }
    }

    private Duration durationOr(Map<String, Entry> s, DurationLimit limit, Duration otherwise) {
        Entry entry = s.get(limit.setting());
        return entry == null ? otherwise : settings.duration(entry, limit);
    }

    /** Of the given settings, the one written furthest down the file, or {@code null} if none is. */
    private static Entry last(Map<String, Entry> s, String... keys) {
        Entry last = null;
        for (String key : keys) {
            Entry entry = s.get(key);
            if (entry != null && (last == null || entry.line() > last.line())) {
                last = entry;
            }
        }
        return last;
    }

    private EndpointMode mode(Entry entry) {
        return switch (entry.value().toLowerCase(Locale.ROOT)) {
            case "keep" -> EndpointMode.KEEP;
            case "short" -> EndpointMode.SHORT;
            default -> throw settings.error(entry, "unknown mode " + quote(entry.value()) + " (keep or short)");
        };
    }

    private ProbeSpec probe(Entry kind, Entry send, Entry expect) {
        ProbeKind probeKind;
        try {
            probeKind = ProbeKind.valueOf(kind.value().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw settings.error(kind, "unknown probe " + quote(kind.value()) + " (peek, exchange, tether or urgent)");
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
