package io.tether.bench.lab;

import io.netty.buffer.ByteBuf;
import io.tether.protocol.ErrorCode;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * One online connection that sends REQUESTs as fast as its socket takes them (or at a set rate) and reads
 * every answer, and that reconnects whenever the server ends its session, until stopped: what a client
 * stuck in a retry loop, or a hostile one, does to a server.
 */
final class RequestFlood {
    private static final int PAYLOAD = 16;
    private static final int FRAME = Frames.HEADER_LENGTH + Frames.CORRELATION_ID_LENGTH + PAYLOAD;
    private static final long BACK_OFF = TimeUnit.MILLISECONDS.toNanos(50);
    private final InetSocketAddress target;
    private final String clientId;
    private final int perSecond;
    private final Thread writer;
    private volatile boolean stopping;
    private volatile RawConnection current;
    private int nextCorrelation = 1;

    final LongAdder sessions = new LongAdder();
    final LongAdder requests = new LongAdder();
    final LongAdder responses = new LongAdder();
    final LongAdder rateLimited = new LongAdder();
    /** Every other ERROR and every GOAWAY, named as {@link RawConnection#describe} names them. */
    final Map<String, LongAdder> otherAnswers = new ConcurrentHashMap<>();

    /** {@code perSecond} 0: as fast as the socket takes them. */
    RequestFlood(InetSocketAddress target, String clientId, int perSecond) {
        this.target = target;
        this.clientId = clientId;
        this.perSecond = perSecond;
        this.writer = new Thread(this::loop, "flood-" + clientId);
        writer.setDaemon(true);
    }

    void start() {
        writer.start();
    }

    /** Stops the flood: the current connection is reset, which ends its blocked write and read. */
    void stop() {
        stopping = true;
        RawConnection connection = current;
        if (connection != null) {
            connection.close();
        }
    }

    boolean join(Duration limit) throws InterruptedException {
        writer.join(limit.toMillis());
        return !writer.isAlive();
    }

    private void loop() {
        while (!stopping) {
            try (RawConnection connection = RawConnection.open(target)) {
                current = connection;
                if (stopping) {
                    break; // stop() may have read current before it was set: the flag is seen here instead
                }
                connection.handshake(clientId);
                sessions.increment();
                Thread reader = new Thread(() -> read(connection), "flood-reader-" + clientId);
                reader.setDaemon(true);
                reader.start();
                write(connection);
                connection.close();
                reader.join(TimeUnit.SECONDS.toMillis(10));
            } catch (RawConnection.Refused refused) {
                count("refused." + refused.getMessage());
                LockSupport.parkNanos(BACK_OFF); // a reconnect back-off, not a wait for an event
            } catch (IOException e) {
                count("io." + e.getClass().getSimpleName());
                LockSupport.parkNanos(BACK_OFF);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Writes batches of requests until the connection fails (the server ended the session) or the flood stops. */
    private void write(RawConnection connection) {
        int batch = perSecond == 0 ? 64 : Math.max(1, Math.min(64, perSecond / 100));
        ByteBuffer frames = ByteBuffer.allocate(batch * FRAME);
        long start = System.nanoTime();
        for (long sent = 0; !stopping; sent += batch) {
            if (perSecond > 0) {
                long wait = start + sent * 1_000_000_000L / perSecond - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait); // pacing the requests to the set rate
                }
            }
            frames.clear();
            for (int i = 0; i < batch; i++) {
                frames.put((byte) FrameType.REQUEST.code()).put((byte) 0).putInt(Frames.CORRELATION_ID_LENGTH + PAYLOAD)
                        .putInt(correlation()).put(new byte[PAYLOAD]);
            }
            if (!connection.send(frames.array(), 0, frames.position())) {
                return;
            }
            requests.add(batch);
        }
    }

    /** Correlation ids run 1 … 2^31 - 1 and round again: never 0, never two pending alike in practice. */
    private int correlation() {
        int id = nextCorrelation;
        nextCorrelation = id == Integer.MAX_VALUE ? 1 : id + 1;
        return id;
    }

    private void read(RawConnection connection) {
        try {
            for (ByteBuf frame; (frame = connection.readFrame(0)) != null; ) {
                int type = Frames.typeCode(frame);
                if (type == FrameType.RESPONSE.code()) {
                    responses.increment();
                } else if (type == FrameType.ERROR.code() && Frames.payloadLength(frame) >= 6
                        && Frames.errorCode(frame) == ErrorCode.RATE_LIMITED) {
                    rateLimited.increment();
                } else if (type == FrameType.GOAWAY.code()) {
                    count(RawConnection.describe(frame));
                    connection.close(); // as the protocol asks; it also ends the writer's blocked write
                    return;
                } else {
                    count(RawConnection.describe(frame));
                }
            }
        } catch (IOException ended) {
            // the session ended: reset by the server or by stop()
        }
    }

    private void count(String answer) {
        otherAnswers.computeIfAbsent(answer, a -> new LongAdder()).increment();
    }
}
