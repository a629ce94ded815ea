package io.tether.admin;

import io.tether.server.PresenceEvent;
import io.tether.server.PresenceListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The last {@code capacity} presence events, numbered from 1 in the order the server published them, for the
 * admin port's {@code /events} stream and its resume by {@code Last-Event-ID}. Register it as a listener of
 * the server it describes ({@code TetherServer.Builder.listener}) and hand it to {@link AdminServer}. Memory
 * is bounded by its capacity; what falls off the end is reported to a resuming reader as a gap.
 */
public final class PresenceFeed implements PresenceListener {
    /** One numbered event. */
    public record Entry(long id, PresenceEvent event) { }

    /** What a reader that last saw {@code lastSeen} gets: the events after it, and how many it missed for good. */
    public record Since(List<Entry> entries, long missed) { }

    private final Entry[] ring;
    private long next = 1;
    private final List<Consumer<Entry>> subscribers = new CopyOnWriteArrayList<>();

    public PresenceFeed(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a presence feed keeps at least one event");
        }
        this.ring = new Entry[capacity];
    }

    /** Subscribers hear the event inside the lock, so one that subscribes meanwhile sees it exactly once. */
    @Override
    public synchronized void onPresence(PresenceEvent event) {
        Entry entry = new Entry(next, event);
        ring[(int) ((next - 1) % ring.length)] = entry;
        next++;
        for (Consumer<Entry> subscriber : subscribers) {
            subscriber.accept(entry);
        }
    }

    /** The number the next event will get. */
    public synchronized long nextId() {
        return next;
    }

    /**
     * The kept events after {@code lastSeen} (0 = from the oldest kept), and how many between it and the oldest
     * kept one were dropped.
     */
    public synchronized Since since(long lastSeen) {
        long oldest = Math.max(1, next - ring.length);
        long from = Math.max(lastSeen + 1, oldest);
        long missed = lastSeen == 0 ? 0 : Math.max(0, oldest - (lastSeen + 1));
        List<Entry> entries = new ArrayList<>((int) Math.max(0, next - from));
        for (long id = from; id < next; id++) {
            entries.add(ring[(int) ((id - 1) % ring.length)]);
        }
        return new Since(entries, missed);
    }

    /**
     * Calls {@code subscriber} with every event from now on, on the thread that publishes events (it must not
     * block), and returns what was kept before, atomically: no event is missed or seen twice between the two.
     */
    public synchronized Since subscribe(long lastSeen, Consumer<Entry> subscriber) {
        subscribers.add(subscriber);
        return since(lastSeen);
    }

    /** Calls {@code listener} with every event from now on, on the publishing thread (it must not block). */
    public void follow(Consumer<Entry> listener) {
        subscribers.add(listener);
    }

    public void unsubscribe(Consumer<Entry> subscriber) {
        subscribers.remove(subscriber);
    }

    public int subscriberCount() {
        return subscribers.size();
    }
}
