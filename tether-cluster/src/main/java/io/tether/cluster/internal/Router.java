package io.tether.cluster.internal;

import io.tether.cluster.ClusterRoutingException;
import io.tether.cluster.ClusterSession;
import io.tether.protocol.CloseReason;
import io.tether.server.Session;
import io.tether.server.TetherServer;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends, requests and kicks for clients held by other nodes, through the nodes' inboxes, and the receiving
 * end of them. Every routed call ends exactly once: with the owner's reply, with a failure at once when no
 * node listens on the owner's inbox, or with a failure when the reply does not come in time.
 */
public final class Router {
    private static final Logger log = LoggerFactory.getLogger(Router.class);
    /** The longest a remote node may ask this one to wait for its client's reply. */
    private static final long MAX_REQUEST_MILLIS = TimeUnit.MINUTES.toMillis(5);

    private final RedisLink link;
    private final Owners owners;
    private final String node;
    private final Duration timeout;
    private final ConcurrentHashMap<Long, CompletableFuture<RouteMessage>> pending = new ConcurrentHashMap<>();
    private final AtomicLong corr = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private volatile TetherServer server;

    public Router(RedisLink link, Owners owners, String node, Duration timeout) {
        this.link = link;
        this.owners = owners;
        this.node = node;
        this.timeout = timeout;
    }

    /** Starts taking messages for {@code local}'s clients. */
    public void start(TetherServer local) {
        this.server = local;
        link.subscribe(link.keys().inbox(node), (channel, bytes) -> receive(bytes));
    }

    public CompletableFuture<Void> send(String clientId, byte[] payload) {
        return route(clientId, s -> s.send(payload), RouteMessage.Kind.SEND, payload, 0, "", timeout)
                .thenApply(reply -> null);
    }

    public CompletableFuture<byte[]> request(String clientId, byte[] payload, Duration wait) {
        return route(clientId, s -> s.request(payload, wait), RouteMessage.Kind.REQUEST, payload,
                wait.toMillis(), "", wait.plus(timeout));
    }

    public CompletableFuture<Boolean> kick(String clientId, String reason) {
        return route(clientId, s -> {
            s.kick(reason);
            return CompletableFuture.completedFuture(null);
        }, RouteMessage.Kind.KICK, null, 0, reason, timeout)
                .thenApply(reply -> true)
                .exceptionally(failure -> {
                    Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                    if (cause instanceof ClusterRoutingException routing && routing.clientNotOnline()) {
                        return false;
                    }
                    throw cause instanceof RuntimeException r ? r : unreachable(cause.getMessage());
                });
    }

    /** Tells the node of a session replaced elsewhere to end it (best effort: a dead node has nothing to end). */
    public void tellReplaced(PresenceWriter.Replaced replaced) {
        if (replaced.node().equals(node)) {
            endLocal(replaced.client(), Long.parseLong(replaced.session()), replaced.reason(), replaced.detail());
            return;
        }
        RouteMessage message = new RouteMessage(RouteMessage.Kind.REPLACE, 0, node, replaced.client(),
                Long.parseLong(replaced.session()), 0, true, replaced.detail(), null);
        link.publish(link.keys().inbox(replaced.node()), message.encode());
    }

    private static ClusterRoutingException notOnline(String message) {
        return new ClusterRoutingException(message, true);
    }

    private static ClusterRoutingException unreachable(String message) {
        return new ClusterRoutingException(message, false);
    }

