package io.tether.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.tether.messaging.ConnectionLostException;
import io.tether.messaging.RemoteErrorException;
import io.tether.messaging.RequestTimeoutException;
import io.tether.protocol.ErrorCode;
import io.tether.protocol.Frames;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Application traffic on one connection: one-way messages and requests awaiting their answers.
 *
 * <p>Every request ends exactly once — answered, failed by the peer, timed out, or failed at once when
 * the connection ends — so nothing waits forever and nothing is silently dropped. Safe to call from any
 * thread.
 */
public final class Exchange {
    /** Where an exchange's frames go: a Netty channel, or one of the server's compact connections. */
    public interface Outlet {
        /** The connection's event loop, which also runs request timeouts. */
        EventExecutor executor();

        ByteBufAllocator alloc();

        boolean isOpen();

        /**
         * Writes and flushes {@code frame}, taking ownership of it, from any thread. Then calls {@code done}
         * (if not null) with {@code null} once the frame is written, or with the failure.
         */
        void write(ByteBuf frame, Consumer<Throwable> done);
    }

    private final Outlet outlet;
    private final int peerMaxPayload;
    // Most sessions never make a request: the map is created on the first one, and the id counter is a
    // plain field: memory saved on each of thousands of idle connections (docs/PERFORMANCE.md).
    private static final VarHandle PENDING;
    private static final VarHandle NEXT_ID;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            PENDING = lookup.findVarHandle(Exchange.class, "pending", ConcurrentHashMap.class);
            NEXT_ID = lookup.findVarHandle(Exchange.class, "nextId", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile ConcurrentHashMap<Integer, Pending> pending;
    private volatile int nextId;
    private volatile ConnectionLostException closedBy;

    public Exchange(Outlet outlet, int peerMaxPayload) {
        this.outlet = outlet;
        this.peerMaxPayload = peerMaxPayload;
    }

    /** An exchange over a Netty channel. */
    public static Exchange over(Channel channel, int peerMaxPayload) {
        return new Exchange(new ChannelOutlet(channel), peerMaxPayload);
    }

    public CompletableFuture<Void> send(byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!admit(payload.length, done)) {
            return done;
        }
        outlet.write(Frames.data(outlet.alloc(), payload), failure -> {
            if (failure == null) {
                done.complete(null);
            } else {
                done.completeExceptionally(lostOr(failure));
            }
        });
        return done;
    }

