package io.tether.keeper.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tether.keeper.internal.ConnectionBagTest.Item;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random sequences of adds, borrows, returns, removals and reservations on one thread, checked after every
 * step against a plain model of which items are in the bag and in which state. A failure prints jqwik's
 * seed and the shrunk sequence.
 */
class ConnectionBagPropertyTest {
    private static final int ADD = 0;
    private static final int BORROW = 1;
    private static final int REQUITE = 2;
    private static final int REMOVE = 3;
    private static final int RESERVE = 4;
    private static final int UNRESERVE = 5;

    @Property(tries = 500)
    void theBagAgreesWithItsModelAfterEveryStep(@ForAll("operations") List<int[]> operations) {
        ConnectionBag<Item> bag = new ConnectionBag<>();
        List<Item> created = new ArrayList<>();
        List<Item> inBag = new ArrayList<>();
        Map<Item, Integer> state = new HashMap<>();
        List<Item> held = new ArrayList<>(); // borrowed by us and not returned, removed since or not
        List<Item> reserved = new ArrayList<>();

        for (int[] step : operations) {
            int pick = step[1];
            switch (step[0]) {
                case ADD -> {
                    Item item = new Item(created.size());
                    assertThat(bag.add(item)).isTrue();
                    created.add(item);
                    inBag.add(item);
                    state.put(item, ConnectionBag.IDLE);
                }
                case BORROW -> {
                    Item item = bag.tryBorrow();
                    boolean anyIdle = inBag.stream().anyMatch(i -> state.get(i) == ConnectionBag.IDLE);
                    assertThat(item != null).as("borrowed iff something was idle").isEqualTo(anyIdle);
                    if (item != null) {
                        assertThat(state.get(item)).isEqualTo(ConnectionBag.IDLE);
                        assertThat(inBag).contains(item);
                        state.put(item, ConnectionBag.BORROWED);
                        held.add(item);
                    }
                }
                case REQUITE -> {
                    if (!held.isEmpty()) {
                        Item item = held.remove(pick % held.size());
                        bag.requite(item);
                        if (state.get(item) != ConnectionBag.REMOVED) {
                            state.put(item, ConnectionBag.IDLE);
                        }
                    }
                }
                case REMOVE -> {
                    if (!created.isEmpty()) {
                        Item item = created.get(pick % created.size());
                        boolean wasIn = state.get(item) != ConnectionBag.REMOVED;
                        assertThat(bag.remove(item)).isEqualTo(wasIn);
                        state.put(item, ConnectionBag.REMOVED);
                        inBag.remove(item);
                        reserved.remove(item);
                    }
                }
                case RESERVE -> {
                    if (!created.isEmpty()) {
                        Item item = created.get(pick % created.size());
                        boolean idle = state.get(item) == ConnectionBag.IDLE;
                        assertThat(bag.reserve(item)).isEqualTo(idle);
                        if (idle) {
                            state.put(item, ConnectionBag.RESERVED);
                            reserved.add(item);
                        }
                    }
                }
                case UNRESERVE -> {
                    if (!reserved.isEmpty()) {
                        Item item = reserved.remove(pick % reserved.size());
                        bag.unreserve(item);
                        state.put(item, ConnectionBag.IDLE);
                    }
                }
                default -> throw new IllegalStateException("no operation " + step[0]);
            }
            assertThat(bag.items()).containsExactlyInAnyOrderElementsOf(inBag);
            for (Item item : created) {
                assertThat(item.state()).as("state of %s", item).isEqualTo(state.get(item));
            }
        }
        assertThat(bag.waiting()).isZero();
    }

    @Provide
    Arbitrary<List<int[]>> operations() {
        Arbitrary<int[]> step = Combinators.combine(Arbitraries.integers().between(ADD, UNRESERVE),
                Arbitraries.integers().between(0, 31)).as((op, pick) -> new int[] {op, pick});
        return step.list().ofMinSize(1).ofMaxSize(80);
    }
}