    private <T> CompletableFuture<byte[]> route(String clientId, Function<Session, CompletableFuture<T>> locally,
                                                RouteMessage.Kind kind, byte[] payload, long waitMillis, String text,
                                                Duration deadline) {
        Optional<Session> local = server.session(clientId);
        if (local.isPresent()) {
            return locally.apply(local.get()).thenApply(r -> r instanceof byte[] b ? b : null);
        }
        return owners.find(clientId).thenCompose(owner -> {
            if (owner.isEmpty()) {
                throw notOnline(clientId + " is not online in the cluster");
            }
            ClusterSession where = owner.get();
            if (where.node().equals(node)) {
                throw notOnline(clientId + " is not online on this node (its session here just ended)");
            }
            long id = corr.incrementAndGet();
            CompletableFuture<RouteMessage> reply = new CompletableFuture<>();
            pending.put(id, reply);
            reply.whenComplete((r, f) -> pending.remove(id));
            RouteMessage message = new RouteMessage(kind, id, node, clientId, where.sessionId(), waitMillis, true,
                    text, payload);
            link.publish(link.keys().inbox(where.node()), message.encode()).whenComplete((receivers, failure) -> {
                if (failure != null) {
                    reply.completeExceptionally(unreachable("could not reach Redis to route to "
                            + clientId + " on node " + where.node() + ": " + Failure.describe(failure)));
                } else if (receivers == 0) {
                    reply.completeExceptionally(unreachable(clientId + " is held by node "
                            + where.node() + ", which is not listening (it is down or cut off from Redis)"));
                }
            });
            return reply.orTimeout(deadline.toMillis(), TimeUnit.MILLISECONDS).handle((r, failure) -> {
                if (failure instanceof TimeoutException) {
                    throw unreachable("node " + where.node() + " did not answer for " + clientId
                            + " within " + deadline.toMillis() + " ms");
                }
                if (failure != null) {
                    throw failure instanceof RuntimeException e ? e : unreachable(Failure.describe(failure));
                }
                if (!r.ok()) {
                    throw r.payload().length == 1 ? notOnline(r.text()) : unreachable(r.text());
                }
                return r.payload();
            });
        });
    }

    private void receive(byte[] bytes) {
        RouteMessage message;
        try {
            message = RouteMessage.decode(bytes);
        } catch (IOException e) {
            if (malformed.getAndIncrement() % 1_000 == 0) {
                log.warn("cluster: dropped a malformed inbox message of {} bytes ({}); {} so far", bytes.length,
                        e.getMessage(), malformed.get());
            }
            return;
        }
        if (message.kind() == RouteMessage.Kind.REPLY) {
            CompletableFuture<RouteMessage> waiting = pending.get(message.corr());
            if (waiting != null) {
                waiting.complete(message);
            }
            return;
        }
        if (message.kind() == RouteMessage.Kind.REPLACE) {
            endLocal(message.client(), message.session(), CloseReason.REPLACED, message.text());
            return;
        }
        TetherServer local = server;
        Optional<Session> session = local == null ? Optional.empty() : local.session(message.client());
        if (session.isEmpty()) {
            // A one-byte payload marks "not online": a kick then answers false rather than failing.
            answer(message, false, message.client() + " is not online on node " + node, new byte[1]);
            return;
        }
        switch (message.kind()) {
            case SEND -> session.get().send(message.payload())
                    .whenComplete((v, failure) -> answer(message, failure == null, describe(failure), null));
            case REQUEST -> session.get().request(message.payload(),
                            Duration.ofMillis(Math.max(1, Math.min(message.timeoutMillis(), MAX_REQUEST_MILLIS))))
                    .whenComplete((reply, failure) -> answer(message, failure == null, describe(failure), reply));
            case KICK -> {
                session.get().kick(message.text());
                answer(message, true, "", null);
            }
            default -> { }
        }
    }

    /** Ends this node's session of {@code client} if it is still {@code sessionId} (nothing before start). */
    private void endLocal(String client, long sessionId, CloseReason reason, String detail) {
        TetherServer local = server;
        if (local != null) {
            local.session(client).filter(s -> s.sessionId() == sessionId).ifPresent(s -> s.close(reason, detail));
        }
    }

    private static String describe(Throwable failure) {
        return failure == null ? "" : Failure.describe(failure);
    }

    private void answer(RouteMessage to, boolean ok, String text, byte[] payload) {
        link.publish(link.keys().inbox(to.origin()), RouteMessage.reply(to, node, ok, text, payload).encode());
    }
}
