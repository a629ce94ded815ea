package io.tether.keeper.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bag on its own: plain items, no sockets, no timers. */
class ConnectionBagTest {
    static final Duration WAIT = Duration.ofSeconds(10);

    /** A pooled item that records who holds it, to catch one lent twice. */
    static final class Item extends ConnectionBag.Entry {
        final int id;
        final AtomicReference<Thread> holder = new AtomicReference<>();

        Item(int id) {
            this.id = id;
        }

        @Override
        public String toString() {
            return "item " + id;
        }
    }

    private final ConnectionBag<Item> bag = new ConnectionBag<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    /** Adds that many new items, numbered from 1, and returns them in order. */
    private List<Item> added(int count) {
        List<Item> items = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            Item item = new Item(i);
            assertThat(bag.add(item)).isTrue();
            items.add(item);
        }
        return items;
    }

    static long in(Duration d) {
        return System.nanoTime() + d.toNanos();
    }

    @Test
    void borrowedItemsAreNotLentAgainUntilReturned() {
        List<Item> two = added(2);
        Item a = two.get(0);
        Item b = two.get(1);

        Item first = bag.tryBorrow();
        Item second = bag.tryBorrow();
        assertThat(List.of(first, second)).containsExactlyInAnyOrder(a, b);
        assertThat(bag.tryBorrow()).as("both are out").isNull();
        assertThat(first.state()).isEqualTo(ConnectionBag.BORROWED);

        bag.requite(first);
        assertThat(first.state()).isEqualTo(ConnectionBag.IDLE);
        assertThat(bag.tryBorrow()).isSameAs(first);
        assertThat(bag.size()).isEqualTo(2);
    }

    @Test
    void aThreadTriesTheSlotItClaimedFromLastBeforeScanning() {
        List<Item> two = added(2);
        Item a = two.get(0);
        Item b = two.get(1);
        Item taken = bag.tryBorrow(); // a, by the scan
        Item mine = bag.tryBorrow(); // b, by the scan, which leaves the hint on b's slot
        assertThat(mine).isSameAs(b);
        bag.requite(taken);
        bag.requite(mine);

        // A scan would find a first; the hint finds b.
        assertThat(bag.tryBorrow()).isSameAs(b);
    }

    @Test
    void aReturnedItemGoesStraightToABorrowerWaitingForIt() throws Exception {
        Item only = new Item(1);
        bag.add(only);
        Item held = bag.tryBorrow();

        Future<Item> waiter = threads.submit(() -> bag.borrow(in(WAIT)));
        await().atMost(WAIT).until(() -> bag.waiting() == 1);
        bag.requite(held);

        assertThat(waiter.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isSameAs(only);
        assertThat(only.state()).isEqualTo(ConnectionBag.BORROWED);
        assertThat(bag.waiting()).isZero();
    }

    @Test
    void anAddedItemGoesStraightToABorrowerWaitingForIt() throws Exception {
        Future<Item> waiter = threads.submit(() -> bag.borrow(in(WAIT)));
        await().atMost(WAIT).until(() -> bag.waiting() == 1);
        Item fresh = new Item(1);
        assertThat(bag.add(fresh)).isTrue();

        assertThat(waiter.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isSameAs(fresh);
    }

    @Test
    void aBorrowerGivesUpAtItsDeadline() throws Exception {
        bag.add(new Item(1));
        bag.tryBorrow();
        long started = System.nanoTime();

        assertThat(bag.borrow(started + TimeUnit.MILLISECONDS.toNanos(100))).isNull();

        assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(bag.waiting()).isZero();
    }

    @Test
    void anItemRemovedWhileBorrowedIsNeverLentAgain() {
        Item a = new Item(1);
        bag.add(a);
        Item held = bag.tryBorrow();

        assertThat(bag.remove(held)).isTrue();
        assertThat(bag.remove(held)).as("only the first removal disposes of it").isFalse();
        bag.requite(held);

        assertThat(held.state()).as("returning does not bring it back").isEqualTo(ConnectionBag.REMOVED);
        assertThat(bag.size()).isZero();
        assertThat(bag.tryBorrow()).isNull();
    }

    @Test
    void afterARemovalTheHintNeverYieldsTheRemovedItem() {
        List<Item> three = added(3);
        Item b = three.get(1);
        bag.tryBorrow();
        bag.tryBorrow();
        Item last = bag.tryBorrow(); // the hint is now slot 2
        bag.requite(last);
        bag.remove(last); // slot 2 is gone, beyond the end now; items 1 and 2 are still out

        assertThat(bag.tryBorrow()).isNull();
        bag.requite(b);
        assertThat(bag.tryBorrow()).isSameAs(b);
    }

    @Test
    void aReservedItemIsNotLentUntilTheReservationEnds() {
        Item a = new Item(1);
        bag.add(a);

        assertThat(bag.reserve(a)).isTrue();
        assertThat(bag.tryBorrow()).isNull();
        assertThat(bag.reserve(a)).as("reserved once").isFalse();
        bag.unreserve(a);
        Item lent = bag.tryBorrow();
        assertThat(lent).isSameAs(a);
        assertThat(bag.reserve(a)).as("a borrowed item cannot be reserved").isFalse();
    }

    @Test
    void aRemovedItemBecomesUnreachableThoughThisThreadBorrowedIt() {
        Item kept = new Item(1);
        bag.add(kept);
        WeakReference<Item> removed = addBorrowReturnAndRemove(bag);
        WeakReference<Item> stillIn = new WeakReference<>(kept);
        kept = null; // only the bag holds it now

        for (int i = 0; i < 50 && removed.get() != null; i++) {
            System.gc();
        }

        assertThat(removed.get()).as("the removed item was collected").isNull();
        assertThat(stillIn.get()).as("an item still in the bag is kept").isNotNull();
        assertThat(bag.size()).isEqualTo(1);
    }

    /** In its own frame, so no local variable of the test keeps the item alive. */
    private static WeakReference<Item> addBorrowReturnAndRemove(ConnectionBag<Item> bag) {
        bag.tryBorrow(); // the kept item, at slot 0
        Item gone = new Item(2);
        bag.add(gone);
        assertThat(bag.tryBorrow()).isSameAs(gone); // claimed from slot 1 by the scan: this thread's hint
        bag.requite(gone);
        assertThat(bag.tryBorrow()).as("the hint finds it").isSameAs(gone);
        bag.requite(gone);
        assertThat(bag.remove(gone)).isTrue();
        bag.requite(bag.items().get(0));
        return new WeakReference<>(gone);
    }

    @Test
    void closingHandsBackEveryItemAndWakesWaiters() throws Exception {
        List<Item> two = added(2);
        Item lent = two.get(0);
        Item idle = two.get(1);
        bag.tryBorrow();
        bag.tryBorrow();
        List<Future<Item>> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiters.add(threads.submit(() -> bag.borrow(in(Duration.ofMinutes(5)))));
        }
        await().atMost(WAIT).until(() -> bag.waiting() == 3);
        bag.requite(idle); // taken by one waiter at once
        await().atMost(WAIT).until(() -> bag.waiting() == 2);

        List<Item> disposed = bag.close(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(disposed).containsExactlyInAnyOrder(lent, idle);
        assertThat(lent.state()).isEqualTo(ConnectionBag.REMOVED);
        int gotNothing = 0;
        for (Future<Item> waiter : waiters) {
            if (waiter.get(WAIT.toSeconds(), TimeUnit.SECONDS) == null) {
                gotNothing++;
            }
        }
        assertThat(gotNothing).as("the two still waiting gave up at once").isEqualTo(2);
        assertThat(bag.add(new Item(3))).isFalse();
        assertThat(bag.size()).isZero();
        assertThat(bag.borrow(in(WAIT))).isNull();
    }

    @Test
    void manyBorrowersAndAReserverNeverHoldOneItemAtOnce() throws Exception {
        List<Item> items = added(3);
        AtomicInteger sharedHolds = new AtomicInteger();
        AtomicInteger borrows = new AtomicInteger();
        int borrowers = 6;
        int perBorrower = 3000;
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < borrowers; t++) {
            work.add(threads.submit(() -> {
                for (int i = 0; i < perBorrower; i++) {
                    Item item = bag.borrow(in(WAIT));
                    assertThat(item).as("no item within " + WAIT).isNotNull();
                    hold(item, sharedHolds);
                    borrows.incrementAndGet();
                    bag.requite(item);
                }
                return null;
            }));
        }
        Future<?> reserver = threads.submit(() -> {
            for (int round = 0; round < 2000 && !work.stream().allMatch(Future::isDone); round++) {
                for (Item item : bag.items()) {
                    if (bag.reserve(item)) {
                        hold(item, sharedHolds);
                        bag.unreserve(item);
                    }
                }
            }
        });
        for (Future<?> f : work) {
            f.get(60, TimeUnit.SECONDS);
        }
        reserver.get(60, TimeUnit.SECONDS);

        assertThat(sharedHolds).hasValue(0);
        assertThat(borrows).hasValue(borrowers * perBorrower);
        assertThat(items).allMatch(item -> item.state() == ConnectionBag.IDLE);
        assertThat(bag.waiting()).isZero();
    }

    /** Holds the item for a moment, counting any other thread that holds it at the same time. */
    private static void hold(Item item, AtomicInteger sharedHolds) {
        Thread me = Thread.currentThread();
        if (!item.holder.compareAndSet(null, me)) {
            sharedHolds.incrementAndGet();
            return;
        }
        Thread.onSpinWait();
        if (!item.holder.compareAndSet(me, null)) {
            sharedHolds.incrementAndGet();
        }
    }
}
