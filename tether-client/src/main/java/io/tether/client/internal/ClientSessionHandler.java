package io.tether.client.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import io.tether.internal.Exchange;
import io.tether.internal.FrameDispatcher;
import io.tether.internal.FrameRouter;
import io.tether.internal.LivenessHandler;
import io.tether.internal.Transports;
import io.tether.protocol.CloseReason;
import io.tether.protocol.Frames;
import io.tether.protocol.Welcome;
import io.tether.util.LogSafe;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * An online client connection: sends heartbeats on its own schedule, measures their round trips, declares
 * the server dead after the negotiated timeout of silence, and routes application traffic.
 *
 * <p>Heartbeat rule: ping when nothing has been written for an interval (so the server hears from us), or
 * when nothing has been read for an interval and no ping went out during it (so we hear from the server
 * even while we only stream data to it). The timer is a task on the event loop, independent of the
 * application's threads, so no write the application makes can hold it up.
 *
 * <p>Spread: the first ping goes out at a random point of the first interval, which sets this client's
 * phase, and each later one up to {@value #JITTER_PERCENT} % early, so thousands of clients started
 * together never ping in lock-step. Pings only ever come early, never late: the server's margin holds.
 */
final class ClientSessionHandler extends FrameDispatcher implements FrameRouter.Side {
    static final int JITTER_PERCENT = 10;

    private final ClientConnector connector;
    private final Welcome welcome;
    private final long intervalNanos;
    private ChannelHandlerContext ctx;
    private LivenessHandler liveness;
    private ScheduledFuture<?> heartbeat;
    private long lastPingNanos;
    private long earlyNanos;
    private boolean firstTick = true;

    private final Exchange exchange;

    ClientSessionHandler(ClientConnector connector, Welcome welcome, Exchange exchange) {
        this.exchange = exchange;
        this.connector = connector;
        this.welcome = welcome;
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(welcome.intervalMillis());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.liveness = ctx.pipeline().get(LivenessHandler.class);
        lastPingNanos = System.nanoTime();
        liveness.arm(TimeUnit.MILLISECONDS.toNanos(welcome.timeoutMillis()), (silent, now) -> {
            connector.closing(ctx.channel(), CloseReason.TIMEOUT, "server silent for "
                    + TimeUnit.NANOSECONDS.toMillis(silent) + " ms (timeout " + welcome.timeoutMillis() + " ms)");
            ctx.close();
        });
        Transports.boundDeadPeer(ctx.channel(), java.time.Duration.ofMillis(welcome.timeoutMillis()));
        scheduleHeartbeat(ThreadLocalRandom.current().nextLong(intervalNanos) + 1); // this client's random phase
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (heartbeat != null) {
            heartbeat.cancel(false);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        handlerRemoved(ctx);
        ctx.fireChannelInactive();
    }

    private void scheduleHeartbeat(long delayNanos) {
        heartbeat = ctx.executor().schedule(this::heartbeatDue, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    private void heartbeatDue() {
        if (!ctx.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        long due = intervalNanos - earlyNanos;
        boolean writeIdle = firstTick || now - liveness.lastWriteNanos() >= due;
        boolean readIdle = now - liveness.lastReadNanos() >= due && now - lastPingNanos >= due;
        firstTick = false;
        if (writeIdle || readIdle) {
            lastPingNanos = now;
            ctx.writeAndFlush(Frames.ping(ctx.alloc(), (int) (now / 1000), connector.lastRttMicros()), ctx.voidPromise());
        }
        earlyNanos = ThreadLocalRandom.current().nextLong(intervalNanos * JITTER_PERCENT / 100 + 1);
        long nextWrite = liveness.lastWriteNanos() + intervalNanos;
        long nextRead = Math.max(liveness.lastReadNanos(), lastPingNanos) + intervalNanos;
        scheduleHeartbeat(Math.min(nextWrite, nextRead) - earlyNanos - System.nanoTime());
    }

    @Override
    public Exchange exchange() {
        return exchange;
    }

    @Override
    public void onPong(ByteBuf pong) {
        if (Frames.payloadLength(pong) == Frames.PING_PAYLOAD_LENGTH) {
            int sentMicros = pong.getInt(Frames.payloadOffset(pong));
            int rttMicros = (int) (System.nanoTime() / 1000) - sentMicros; // wraps correctly for RTTs under 35 min
            if (rttMicros >= 0) {
                connector.rtt(Math.max(1, rttMicros));
            }
        }
    }

    @Override
    public void onData(byte[] payload) {
        connector.config().messageHandler().accept(payload);
    }

    @Override
    public CompletionStage<byte[]> onRequest(byte[] payload) {
        var handler = connector.config().requestHandler();
        return handler == null ? null : handler.onRequest(payload);
    }

    @Override
    public void onGoAway(CloseReason reason, String message) {
        connector.closing(ctx.channel(), reason, "server said goodbye: " + reason + " - " + LogSafe.text(message));
        ctx.close();
    }

    @Override
    public String describe() {
        return connector.config().clientId();
    }
}
