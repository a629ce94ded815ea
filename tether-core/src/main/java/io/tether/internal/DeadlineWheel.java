package io.tether.internal;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The liveness deadlines of one event loop's connections, in a hashed timing wheel of 1 ms slots.
 *
 * <p>Each connection's deadline moves every couple of seconds (a firing that finds newer traffic re-arms
 * for the remainder). As a Netty scheduled task per connection, every move cost a heap removal, a heap
 * insertion and an 88-byte task object: at 19,000 connections pinging once a second, about 40 bytes of
 * garbage per ping and 4 % of the server's CPU (docs/PERFORMANCE.md). Here a deadline is an entry in an
 * intrusive list (the fields live in the {@link Entry} itself), so arming, moving and cancelling are a few
 * pointer writes and allocate nothing. A verdict is at most one slot (1 ms) later than its deadline.
 *
 * <p>The wheel wakes its loop in one of two ways. While deadlines are dense (the next one is at most
 * {@value #DENSE_TICKS} ms away, as with thousands of connections) a periodic 1 ms task runs it, which
 * allocates nothing. While they are sparse (a few quiet connections) it plans one wake-up for the next
 * deadline, so an idle server is not woken a thousand times a second; an empty wheel plans none.
 *
 * <p>Not thread-safe: every method runs on the wheel's event loop.
 */
final class DeadlineWheel implements Runnable {
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int SLOTS = 4096; // one revolution is about 4 s; later deadlines wait out full turns
    static final int DENSE_TICKS = 8;
    private static final Map<EventExecutor, DeadlineWheel> WHEELS = new ConcurrentHashMap<>();

    /** A connection's place in the wheel. */
    abstract static class Entry {
        private Entry previous;
        private Entry next;
        private Entry nextDue;
        private long tick = IDLE;

        /** Called on the loop once {@code System.nanoTime()} has passed the deadline it was scheduled for. */
        abstract void deadlineReached();
    }

    private static final long IDLE = -1;   // not in the wheel
    private static final long FIRING = -2; // taken out of its slot, about to fire unless cancelled first

    private final EventExecutor loop;
    private final Entry[] slots = new Entry[SLOTS];
    private final long origin = System.nanoTime();
    private long nextTick; // every tick before this one has been processed
    private int size;
    private ScheduledFuture<?> ticking; // the periodic task or the planned wake-up, or null
    private boolean periodic;
    private long wakeTick; // for a planned wake-up: the tick it is for
    private long runs;

    private DeadlineWheel(EventExecutor loop) {
        this.loop = loop;
    }

    /** The wheel of {@code loop}; made on first use and dropped when the loop terminates. */
    static DeadlineWheel of(EventExecutor loop) {
        DeadlineWheel wheel = WHEELS.get(loop);
        if (wheel == null) {
            wheel = WHEELS.computeIfAbsent(loop, DeadlineWheel::new);
            loop.terminationFuture().addListener(f -> WHEELS.remove(loop));
        }
        return wheel;
    }

    /** Schedules (or moves) {@code entry} to fire at {@code deadlineNanos}, a {@code System.nanoTime()} value. */
    void schedule(Entry entry, long deadlineNanos) {
        cancel(entry);
        long elapsed = deadlineNanos - origin;
        long tick = Math.max(nextTick, elapsed <= 0 ? 0 : (elapsed + TICK_NANOS - 1) / TICK_NANOS);
        link(entry, tick);
        if (ticking == null || (!periodic && tick < wakeTick)) {
            plan(tick);
        }
    }

    void cancel(Entry entry) {
        if (entry.tick == FIRING) {
            entry.tick = IDLE; // collected for this tick's firing; now it will not fire
            return;
        }
        if (entry.tick == IDLE) {
            return;
        }
        unlink(entry);
        entry.tick = IDLE;
    }

    private void unlink(Entry entry) {
        int slot = (int) (entry.tick & (SLOTS - 1));
        if (entry.previous != null) {
            entry.previous.next = entry.next;
        } else {
            slots[slot] = entry.next;
        }
        if (entry.next != null) {
            entry.next.previous = entry.previous;
        }
        entry.previous = null;
        entry.next = null;
        size--;
    }

    /** A tick: fires every entry whose tick has come, catching up after a stalled loop, then plans the next. */
    @Override
    public void run() {
        runs++;
        if (!periodic) {
            ticking = null; // the planned wake-up has happened
        }
        long now = (System.nanoTime() - origin) / TICK_NANOS;
        long from = nextTick;
        nextTick = now + 1; // whatever a firing schedules lands in a later tick, never in this pass
        long last = Math.min(now, from + SLOTS - 1); // a stall longer than a turn visits each slot once
        for (long tick = from; tick <= last; tick++) {
            fireDue((int) (tick & (SLOTS - 1)), now);
        }
        if (size == 0) {
            stop();
        } else {
            plan(earliestTick());
        }
    }

    /** Makes sure the loop runs this wheel by {@code tick}: periodically while that is near, else once then. */
    private void plan(long tick) {
        if (tick - nextTick <= DENSE_TICKS) {
            if (!periodic) {
                stop();
                periodic = true;
                // Fixed delay, not fixed rate: after a stall the tick catches up by itself, in one run.
                ticking = loop.scheduleWithFixedDelay(this, TICK_NANOS, TICK_NANOS, TimeUnit.NANOSECONDS);
            }
            return;
        }
        if (ticking != null && (periodic || wakeTick != tick)) {
            stop();
        }
        if (ticking == null) {
            wakeTick = tick;
            long delay = origin + tick * TICK_NANOS - System.nanoTime();
            ticking = loop.schedule(this, Math.max(0, delay), TimeUnit.NANOSECONDS);
        }
    }

    private void stop() {
        if (ticking != null) {
            ticking.cancel(false);
            ticking = null;
        }
        periodic = false;
    }

    /**
     * The first tick, from {@code nextTick} on, that holds an entry; or a turn from now when no entry falls
     * within one turn (the wheel then looks again).
     */
    private long earliestTick() {
        for (long tick = nextTick; tick < nextTick + SLOTS; tick++) {
            for (Entry entry = slots[(int) (tick & (SLOTS - 1))]; entry != null; entry = entry.next) {
                if (entry.tick == tick) {
                    return tick;
                }
            }
        }
        return nextTick + SLOTS;
    }

    /**
     * Takes the due entries out of the slot first and fires them after, so that a firing that schedules or
     * cancels other entries (even ones about to fire) cannot disturb the walk through the slot.
     */
    private void fireDue(int slot, long now) {
        Entry first = null;
        Entry last = null;
        for (Entry entry = slots[slot]; entry != null; ) {
            Entry next = entry.next;
            if (entry.tick <= now) {
                unlink(entry);
                entry.tick = FIRING;
                if (last == null) {
                    first = entry;
                } else {
                    last.nextDue = entry;
                }
                last = entry;
            }
            entry = next;
        }
        for (Entry entry = first; entry != null; ) {
            Entry next = entry.nextDue;
            entry.nextDue = null;
            if (entry.tick == FIRING) {
                entry.tick = IDLE;
                entry.deadlineReached();
            }
            entry = next;
        }
    }

    private void link(Entry entry, long tick) {
        int slot = (int) (tick & (SLOTS - 1));
        Entry head = slots[slot];
        entry.tick = tick;
        entry.previous = null;
        entry.next = head;
        if (head != null) {
            head.previous = entry;
        }
        slots[slot] = entry;
        size++;
    }

    int size() {
        return size;
    }

    /** How many times the wheel has run, for tests of how often it wakes its loop. */
    long runs() {
        return runs;
    }
}
