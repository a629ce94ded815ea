package io.tether.keeper.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The items of one pool and who holds each: a container only, with no sockets, timers or threads of its own.
 *
 * <p>Every item carries one atomic state, and whoever moves it out of {@link #IDLE} owns it until they put it
 * back: {@link #BORROWED} by a borrower, {@link #RESERVED} by whoever checks it in the background. So an item is
 * never lent twice, and a reserved one is never lent at all. {@link #REMOVED} is final.
 *
 * <p>Borrowing and returning take no lock and allocate nothing. A borrower first tries the slot this thread
 * claimed from last, then scans every slot, each try one compare-and-set; returning is one compare-and-set too (an item removed meanwhile stays removed).
 * Only a borrower that finds nothing idle waits, on this bag's own hand-off queue. A returner that sees
 * waiters keeps offering until one takes the item, someone else claims it, or no one is left waiting, so a
 * wake-up is never lost between a waiter's last look and its wait.
 *
 * <p>The thread-local hint is a slot number, never a reference: a removed item is reachable from nothing in
 * the bag, whichever threads borrowed it. After a removal the slots shift and a hint may name another item,
 * which is harmless, since the hint only chooses where to try first.
 *
 * <p>Adding and removing copy the slot array under a lock; they are rare (a connection opens or retires).
 */
final class ConnectionBag<T extends ConnectionBag.Entry> {
    static final int IDLE = 0;
    static final int BORROWED = 1;
    static final int RESERVED = 2;
    static final int REMOVED = 3;

    /** What a bag holds: anything with the bag's state field. */
    abstract static class Entry {
        private static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Entry.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        @SuppressWarnings("unused") // read and written through STATE
        private volatile int state;

        final int state() {
            return state;
        }

        private boolean moveState(int from, int to) {
            return STATE.compareAndSet(this, from, to);
        }
    }

    /** This thread's slot to try first; a number, so it can keep nothing alive. */
    private static final class Hint {
        int slot;
    }

    private static final Object CLOSED = new Object();
    private static final Entry[] EMPTY = new Entry[0];

    private final Object writeLock = new Object();
    private volatile Entry[] items = EMPTY;
    private final ThreadLocal<Hint> hint = ThreadLocal.withInitial(Hint::new);
    private final SynchronousQueue<Object> handoff = new SynchronousQueue<>();
    private final AtomicInteger waiters = new AtomicInteger();
    private volatile boolean closed;

    /** Adds an idle item and offers it to a waiter; false (item untouched) once the bag is closed. */
    boolean add(T item) {
        synchronized (writeLock) {
            if (closed) {
                return false;
            }
            Entry[] now = items;
            Entry[] next = Arrays.copyOf(now, now.length + 1);
            next[now.length] = item;
            items = next;
        }
        offerToWaiter(item);
        return true;
    }

    /**
     * Marks the item removed and drops it from the bag, whoever holds it. Returns false if it already was
     * removed, so that exactly one caller goes on to dispose of it.
     */
    boolean remove(T item) {
        if ((int) Entry.STATE.getAndSet(item, REMOVED) == REMOVED) {
            return false;
        }
        synchronized (writeLock) {
            Entry[] now = items;
            for (int i = 0; i < now.length; i++) {
                if (now[i] == item) {
                    Entry[] next = new Entry[now.length - 1];
                    System.arraycopy(now, 0, next, 0, i);
                    System.arraycopy(now, i + 1, next, i, now.length - i - 1);
                    items = next;
                    break;
                }
            }
        }
        return true;
    }

    /** Claims an idle item for a borrower without waiting, or returns null. */
    T tryBorrow() {
        Entry[] now = items;
        Hint mine = hint.get();
        int first = mine.slot;
        if (first < now.length && now[first].moveState(IDLE, BORROWED)) {
            return cast(now[first]);
        }
        for (int i = 0; i < now.length; i++) {
            if (now[i].moveState(IDLE, BORROWED)) {
                mine.slot = i;
                return cast(now[i]);
            }
        }
        return null;
    }

    /**
     * Claims an idle item for a borrower, waiting until {@code deadlineNanos} (a {@link System#nanoTime()}
     * value) for one to be returned or added. Returns null when the deadline passes or the bag is closed.
     */
    T borrow(long deadlineNanos) throws InterruptedException {
        T item = tryBorrow();
        return item != null ? item : await(deadlineNanos);
    }

    private T await(long deadlineNanos) throws InterruptedException {
        waiters.incrementAndGet();
        try {
            for (;;) {
                if (closed) {
                    return null;
                }
                T item = tryBorrow(); // a last look now that returners can see us waiting
                if (item != null) {
                    return item;
                }
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                Object offered = handoff.poll(left, TimeUnit.NANOSECONDS);
                if (offered instanceof Entry e && e.moveState(IDLE, BORROWED)) {
                    return cast(e);
                }
                // null (timed out: the loop ends at the deadline check), CLOSED, or claimed first by someone else
            }
        } finally {
            waiters.decrementAndGet();
        }
    }

    /** Gives a borrowed item back: idle again, and handed straight to a waiter if there is one. */
    void requite(T item) {
        release(item, BORROWED);
    }

    /** Takes an idle item out of circulation for a check; false if it is not idle. */
    boolean reserve(T item) {
        return move(item, IDLE, RESERVED);
    }

    /** Ends a reservation: idle again, and handed straight to a waiter if there is one. */
    void unreserve(T item) {
        release(item, RESERVED);
    }

    private void release(T item, int from) {
        // A compare-and-set, not a plain write: an item removed meanwhile (by close) stays removed.
        if (move(item, from, IDLE)) {
            offerToWaiter(item);
        }
    }

    private void offerToWaiter(Entry item) {
        for (int i = 0; waiters.get() > 0; i++) {
            if (item.state() != IDLE || handoff.offer(item)) {
                return;
            }
            if ((i & 0xff) == 0xff) {
                LockSupport.parkNanos(10_000);
            } else {
                Thread.yield();
            }
        }
    }

    /** The items as they are now (a snapshot, unmodifiable), in every state but removed. */
    List<T> items() {
        return Collections.unmodifiableList(Arrays.asList(cast(items)));
    }

    int size() {
        return items.length;
    }

    boolean isEmpty() {
        return items.length == 0;
    }

    boolean isClosed() {
        return closed;
    }

    int waiting() {
        return waiters.get();
    }

    /**
     * Closes the bag: nothing can be added, every item is marked removed and dropped (borrowed ones too) and
     * returned for the caller to dispose of, and borrowers still waiting are woken to give up, for at most
     * {@code wakeWithin} (less if this thread is interrupted, whose interrupt stays set).
     */
    List<T> close(long wakeWithin, TimeUnit unit) {
        Entry[] held;
        synchronized (writeLock) {
            closed = true;
            held = items;
            items = EMPTY;
        }
        List<T> removed = new ArrayList<>(held.length);
        for (Entry e : held) {
            if ((int) Entry.STATE.getAndSet(e, REMOVED) != REMOVED) {
                removed.add(cast(e));
            }
        }
        long deadline = System.nanoTime() + unit.toNanos(wakeWithin);
        try {
            while (waiters.get() > 0 && System.nanoTime() - deadline < 0) {
                handoff.offer(CLOSED, 1, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return removed;
    }

    private static boolean move(Entry item, int from, int to) {
        return item.moveState(from, to);
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Entry e) {
        return (T) e;
    }

    @SuppressWarnings("unchecked")
    private static <T> T[] cast(Entry[] all) {
        return (T[]) all;
    }
}
