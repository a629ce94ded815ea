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
 * bytes: PING is checked and answered by the caller, DATA and REQUEST go to the application, RESPONSE and
 * ERROR to the {@link Exchange}. Side-specific reactions are the hooks.
 */
public interface FrameRoutes {
    Exchange exchange();

    /** A PING arrived; its 8-byte payload (if any) is still readable. Returns whether to answer it. */
    default boolean onPing(ByteBuf ping) {
        return true;
    }

    /**
     * Whether to process a frame other than PING of {@code length} bytes (header included), or drop it: a
     * side that limits its peer's rate says no to the excess. Yes by default.
     */
    default boolean admit(int length) {
        return true;
    }

    /**
     * Whether this connection may write one more line to the log now: -1 for no, otherwise how many lines
     * were left out before this one (see {@link LogLimit}). Always yes by default.
     */
    default long takeLogLine() {
        return 0;
    }

    void onPong(ByteBuf pong);

    void onData(byte[] payload);

    /** Returns the answer, or {@code null} when this side takes no requests. */
    CompletionStage<byte[]> onRequest(byte[] payload);

    void onGoAway(CloseReason reason, String message);

    /** Names the connection in log lines. */
    String describe();

    /** Checks a PING frame and returns whether to answer it with a PONG. */
    static boolean acceptPing(FrameRoutes routes, ByteBuf ping) {
        int length = Frames.payloadLength(ping);
        if (length != 0 && length != Frames.PING_PAYLOAD_LENGTH) {
            throw new ProtocolException("PING payload of " + length + " bytes; a PING carries 0 or "
                    + Frames.PING_PAYLOAD_LENGTH);
        }
        return routes.onPing(ping);
    }

    /** Routes any frame but PING. Does not release {@code frame}. */
    static void route(FrameRoutes routes, FrameType type, ByteBuf frame) {
        if (!routes.admit(frame.readableBytes())) {
            return;
        }
        switch (type) {
            case PONG -> routes.onPong(frame);
            case DATA -> Routing.deliver(routes, Frames.payloadBytes(frame, 0));
            case REQUEST -> Routing.serve(routes, Routing.requestId(frame),
                    Frames.payloadBytes(frame, Frames.CORRELATION_ID_LENGTH));
            case RESPONSE -> routes.exchange().onResponse(frame);
            case ERROR -> {
                long left;
                if (!routes.exchange().onError(frame) && (left = routes.takeLogLine()) >= 0) {
                    Routing.log.warn("{}: peer reported {}: {}{}", routes.describe(), Frames.errorCode(frame),
                            LogSafe.text(Frames.errorMessage(frame)), LogLimit.note(left));
                }
            }
            case GOAWAY -> routes.onGoAway(Frames.goAwayReason(frame), Frames.goAwayMessage(frame));
            default -> throw new ProtocolException(type + " is only allowed during the handshake");
        }
    }

    /** The steps of {@link #route}; a nested class keeps them out of the interface's API. */
    final class Routing {
        private static final Logger log = LoggerFactory.getLogger(FrameRoutes.class);

        private Routing() {
        }

        private static int requestId(ByteBuf frame) {
            int id = Frames.correlationId(frame);
            if (id == 0) {
                throw new ProtocolException("REQUEST with correlation id 0, which is reserved for errors about no request");
            }
            return id;
        }

        private static void deliver(FrameRoutes routes, byte[] payload) {
            try {
                routes.onData(payload);
            } catch (RuntimeException e) {
                long left = routes.takeLogLine();
                if (left >= 0) {
                    log.error("{}: message handler failed; the connection stays open{}", routes.describe(),
                            LogLimit.note(left), e);
                }
            }
        }

        private static void serve(FrameRoutes routes, int correlationId, byte[] payload) {
            Exchange exchange = routes.exchange();
            CompletionStage<byte[]> answer;
            try {
                answer = routes.onRequest(payload);
            } catch (RuntimeException e) {
                long left = routes.takeLogLine();
                if (left >= 0) {
                    log.error("{}: request handler failed{}", routes.describe(), LogLimit.note(left), e);
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
}
