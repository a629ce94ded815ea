package io.tether.admin.internal;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.tether.admin.PresenceFeed;
import io.tether.keeper.Keeper;
import io.tether.protocol.ClientIds;
import io.tether.server.ServerStats;
import io.tether.server.SessionInfo;
import io.tether.server.TetherServer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What each admin path answers. Everything but {@code /events} is a whole response; this class decides it,
 * {@link AdminHandler} writes it. Client ids in paths are percent-decoded and must be valid ids; a client id
 * in a response is JSON-escaped, never written raw.
 */
final class Routes {
    static final int DEFAULT_PAGE = 100;
    static final int MAX_PAGE = 1000;
    static final Duration LOOP_PROBE = Duration.ofSeconds(1);

    /** A whole answer: status, content type, body. */
    record Answer(HttpResponseStatus status, String contentType, byte[] body) {
        static Answer json(HttpResponseStatus status, String body) {
            return new Answer(status, "application/json; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
        }

        static Answer error(HttpResponseStatus status, String message) {
            return json(status, Routes.json(g -> g.writeStringField("error", message)));
        }
    }

    private final TetherServer server;
    private final PresenceFeed feed;
    private final PrometheusMeterRegistry registry;
    private final byte[] token;
    private final Keeper keeper;
    private final Dashboard dashboard = new Dashboard();

    /** {@code keeper} is null when none runs in this process. */
    Routes(TetherServer server, PresenceFeed feed, PrometheusMeterRegistry registry, byte[] token, Keeper keeper) {
        this.server = server;
        this.feed = feed;
        this.registry = registry;
        this.token = token;
        this.keeper = keeper;
    }

    PresenceFeed feed() {
        return feed;
    }

    /**
     * Whether the request may be answered: always without a token; with one, when it carries
     * {@code Authorization: Bearer <token>} (or, for the event stream a browser opens, {@code access_token=}).
     * The comparison takes the same time whatever the guess.
     */
    boolean authorized(FullHttpRequest request, QueryStringDecoder uri) {
        if (token == null) {
            return true;
        }
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        String presented = null;
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = header.substring(7).strip();
        } else if (uri.parameters().containsKey("access_token")) {
            presented = uri.parameters().get("access_token").get(0);
        }
        return presented != null && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether the page and its assets, which carry no data, are asked for: they are served without a token. */
    boolean isPage(QueryStringDecoder uri) {
        return dashboard.serves(uri.path());
    }

    CompletableFuture<Answer> answer(FullHttpRequest request, QueryStringDecoder uri) {
        String path = uri.path();
        HttpMethod method = request.method();
        if (dashboard.serves(path)) {
            return get(method, () -> dashboard.answer(path));
        }
        switch (path) {
            case "/metrics":
                return get(method, () -> new Answer(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8",
                        registry.scrape().getBytes(StandardCharsets.UTF_8)));
            case "/health", "/health/live", "/health/ready":
                return method.equals(HttpMethod.GET) ? health(path) : done(notAllowed());
            case "/sessions":
                return get(method, () -> sessions(uri));
            case "/stats":
                return get(method, this::stats);
            case "/keeper":
                return get(method, () -> keeper == null
                        ? Answer.error(HttpResponseStatus.NOT_FOUND, "no keeper runs in this process")
                        : Answer.json(HttpResponseStatus.OK, KeeperJson.endpoints(keeper)));
            default:
                break;
        }
        if (path.startsWith("/sessions/")) {
            String rest = path.substring("/sessions/".length());
            boolean kick = rest.endsWith("/kick");
            String id = decodeId(kick ? rest.substring(0, rest.length() - "/kick".length()) : rest);
            if (id == null) {
                return done(Answer.error(HttpResponseStatus.BAD_REQUEST, "not a client id"));
            }
            if (kick) {
                return method.equals(HttpMethod.POST) ? done(kick(id, uri)) : done(notAllowed());
            }
            return get(method, () -> session(id));
        }
        return done(Answer.error(HttpResponseStatus.NOT_FOUND, "no such path; see docs/ADMIN.md"));
    }

    private interface Body {
        Answer make();
    }

    private static CompletableFuture<Answer> get(HttpMethod method, Body body) {
        return done(method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD) ? body.make() : notAllowed());
    }

    private static CompletableFuture<Answer> done(Answer answer) {
        return CompletableFuture.completedFuture(answer);
    }

    private static Answer notAllowed() {
        return Answer.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed on this path");
    }

