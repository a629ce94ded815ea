package io.tether.internal;

import io.netty.buffer.ByteBuf;
import io.tether.protocol.CloseReason;
import io.tether.protocol.ErrorCode;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import io.tether.protocol.ProtocolException;
import io.tether.util.LogSafe;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an established connection does with each frame, the same on both sides and whatever carries the
 * bytes: PING is checked and, if the side agrees, turned into its PONG in place for the caller to send; DATA
 * and REQUEST go to the application, RESPONSE and ERROR to the {@link Exchange}. What differs between client
 * and server is the {@link Side}.
 */
public final class FrameRouter {
    private static final Logger log = LoggerFactory.getLogger(FrameRouter.class);

    private FrameRouter() {
    }

    /** One side's reactions to an established connection's frames. */
    public interface Side {
        Exchange exchange();

        /**
         * A PING arrived at {@code nowNanos} (the time of the read that brought it), carrying the round trip
         * its sender last measured ({@code reportedRttMicros}; 0 when it carries none). Returns whether to
         * answer it.
         */
        default boolean onPing(int reportedRttMicros, long nowNanos) {
            return true;
        }

        /**
         * Whether to process a frame other than PING of {@code length} bytes (header included), or drop it: a
         * side that limits its peer's rate says no to the excess. Yes by default.
         */
        default boolean admit(int length, long nowNanos) {
            return true;
        }

        /**
         * Whether this connection may write one more line to the log now: -1 for no, otherwise how many lines
         * were left out before this one (see {@link LogLimit}). Always yes by default.
         */
        default long takeLogLine(long nowNanos) {
            return 0;
        }

        void onPong(ByteBuf pong);

        void onData(byte[] payload);

        /** Returns the answer, or {@code null} when this side takes no requests. */
        CompletionStage<byte[]> onRequest(byte[] payload);

        void onGoAway(CloseReason reason, String message);

        /** Names the connection in log lines. */
        String describe();
    }

    /**
     * Handles one whole frame of an established connection, read at {@code nowNanos}. Returns true when it was a PING to answer: the
     * frame has then become its PONG (same bytes, the other type), for the caller to send. Does not release
     * {@code frame}.
     *
     * @throws ProtocolException for a frame the protocol does not allow here
     */
    public static boolean route(Side side, ByteBuf frame, long nowNanos) {
        FrameType type = Frames.type(frame);
        if (type == FrameType.PING) {
            int length = Frames.payloadLength(frame);
            if (length != 0 && length != Frames.PING_PAYLOAD_LENGTH) {
                throw new ProtocolException("PING payload of " + length + " bytes; a PING carries 0 or "
                        + Frames.PING_PAYLOAD_LENGTH);
            }
            int reportedRtt = length == 0 ? 0 : frame.getInt(Frames.payloadOffset(frame) + 4);
            if (!side.onPing(reportedRtt, nowNanos)) {
                return false;
            }
            Frames.turnPingIntoPong(frame);
            return true;
        }
        if (!side.admit(frame.readableBytes(), nowNanos)) {
            return false;
        }
        switch (type) {
            case PONG -> side.onPong(frame);
            case DATA -> deliver(side, Frames.payloadBytes(frame, 0), nowNanos);
            case REQUEST -> serve(side, requestId(frame), Frames.payloadBytes(frame, Frames.CORRELATION_ID_LENGTH), nowNanos);
            case RESPONSE -> side.exchange().onResponse(frame);
            case ERROR -> {
                long left;
                if (!side.exchange().onError(frame) && (left = side.takeLogLine(nowNanos)) >= 0) {
                    log.warn("{}: peer reported {}: {}{}", side.describe(), Frames.errorCode(frame),
                            LogSafe.text(Frames.errorMessage(frame)), LogLimit.note(left));
                }
            }
            case GOAWAY -> side.onGoAway(Frames.goAwayReason(frame), Frames.goAwayMessage(frame));
            default -> throw new ProtocolException(type + " is only allowed during the handshake");
        }
        return false;
    }

    private static int requestId(ByteBuf frame) {
        int id = Frames.correlationId(frame);
        if (id == 0) {
            throw new ProtocolException("REQUEST with correlation id 0, which is reserved for errors about no request");
        }
        return id;
    }

    private static void deliver(Side side, byte[] payload, long nowNanos) {
        try {
            side.onData(payload);
        } catch (RuntimeException e) {
            long left = side.takeLogLine(nowNanos);
            if (left >= 0) {
                log.error("{}: message handler failed; the connection stays open{}", side.describe(),
                        LogLimit.note(left), e);
            }
        }
    }

    private static void serve(Side side, int correlationId, byte[] payload, long nowNanos) {
        Exchange exchange = side.exchange();
        CompletionStage<byte[]> answer;
        try {
            answer = side.onRequest(payload);
        } catch (RuntimeException e) {
            long left = side.takeLogLine(nowNanos);
            if (left >= 0) {
                log.error("{}: request handler failed{}", side.describe(), LogLimit.note(left), e);
            }
            exchange.answer(correlationId, null, e);
            return;
        }
        if (answer == null) {
            exchange.refuse(correlationId, ErrorCode.NO_HANDLER, "no request handler");
            return;
        }
        answer.whenComplete((result, failure) -> exchange.answer(correlationId, result, failure));
    }
}
