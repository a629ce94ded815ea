package io.tether.internal;

import java.util.concurrent.TimeUnit;

/**
 * The liveness deadlines of one event loop's connections, in a hashed timing wheel of 1 ms slots: a plain
 * data structure, polled with the time, in the manner of Agrona's DeadlineTimerWheel. It reads no clock and
 * schedules nothing; {@link WheelTicker} drives it on its loop.
 *
 * <p>Each connection's deadline moves every couple of seconds (a deadline that finds newer traffic is
 * scheduled again for the remainder). The entries are the {@link Liveness} records themselves, linked into
 * their slot's list, so scheduling, moving and cancelling are a few pointer writes and allocate nothing (a
 * task object per move is what a scheduled-task queue would cost: docs/PERFORMANCE.md). An entry fires at the
 * first poll at or after its deadline, which the ticker makes at most one slot (1 ms) late.
 *
 * <p>Not thread-safe: used on one event loop.
 */
public final class DeadlineWheel {
    public static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int SLOTS = 4096; // one revolution is about 4 s; later deadlines wait out full turns
    static final long IDLE = -1;   // not in the wheel
    static final long FIRING = -2; // taken out of its slot, about to fire unless cancelled first

    private final Liveness[] slots = new Liveness[SLOTS];
    private final long origin;
    private long nextTick; // every tick before this one has been polled
    private int size;

    /** {@code originNanos}: any time at or before the first deadline's, on the clock the wheel is polled with. */
    public DeadlineWheel(long originNanos) {
        this.origin = originNanos;
    }

    /**
     * Schedules (or moves) {@code entry} to fire at the first poll at or after {@code deadlineNanos}. Returns the
     * time from which a poll fires it: the start of its slot.
     */
    public long schedule(Liveness entry, long deadlineNanos) {
        cancel(entry);
        long elapsed = deadlineNanos - origin;
        long tick = Math.max(nextTick, elapsed <= 0 ? 0 : (elapsed + TICK_NANOS - 1) / TICK_NANOS);
        link(entry, tick);
        return timeOf(tick);
    }

    public void cancel(Liveness entry) {
        if (entry.tick == FIRING) {
            entry.tick = IDLE; // collected for this poll's firing; now it will not fire
            return;
        }
        if (entry.tick == IDLE) {
            return;
        }
        unlink(entry);
        entry.tick = IDLE;
    }

    /**
     * Fires every entry due by {@code nowNanos}, oldest slot first, catching up after a stalled loop: each is
     * told {@link Liveness#expire} and scheduled again for the deadline it returns, if any. Returns how many fired.
     */
    public int poll(long nowNanos, Liveness.Stalls stalls) {
        long now = tickAt(nowNanos);
        long from = nextTick;
        nextTick = now + 1; // whatever a firing schedules lands in a later tick, never in this pass
        long last = Math.min(now, from + SLOTS - 1); // a stall longer than a turn visits each slot once
        int fired = 0;
        for (long tick = from; tick <= last; tick++) {
            fired += fireDue((int) (tick & (SLOTS - 1)), now, nowNanos, stalls);
        }
        return fired;
    }

    /**
     * When the earliest entry is due, as a time on the wheel's clock; {@link Liveness#NO_DEADLINE} when the
     * wheel is empty. Looks through up to one turn of slots: for the ticker after a poll, not per schedule.
     */
    public long nextDeadlineNanos() {
        if (size == 0) {
            return Liveness.NO_DEADLINE;
        }
        for (long tick = nextTick; tick < nextTick + SLOTS; tick++) {
            for (Liveness entry = slots[(int) (tick & (SLOTS - 1))]; entry != null; entry = entry.nextInSlot) {
                if (entry.tick == tick) {
                    return timeOf(tick);
                }
            }
        }
        return timeOf(nextTick + SLOTS); // nothing within a turn: look again then
    }

    public int size() {
        return size;
    }

    private long tickAt(long nanos) {
        long elapsed = nanos - origin;
        return elapsed <= 0 ? 0 : elapsed / TICK_NANOS;
    }

    private long timeOf(long tick) {
        return origin + tick * TICK_NANOS;
    }

    /**
     * Takes the due entries out of the slot first and fires them after, so that a firing that schedules or
     * cancels other entries (even ones about to fire) cannot disturb the walk through the slot.
     */
    private int fireDue(int slot, long nowTick, long nowNanos, Liveness.Stalls stalls) {
        Liveness first = null;
        Liveness last = null;
        for (Liveness entry = slots[slot]; entry != null; ) {
            Liveness next = entry.nextInSlot;
            if (entry.tick <= nowTick) {
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
        int fired = 0;
        for (Liveness entry = first; entry != null; ) {
            Liveness next = entry.nextDue;
            entry.nextDue = null;
            if (entry.tick == FIRING) {
                entry.tick = IDLE;
                fired++;
                long again = entry.expire(nowNanos, stalls);
                if (again != Liveness.NO_DEADLINE && entry.tick == IDLE) {
                    schedule(entry, again);
                }
            }
            entry = next;
        }
        return fired;
    }

    private void link(Liveness entry, long tick) {
        int slot = (int) (tick & (SLOTS - 1));
        Liveness head = slots[slot];
        entry.tick = tick;
        entry.previousInSlot = null;
        entry.nextInSlot = head;
        if (head != null) {
            head.previousInSlot = entry;
        }
        slots[slot] = entry;
        size++;
    }

    private void unlink(Liveness entry) {
        int slot = (int) (entry.tick & (SLOTS - 1));
        if (entry.previousInSlot != null) {
            entry.previousInSlot.nextInSlot = entry.nextInSlot;
        } else {
            slots[slot] = entry.nextInSlot;
        }
        if (entry.nextInSlot != null) {
            entry.nextInSlot.previousInSlot = entry.previousInSlot;
        }
        entry.previousInSlot = null;
        entry.nextInSlot = null;
        size--;
    }
}
