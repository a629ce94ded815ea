package io.tether.cluster.internal;

import io.tether.protocol.CloseReason;
import io.tether.server.PresenceEvent;
import io.tether.server.PresenceListener;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes this node's presence events to Redis, in the order the node emitted them, through the claim and
 * release scripts. A pure pipeline: it keeps the sessions it announced and a bounded queue of writes, sends
 * them in batches on one thread, and retries from the first write not yet acknowledged, which the scripts
 * recognise by its number if it was in fact applied.
 *
 * <p>While Redis is unreachable the queue grows. At its bound a new session's ONLINE is not queued but
 * remembered (counted as dropped), so its OFFLINE is not owed either; when the queue has drained, every
 * such session still online is claimed then. An OFFLINE owed for an announced session is always queued, so
 * none is ever lost; the queue can pass its bound by at most the number of sessions online.
 */
public final class PresenceWriter implements PresenceListener {
    private static final Logger log = LoggerFactory.getLogger(PresenceWriter.class);
    private static final int BATCH = 256;

    /** A session announced (or to be announced) by this node, by its ONLINE event. */
    public static final class Held {
        final PresenceEvent online;
        boolean unannounced;

        Held(PresenceEvent online) {
            this.online = online;
        }

        public PresenceEvent online() {
            return online;
        }
    }

    private static final class Op {
        final PresenceEvent event;
        final boolean restored;
        long seq;

        Op(PresenceEvent event, boolean restored) {
            this.event = event;
            this.restored = restored;
        }
    }

    /**
     * A session to end because of a claim: one it replaced (on another node or an older incarnation of this
     * one), or the claiming session itself when Redis refused it (REPLACED by a later connection, FORBIDDEN).
     */
    public record Replaced(String client, String node, String epoch, String session, CloseReason reason,
                           String detail) { }

    private final Object lock = new Object();
    private final RedisLink link;
    private final int maxQueued;
    private final Duration timeout;
    private final Consumer<Replaced> onReplaced;
    private final Runnable onFenced;
    private final ArrayDeque<Op> queue = new ArrayDeque<>();
    private final Map<Long, Held> held = new LinkedHashMap<>();
    private final Thread thread;
    private Incarnation incarnation;
    private long seq;
    private long rebases;
    private boolean paused;
    private boolean closed;
    private boolean failing;
    private int unannounced;
    private long dropped;
    private long written;