    private CompletableFuture<Answer> health(String path) {
        return server.loopsAnswer(LOOP_PROBE).thenApply(live -> {
            List<String> problems = server.readinessProblems();
            boolean ready = live && problems.isEmpty();
            boolean up = path.equals("/health/live") ? live : ready;
            String body = json(g -> {
                g.writeStringField("status", up ? "UP" : "DOWN");
                g.writeBooleanField("live", live);
                g.writeBooleanField("ready", ready);
                g.writeArrayFieldStart("problems");
                if (!live) {
                    g.writeString("an event loop did not answer within " + LOOP_PROBE.toMillis() + " ms");
                }
                for (String problem : problems) {
                    g.writeString(problem);
                }
                g.writeEndArray();
            });
            return Answer.json(up ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, body);
        });
    }

    /** The server's counters, as its summary line has them. */
    private Answer stats() {
        ServerStats stats = server.stats();
        return Answer.json(HttpResponseStatus.OK, json(g -> {
            g.writeNumberField("online", stats.online());
            g.writeNumberField("accepted", stats.accepted());
            g.writeNumberField("onlineEvents", stats.onlineEvents());
            g.writeNumberField("offlineEvents", stats.offlineEvents());
            g.writeObjectFieldStart("offlineByReason");
            for (var entry : stats.offlineByReason().entrySet()) {
                g.writeNumberField(entry.getKey().name(), entry.getValue());
            }
            g.writeEndObject();
            g.writeNumberField("refused", stats.rejected());
            g.writeObjectFieldStart("refusedByReason");
            for (var entry : stats.rejectedByReason().entrySet()) {
                g.writeNumberField(entry.getKey().name(), entry.getValue());
            }
            g.writeEndObject();
            g.writeNumberField("connections", stats.connections());
            g.writeNumberField("handshakes", stats.handshakes());
            g.writeNumberField("bufferedBytes", stats.bufferedBytes());
        }));
    }

    /** One page of sessions in client id order: {@code prefix} filters, {@code cursor} is the last id of the previous page. */
    private Answer sessions(QueryStringDecoder uri) {
        String prefix = first(uri, "prefix", "");
        int limit;
        try {
            limit = Integer.parseInt(first(uri, "limit", String.valueOf(DEFAULT_PAGE)));
        } catch (NumberFormatException e) {
            return Answer.error(HttpResponseStatus.BAD_REQUEST, "limit must be a whole number within 1.." + MAX_PAGE);
        }
        if (limit < 1 || limit > MAX_PAGE) {
            return Answer.error(HttpResponseStatus.BAD_REQUEST, "limit must be within 1.." + MAX_PAGE);
        }
        String after = null;
        String cursor = first(uri, "cursor", null);
        if (cursor != null) {
            try {
                after = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return Answer.error(HttpResponseStatus.BAD_REQUEST, "not a cursor this server gave out");
            }
        }
        String from = after;
        List<SessionInfo> all = server.sessions().stream()
                .filter(s -> s.clientId().startsWith(prefix))
                .filter(s -> from == null || s.clientId().compareTo(from) > 0)
                .sorted(Comparator.comparing(SessionInfo::clientId)).toList();
        List<SessionInfo> page = all.subList(0, Math.min(limit, all.size()));
        String next = all.size() > limit ? Base64.getUrlEncoder().withoutPadding()
                .encodeToString(page.get(page.size() - 1).clientId().getBytes(StandardCharsets.UTF_8)) : null;
        return Answer.json(HttpResponseStatus.OK, json(g -> {
            g.writeNumberField("online", server.onlineCount());
            g.writeArrayFieldStart("sessions");
            for (SessionInfo session : page) {
                g.writeStartObject();
                SessionJson.write(g, session);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringField("nextCursor", next);
        }));
    }

    private Answer session(String id) {
        return server.session(id).map(s -> s.info())
                .map(s -> Answer.json(HttpResponseStatus.OK, json(g -> SessionJson.write(g, s))))
                .orElse(Answer.error(HttpResponseStatus.NOT_FOUND, "not online"));
    }

    private Answer kick(String id, QueryStringDecoder uri) {
        String reason = first(uri, "reason", "kicked by an operator");
        if (reason.length() > 200 || reason.chars().anyMatch(Character::isISOControl)) {
            return Answer.error(HttpResponseStatus.BAD_REQUEST, "a reason is at most 200 characters, with no control characters");
        }
        if (!server.kick(id, reason)) {
            return Answer.error(HttpResponseStatus.NOT_FOUND, "not online");
        }
        return Answer.json(HttpResponseStatus.OK, json(g -> {
            g.writeBooleanField("kicked", true);
            g.writeStringField("clientId", id);
            g.writeStringField("reason", reason);
        }));
    }

    private static String decodeId(String encoded) {
        String id;
        try {
            id = QueryStringDecoder.decodeComponent(encoded, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return ClientIds.problem(id) == null ? id : null;
    }

    private static String first(QueryStringDecoder uri, String name, String fallback) {
        List<String> values = uri.parameters().get(name);
        return values == null || values.isEmpty() ? fallback : values.get(0);
    }

    static String json(SessionJson.Fields fields) {
        return SessionJson.object(fields);
    }
}