    public CompletableFuture<byte[]> request(byte[] payload, Duration timeout) {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(timeout, "timeout");
        CompletableFuture<byte[]> answer = new CompletableFuture<>();
        if (!admit(payload.length + Frames.CORRELATION_ID_LENGTH, answer)) {
            return answer;
        }
        int id = newCorrelationId();
        Pending entry = new Pending(answer);
        ConcurrentHashMap<Integer, Pending> requests = pendingMap();
        requests.put(id, entry);
        // close() may have drained the map just before the put; whichever side sees the other fails it.
        ConnectionLostException lost = closedBy;
        if (lost != null) {
            requests.remove(id);
            answer.completeExceptionally(lost);
            return answer;
        }
        entry.timer = outlet.executor().schedule(() -> {
            if (requests.remove(id, entry)) {
                answer.completeExceptionally(new RequestTimeoutException(
                        "no answer to request " + id + " within " + timeout.toMillis() + " ms"));
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        outlet.write(Frames.request(outlet.alloc(), id, payload), failure -> {
            if (failure != null && requests.remove(id, entry)) {
                entry.cancelTimer();
                answer.completeExceptionally(lostOr(failure));
            }
        });
        return answer;
    }

    /** Completes the request a RESPONSE frame answers. Unknown ids (already timed out) are ignored. */
    public void onResponse(ByteBuf frame) {
        Pending entry = takePending(Frames.correlationId(frame));
        if (entry != null) {
            entry.cancelTimer();
            entry.answer.complete(Frames.payloadBytes(frame, Frames.CORRELATION_ID_LENGTH));
        }
    }

    /** Fails the request an ERROR frame is about; returns false when it names no pending request. */
    public boolean onError(ByteBuf frame) {
        Pending entry = takePending(Frames.correlationId(frame));
        if (entry == null) {
            return false;
        }
        entry.cancelTimer();
        entry.answer.completeExceptionally(new RemoteErrorException(Frames.errorCode(frame), Frames.errorMessage(frame)));
        return true;
    }

    /** Answers a request the peer made with an ERROR frame of this code, e.g. NO_HANDLER. */
    public void refuse(int correlationId, ErrorCode code, String message) {
        if (outlet.isOpen()) {
            outlet.write(Frames.error(outlet.alloc(), correlationId, code, message), null);
        }
    }

    /** Sends the outcome of a request the peer made. */
    public void answer(int correlationId, byte[] result, Throwable failure) {
        if (!outlet.isOpen()) {
            return;
        }
        ByteBuf frame;
        if (failure != null) {
            frame = Frames.error(outlet.alloc(), correlationId, ErrorCode.HANDLER_FAILED, String.valueOf(failure.getMessage()));
        } else if (result == null) {
            frame = Frames.error(outlet.alloc(), correlationId, ErrorCode.HANDLER_FAILED, "handler returned no answer");
        } else if (result.length + Frames.CORRELATION_ID_LENGTH > peerMaxPayload) {
            frame = Frames.error(outlet.alloc(), correlationId, ErrorCode.HANDLER_FAILED,
                    "answer of " + result.length + " bytes exceeds the maximum payload");
        } else {
            frame = Frames.response(outlet.alloc(), correlationId, result);
        }
        outlet.write(frame, null);
    }

    /**
     * Refuses all further traffic and fails every pending request with {@code cause}, at once. The first
     * cause given is the one every request reports.
     */
    public void close(ConnectionLostException cause) {
        if (closedBy == null) {
            closedBy = cause;
        }
        cause = closedBy;
        ConcurrentHashMap<Integer, Pending> requests = pending;
        if (requests == null) {
            return;
        }
        for (Integer id : requests.keySet()) {
            Pending entry = requests.remove(id);
            if (entry != null) {
                entry.cancelTimer();
                entry.answer.completeExceptionally(cause);
            }
        }
    }

    private boolean admit(int payloadLength, CompletableFuture<?> result) {
        ConnectionLostException lost = closedBy;
        if (lost != null) {
            result.completeExceptionally(lost);
            return false;
        }
        if (payloadLength > peerMaxPayload) {
            result.completeExceptionally(new IllegalArgumentException(
                    "payload of " + payloadLength + " bytes exceeds the peer's maximum of " + peerMaxPayload));
            return false;
        }
        return true;
    }

    private ConcurrentHashMap<Integer, Pending> pendingMap() {
        ConcurrentHashMap<Integer, Pending> map = pending;
        if (map == null) {
            map = new ConcurrentHashMap<>();
            if (!PENDING.compareAndSet(this, null, map)) {
                map = pending;
            }
        }
        return map;
    }

    private Pending takePending(int id) {
        ConcurrentHashMap<Integer, Pending> map = pending;
        return map == null ? null : map.remove(id);
    }

    private int newCorrelationId() {
        int id;
        do {
            id = (int) NEXT_ID.getAndAdd(this, 1) + 1;
        } while (id == 0); // 0 means "not about a request" in ERROR frames
        return id;
    }

    private Throwable lostOr(Throwable cause) {
        ConnectionLostException lost = closedBy;
        return lost != null ? lost : new ConnectionLostException(null, "write failed: " + cause);
    }

    private static final class Pending {
        final CompletableFuture<byte[]> answer;
        volatile ScheduledFuture<?> timer;

        Pending(CompletableFuture<byte[]> answer) {
            this.answer = answer;
        }

        void cancelTimer() {
            ScheduledFuture<?> t = timer;
            if (t != null) {
                t.cancel(false);
            }
        }
    }
}