    public PresenceWriter(RedisLink link, int maxQueued, Duration timeout, Consumer<Replaced> onReplaced, Runnable onFenced) {
        this.link = link;
        this.maxQueued = maxQueued;
        this.timeout = timeout;
        this.onReplaced = onReplaced;
        this.onFenced = onFenced;
        this.thread = new Thread(this::run, "tether-cluster-writer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    @Override
    public void onPresence(PresenceEvent event) {
        synchronized (lock) {
            if (event.type() == PresenceEvent.Type.ONLINE) {
                Held h = new Held(event);
                held.put(event.sessionId(), h);
                if (queue.size() >= maxQueued) {
                    h.unannounced = true;
                    unannounced++;
                    dropped++;
                } else {
                    queue.add(new Op(event, false));
                }
            } else {
                Held h = held.remove(event.sessionId());
                if (h == null) {
                    return; // announced under an incarnation that was fenced: the reaper declared it
                }
                if (h.unannounced) {
                    unannounced--;
                    return; // never announced, so no OFFLINE is owed
                }
                queue.add(new Op(event, false));
            }
            lock.notifyAll();
        }
    }

    /**
     * The node was fenced: the sessions it held were (or will be) declared offline by the reaper. Stops
     * writing, forgets them and returns them, for the node to close; later events are written after
     * {@link #rebase}.
     */
    public List<Held> fence() {
        synchronized (lock) {
            paused = true;
            rebases++;
            queue.clear();
            List<Held> sessions = new ArrayList<>(held.values());
            held.clear();
            unannounced = 0;
            return sessions;
        }
    }

    /**
     * Writes from now on as {@code next}. With {@code restore} (Redis lost its data) every session this node
     * holds is claimed again, marked restored, in place of whatever was queued.
     */
    public void rebase(Incarnation next, boolean restore) {
        synchronized (lock) {
            incarnation = next;
            seq = 0;
            rebases++;
            if (restore) {
                queue.clear();
                for (Held h : held.values()) {
                    h.unannounced = false;
                    queue.add(new Op(h.online, true));
                }
                unannounced = 0;
            } else {
                queue.forEach(op -> op.seq = 0);
            }
            paused = false;
            lock.notifyAll();
        }
    }

    /** Writes in the queue, sessions whose ONLINE waits for room, ONLINEs so far put off, and writes done. */
    public long[] counts() {
        synchronized (lock) {
            return new long[] {queue.size(), unannounced, dropped, written};
        }
    }

    public boolean reachable() {
        synchronized (lock) {
            return !failing;
        }
    }

    /** Waits up to {@code within} for the queue to drain; true if it did. */
    public boolean drain(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        synchronized (lock) {
            while (!queue.isEmpty() || unannounced > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || paused) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        thread.interrupt();
    }

    private void run() {
        long backoff = 50;
        while (true) {
            List<Op> batch = new ArrayList<>(BATCH);
            Incarnation as;
            long rebase;
            synchronized (lock) {
                while (!closed && (incarnation == null || paused || queue.isEmpty())) {
                    if (!closed && !paused && incarnation != null && queue.isEmpty() && unannounced > 0) {
                        restoreUnannounced();
                        continue;
                    }
                    lock.notifyAll(); // wakes drain()
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        if (closed) {
                            return;
                        }
                    }
                }
                if (closed) {
                    return;
                }
                as = incarnation;
                rebase = rebases;
                for (Op op : queue) {
                    if (batch.size() == BATCH) {
                        break;
                    }
                    if (op.seq == 0) {
                        op.seq = ++seq;
                    }
                    batch.add(op);
                }
            }
            List<CompletableFuture<List<String>>> replies = new ArrayList<>(batch.size());
            for (Op op : batch) {
                replies.add(send(op, as));
            }
            int done = settle(batch, replies, rebase, as);
            if (done < batch.size()) {
                synchronized (lock) {
                    try {
                        if (!closed) {
                            lock.wait(backoff); // Redis is unreachable: try again later, sooner if closed
                        }
                    } catch (InterruptedException e) {
                        if (closed) {
                            return;
                        }
                    }
                }
                backoff = Math.min(1_000, backoff * 2);
            } else {
                backoff = 50;
            }
        }
    }

    /** Applies the replies in order up to the first failure; returns how many writes were acknowledged. */
    private int settle(List<Op> batch, List<CompletableFuture<List<String>>> replies, long rebase, Incarnation as) {
        for (int i = 0; i < batch.size(); i++) {
            List<String> reply;
            try {
                reply = replies.get(i).get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return i;
            } catch (Exception e) {
                synchronized (lock) {
                    if (!failing) {
                        failing = true;
                        log.warn("cluster: presence writes to Redis failing ({}); {} queued, retrying",
                                Failure.describe(e), queue.size());
                    }
                }
                return i;
            }
            Replaced replaced = null;
            synchronized (lock) {
                if (rebase != rebases) {
                    return i; // fenced or rebased meanwhile: the queue was rebuilt
                }
                if (failing) {
                    failing = false;
                    log.info("cluster: presence writes to Redis resumed; {} queued", queue.size());
                }
                String status = reply.get(0);
                if ("GAP".equals(status)) {
                    return i; // an earlier write was sent again (Redis had lost the script): this one follows it
                }
                if ("FENCED".equals(status)) {
                    paused = true;
                } else {
                    queue.pollFirst();
                    written++;
                    lock.notifyAll();
                    Op op = batch.get(i);
                    if ("REFUSED".equals(status)) {
                        // Redis announced it and declared it offline at once: it ends here too.
                        replaced = new Replaced(op.event.clientId(), as.node(), as.epoch(),
                                Long.toString(op.event.sessionId()), CloseReason.valueOf(reply.get(1)), reply.get(2));
                    } else if (reply.size() == 5) { // it replaced a session held elsewhere
                        replaced = new Replaced(op.event.clientId(), reply.get(1), reply.get(2), reply.get(3),
                                CloseReason.REPLACED, reply.get(4));
                    }
                }
            }
            if (replaced != null) {
                onReplaced.accept(replaced);
            } else if ("FENCED".equals(reply.get(0))) {
                onFenced.run();
                return i;
            }
        }
        return batch.size();
    }

    private CompletableFuture<List<String>> send(Op op, Incarnation as) {
        PresenceEvent e = op.event;
        String session = Long.toString(e.sessionId());
        if (e.type() == PresenceEvent.Type.ONLINE) {
            return link.run(Script.CLAIM, as.node(), as.epoch(), Long.toString(op.seq), e.clientId(), session,
                    Long.toString(e.at()), e.remote(), e.principal() == null ? "" : e.principal(), Long.toString(e.at()),
                    op.restored ? "1" : "0");
        }
        return link.run(Script.RELEASE, as.node(), as.epoch(), Long.toString(op.seq), e.clientId(), session,
                e.reason().name(), e.detail(), Long.toString(e.at()));
    }

    /** Queues the put-off ONLINEs of sessions still online, as far as the bound allows. */
    private void restoreUnannounced() {
        for (Held h : held.values()) {
            if (queue.size() >= maxQueued) {
                return;
            }
            if (h.unannounced) {
                h.unannounced = false;
                unannounced--;
                queue.add(new Op(h.online, false));
            }
        }
    }
}
