package io.tether.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.tether.protocol.CloseReason;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import io.tether.protocol.ProtocolException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles the frames of an established connection, the same on both sides: answers PING in place, routes
 * DATA and REQUEST to the application, and RESPONSE and ERROR to the {@link Exchange}. Side-specific
 * reactions are the abstract hooks.
 *
 * <p>PONGs are written without a flush and flushed once per read batch, so a burst of pings costs one
 * syscall.
 */
public abstract class FrameDispatcher extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(FrameDispatcher.class);

    protected final Exchange exchange;
    private boolean flushNeeded;

    protected FrameDispatcher(Exchange exchange) {
        this.exchange = exchange;
    }

    /** A PING arrived; its 8-byte payload (if any) is still readable. Returns whether to answer it. */
    protected boolean onPing(ChannelHandlerContext ctx, ByteBuf ping) {
        return true;
    }

    protected abstract void onPong(ByteBuf pong);

    protected abstract void onData(byte[] payload);

    /** Returns the answer, or {@code null} when this side takes no requests. */
    protected abstract CompletionStage<byte[]> onRequest(byte[] payload);

    protected abstract void onGoAway(ChannelHandlerContext ctx, CloseReason reason, String message);

    protected abstract String describe();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        FrameType type = Frames.type(frame);
        if (type == FrameType.PING) {
            if (Frames.payloadLength(frame) > Frames.PING_PAYLOAD_LENGTH) {
                frame.release();
                throw new ProtocolException("PING payload of " + Frames.payloadLength(frame) + " bytes exceeds "
                        + Frames.PING_PAYLOAD_LENGTH);
            }
            if (!onPing(ctx, frame)) {
                frame.release();
                return;
            }
            Frames.turnPingIntoPong(frame);
            ctx.write(frame, ctx.voidPromise());
            flushNeeded = true;
            return;
        }
        try {
            switch (type) {
                case PONG -> onPong(frame);
                case DATA -> deliver(Frames.payloadBytes(frame, 0));
                case REQUEST -> serve(requestId(frame), Frames.payloadBytes(frame, Frames.CORRELATION_ID_LENGTH));
                case RESPONSE -> exchange.onResponse(frame);
                case ERROR -> {
                    if (!exchange.onError(frame)) {
                        log.warn("{}: peer reported {}: {}", describe(), Frames.errorCode(frame), Frames.errorMessage(frame));
                    }
                }
                case GOAWAY -> onGoAway(ctx, Frames.goAwayReason(frame), Frames.goAwayMessage(frame));
                default -> throw new ProtocolException(type + " is only allowed during the handshake");
            }
        } finally {
            frame.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (flushNeeded) {
            flushNeeded = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    private static int requestId(ByteBuf frame) {
        int id = Frames.correlationId(frame);
        if (id == 0) {
            throw new ProtocolException("REQUEST with correlation id 0, which is reserved for errors about no request");
        }
        return id;
    }

    private void deliver(byte[] payload) {
        try {
            onData(payload);
        } catch (RuntimeException e) {
            log.error("{}: message handler failed; the connection stays open", describe(), e);
        }
    }

    private void serve(int correlationId, byte[] payload) {
        CompletionStage<byte[]> answer;
        try {
            answer = onRequest(payload);
        } catch (RuntimeException e) {
            log.error("{}: request handler failed", describe(), e);
            exchange.answer(correlationId, null, e);
            return;
        }
        if (answer == null) {
            exchange.answer(correlationId, null, new UnsupportedOperationException("no request handler"));
            return;
        }
        answer.whenComplete((result, failure) -> exchange.answer(correlationId, result, failure));
    }
}
