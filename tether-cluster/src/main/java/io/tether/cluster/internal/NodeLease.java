package io.tether.cluster.internal;

import io.tether.protocol.CloseReason;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's lease in the cluster: joins, renews every interval, reaps the sessions of incarnations whose
 * lease lapsed, and acts on the two verdicts a renewal can bring: FENCED (this node was declared dead; it
 * drops its sessions and joins again as a new incarnation) and LOST (Redis lost the cluster's data; the node
 * joins again and writes back every session it holds). All on one thread.
 */
public final class NodeLease implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeLease.class);
    private static final int REAP_BATCH = 500;

    private final RedisLink link;
    private final String node;
    private final String address;
    private final Duration interval;
    private final Duration timeout;
    private final Duration commandTimeout;
    private final PresenceWriter writer;
    private final Consumer<List<PresenceWriter.Held>> dropSessions;
    private final Consumer<PresenceWriter.Replaced> evict;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tether-cluster-lease");
        t.setDaemon(true);
        return t;
    });
    private volatile Incarnation incarnation;
    /** The dead incarnation ({@code id:epoch}) this node last reaped, for one log line per death. */
    private String reaping = "";
    private volatile long lastRenewedNanos;
    private volatile boolean unreachable;
    private final AtomicLong fencings = new AtomicLong();
    private final AtomicLong restores = new AtomicLong();
    private final AtomicLong reaped = new AtomicLong();

    public NodeLease(RedisLink link, String node, String address, Duration interval, Duration timeout,
                     Duration commandTimeout, PresenceWriter writer, Consumer<List<PresenceWriter.Held>> dropSessions,
                     Consumer<PresenceWriter.Replaced> evict) {
        this.link = link;
        this.node = node;
        this.address = address;
        this.interval = interval;
        this.timeout = timeout;
        this.commandTimeout = commandTimeout;
        this.writer = writer;
        this.dropSessions = dropSessions;
        this.evict = evict;
    }

    /** Joins the cluster, failing when Redis is unreachable or a live node has this id; then renews. */
    public Incarnation start() {
        Incarnation joined = join();
        writer.rebase(joined, false);
        lastRenewedNanos = System.nanoTime();
        thread.scheduleAtFixedRate(this::tick, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return joined;
    }

    public Incarnation incarnation() {
        return incarnation;
    }

    /** Renews now, on the lease's thread (a write was refused as fenced). */
    public void renewSoon() {
        thread.execute(this::tick);
    }

    /** Fails if a live node has {@code node} as its id now (the join checks again, atomically). */
    public static void checkFree(RedisLink link, String node, Duration commandTimeout) {
        try {
            Double deadline = link.text().zscore(link.keys().nodes(), node).get(commandTimeout.toMillis(),
                    TimeUnit.MILLISECONDS);
            long now = link.now().get(commandTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (deadline != null && deadline >= now) {
                throw taken(node, (long) (deadline - now));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Redis did not answer a read of the cluster's nodes: " + Failure.describe(e), e);
        }
    }

    private static IllegalStateException taken(String node, long leftMillis) {
        return new IllegalStateException("node id " + node + " is held by a live node in this cluster (its lease"
                + " ends in " + leftMillis + " ms); give each node its own --node-id, or, if this is that node"
                + " restarting after a crash, start it again once its lease has lapsed");
    }

    private Incarnation join() {
        List<String> reply = call(Script.JOIN, node, address, Long.toString(timeout.toMillis()));
        if ("TAKEN".equals(reply.get(0))) {
            throw taken(node, Long.parseLong(reply.get(1)));
        }
        Incarnation joined = new Incarnation(node, reply.get(1), reply.get(2));
        incarnation = joined;
        log.info("cluster: node {} joined as epoch {}", node, joined.epoch());
        return joined;
    }

    private List<String> call(Script script, String... args) {
        try {
            return link.run(script, args).get(commandTimeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException("Redis failed the " + script.name().toLowerCase() + " script: "
                    + Failure.describe(e), e);
        }
    }

    private void tick() {
        Incarnation current = incarnation;
        List<String> reply;
        try {
            reply = call(Script.RENEW, current.node(), current.epoch(), Long.toString(timeout.toMillis()),
                    Long.toString(interval.toMillis()), current.generation());
        } catch (RuntimeException e) {
            if (!unreachable) {
                unreachable = true;
                log.warn("cluster: cannot renew node {}'s lease ({}); serving local clients, retrying every {} ms",
                        node, e.getMessage(), interval.toMillis());
            }
            return;
        }
        if (unreachable) {
            unreachable = false;
            log.info("cluster: Redis answers again; node {} renewed its lease", node);
        }
        try {
            switch (reply.get(0)) {
                case "OK" -> {
                    lastRenewedNanos = System.nanoTime();
                    if (!"0".equals(reply.get(2))) {
                        log.warn("cluster: no node renewed for {} ms (Redis or every node's way to it was down);"
                                + " every lease was extended by that much", reply.get(2));
                    }
                    for (String entry : reply.subList(3, reply.size())) {
                        String[] parts = entry.split("\n", 4); // session, reason, detail, client (any text)
                        evict.accept(new PresenceWriter.Replaced(parts[3], current.node(), current.epoch(), parts[0],
                                CloseReason.valueOf(parts[1]), parts[2]));
                    }
                    if ("1".equals(reply.get(1))) {
                        reap(); // this node holds the reaping
                    }
                }
                case "FENCED" -> fenced();
                case "LOST" -> lost();
                default -> log.warn("cluster: unexpected renewal reply {}", reply.get(0));
            }
        } catch (RuntimeException e) {
            log.warn("cluster: {}", e.getMessage());
        }
    }

    /**
     * Reaps for at most half an interval, so that the next renewal is on time (a node that reaped instead of
     * renewing would be declared dead itself); the rest is reaped at the next renewals.
     */
    private void reap() {
        long until = System.nanoTime() + interval.toNanos() / 2;
        do {
            List<String> reply = call(Script.REAP, Integer.toString(REAP_BATCH));
            reaped.addAndGet(Long.parseLong(reply.get(0)));
            if (reply.size() > 2 && !reply.get(2).equals(reaping)) {
                reaping = reply.get(2);
                log.warn("cluster: node {} lost its lease and was declared dead; node {} declares its sessions"
                        + " NODE_LOST", reaping.replaceFirst(":([^:]*)$", " (epoch $1)"), node);
            }
            if ("0".equals(reply.get(1))) {
                return;
            }
        } while (System.nanoTime() < until);
    }

    private void fenced() {
        fencings.incrementAndGet();
        List<PresenceWriter.Held> dropped = writer.fence();
        log.warn("cluster: node {} (epoch {}) was declared dead by the cluster while cut off; closing its {}"
                + " sessions (the cluster declares them NODE_LOST) and joining again", node,
                incarnation.epoch(), dropped.size());
        // Closed before joining, so that a join that fails (Redis slow again) leaves no session here that
        // the cluster no longer counts; the next renewal, still fenced, tries to join again.
        dropSessions.accept(dropped);
        writer.rebase(join(), false);
        lastRenewedNanos = System.nanoTime();
    }

    private void lost() {
        restores.incrementAndGet();
        log.warn("cluster: Redis no longer holds the cluster's data (restarted without it); node {} joins again"
                + " and writes back its sessions", node);
        writer.rebase(join(), true);
        lastRenewedNanos = System.nanoTime();
    }

    /** How long ago the lease was last renewed. */
    public Duration leaseAge() {
        return Duration.ofNanos(System.nanoTime() - lastRenewedNanos);
    }

    public boolean reachable() {
        return !unreachable;
    }

    /** Times fenced, times the data was written back after Redis lost it, sessions this node reaped. */
    public long[] counts() {
        return new long[] {fencings.get(), restores.get(), reaped.get()};
    }

    /** Stops renewing and, if still a member, leaves: sessions still held are declared SERVER_SHUTDOWN. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(commandTimeout.toMillis() * 3, TimeUnit.MILLISECONDS);
            Incarnation current = incarnation;
            if (current != null) {
                call(Script.LEAVE, current.node(), current.epoch());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("cluster: node {} could not leave cleanly ({}); the cluster will declare its sessions"
                    + " NODE_LOST when its lease lapses", node, e.getMessage());
        }
    }
}
