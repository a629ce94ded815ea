package io.tether.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import io.tether.internal.Failures;
import io.tether.internal.FrameDecoder;
import io.tether.internal.FrameRouter;
import io.tether.internal.GracefulClose;
import io.tether.internal.Liveness;
import io.tether.internal.SilenceRule;
import io.tether.internal.Traffic;
import io.tether.internal.WheelTicker;
import io.tether.protocol.CloseReason;
import io.tether.protocol.Frames;
import io.tether.protocol.Hello;
import io.tether.protocol.ProtocolException;
import io.tether.util.LogSafe;
import java.nio.channels.ClosedChannelException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection on the Tether port, whatever carries its bytes: the single place that decides what
 * happens to them. A {@link Transport} (the compact epoll socket, or a Netty channel) only moves bytes in and
 * out and reports failures; this state machine does the rest.
 *
 * <pre>
 *   HANDSHAKE --HELLO admitted--> ONLINE --session ends / bad input--> DRAINING --peer FIN / linger--> CLOSED
 *       \_________bad HELLO, no HELLO in time, shutdown: GOAWAY_______/        (any state --reset--> CLOSED)
 *   HANDSHAKE --HELLO, where clients authenticate--> AUTHENTICATING --identity known--> ONLINE
 *                                                        \__refused, no answer in time, more input: GOAWAY__/
 * </pre>
 *
 * <ul>
 *   <li>HANDSHAKE: the first frame must be a whole, valid HELLO before a deadline counted from accept;
 *       {@link Admission} ends it.
 *   <li>AUTHENTICATING: the HELLO was valid and the server's authenticator is deciding who the client is,
 *       under the same handshake deadline. The client sends nothing more until WELCOME; a byte that arrives
 *       meanwhile refuses it (so nothing is buffered for a client nobody has vouched for).
 *   <li>ONLINE: frames are cut from the input in place and handed to the {@link FrameRouter}; a read's PONGs
 *       are batched and leave together, ahead of anything written after them. Silence is judged by the
 *       session's rule.
 *   <li>DRAINING: on its way out. Input is discarded (what follows bad input cannot be trusted to line up
 *       with frame boundaries); the last frame (a GOAWAY) is sent, output is shut after it for a peer presumed
 *       dead, and the connection closes when the peer closes or the linger ends.
 *   <li>CLOSED: the socket is closed, buffers released, the session told once.
 * </ul>
 *
 * <p>Its deadlines (the handshake's, the silence's, the linger's) are one {@link Liveness} record in the
 * loop's timing wheel. Time comes from the loop's {@link WheelTicker}, never from a clock read here. Every
 * method but {@link #write} and {@link #close} runs on the connection's event loop.
 */
final class ServerConnection implements SessionLink, Liveness.Expiry {
    private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);
    /**
     * Frames other than PONG are rare and short-lived, and so are partial frames: plain heap buffers. (A JDK
     * direct buffer would cost a Cleaner and a zeroed allocation each; a pool, several MiB per thread.)
     */
    static final ByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false);
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(GracefulClose.DEFAULT_LINGER_MILLIS);

    private static final byte HANDSHAKE = 0;
    private static final byte ONLINE = 1;
    private static final byte DRAINING = 2;
    private static final byte CLOSED = 3;
    private static final byte AUTHENTICATING = 4;

    private final Transport transport;
    private final Admission admission;
    private final WheelTicker timer;
    private final Liveness liveness;
    private byte state = HANDSHAKE;
    private ServerSession session;
    private ServerRoutes routes;
    /** The start of a frame that has not arrived whole; null between frames, which is almost always. */
    private PartialFrame partial;

    ServerConnection(Transport transport, Admission admission, WheelTicker timer) {
        this.transport = transport;
        this.admission = admission;
        this.timer = timer;
        this.liveness = new Liveness(this, timer.now());
    }

    // ---- What the transport reports, on the loop.

    /** The connection can be read: its handshake clock starts, counted from now. */
    void opened() {
        long timeout = admission.config().handshakeTimeout().toNanos();
        long accepted = liveness.lastReadNanos(); // the record was made at accept
        arm(SilenceRule.until(accepted + timeout, accepted));
        if (admission.isClosing()) {
            refuse(CloseReason.SERVER_SHUTDOWN, "server is shutting down");
        }
    }

    /** Bytes arrived. {@code in} (readable from its reader index) stays the caller's; what is kept is copied. */
    void received(ByteBuf in) {
        if (state == CLOSED) {
            return;
        }
        long now = timer.now();
        liveness.stampRead(now);
        timer.traffic().read(in.readableBytes());
        if (state == DRAINING) {
            return;
        }
        if (state == AUTHENTICATING) {
            refuseEarlyInput(in.readableBytes());
            transport.flush();
            return;
        }
        ByteBuf frames = partial == null ? in : partial.append(in);
        try {
            handleFrames(frames, now);
        } catch (RuntimeException e) {
            refuseInput(e);
        } finally {
            transport.flush();
        }
        keepRest(frames);
    }

    /** The peer closed, or the transport closed under us: the connection is over. */
    void ended() {
        closeNow();
    }

    /** The transport failed: a reset, a refused write, or a buffer over budget. */
    void failed(Throwable cause) {
        if (state == CLOSED) {
            return;
        }
        CloseReason reason = CloseReason.of(cause);
        if (session != null) {
            session.failed(cause);
        } else if (Failures.tls(cause)) { // nothing can be said over a TLS session that never was
            if (beforeWelcome(state)) { // else it was refused already, and counted then
                admission.rejected(remote(), CloseReason.PROTOCOL_ERROR, LogSafe.text(Failures.detail(cause)), timer.now());
            }
            closeNow();
            return;
        } else if (reason != CloseReason.CONNECTION_RESET) {
            refuse(reason, LogSafe.text(Failures.detail(cause)));
        } else {
            log.debug("connection from {} failed before its handshake: {}", remote(), Failures.detail(cause));
        }
        if (reason == CloseReason.CONNECTION_RESET) {
            closeNow(); // nothing more can be said to a peer whose connection broke
        }
    }

    /** More than the outbound limit is waiting to be sent. */
    void unwritable() {
        if (session != null) {
            session.becameUnwritable();
        }
    }

    /** The server is stopping: a connection that has not said HELLO yet is refused (one that has is ended by its session). */
    void serverStopping() {
        if (beforeWelcome(state)) {
            refuse(CloseReason.SERVER_SHUTDOWN, "server is shutting down");
        }
    }

    // ---- Frames.

    private void handleFrames(ByteBuf frames, long now) {
        int maxPayload = admission.maxPayload();
        while (state == ONLINE || state == HANDSHAKE) {
            int length = state == HANDSHAKE ? FrameDecoder.wholeHelloLength(frames)
                    : FrameDecoder.wholeFrameLength(frames, maxPayload);
            if (length == 0) {
                return;
            }
            int start = frames.readerIndex();
            int end = frames.writerIndex();
            // The frame is handled in place: the buffer's indexes frame it, then move past it.
            frames.writerIndex(start + length);
            timer.traffic().frameIn();
            try {
                if (state == HANDSHAKE) {
                    admission.admit(this, Hello.decode(frames));
                } else if (FrameRouter.route(routes, frames, now)) {
                    timer.traffic().frameOut(length);
                    transport.pong(frames);
                }
            } finally {
                frames.setIndex(start + length, end);
            }
        }
    }

    /** Whether {@code state} is one of the handshake's: waiting for HELLO, or for the authenticator's answer. */
    private static boolean beforeWelcome(byte state) {
        return state == HANDSHAKE || state == AUTHENTICATING;
    }

    /** The HELLO was valid; the client waits for the authenticator's answer (see {@link Authentication}). */
    void authenticating() {
        leave(AUTHENTICATING);
    }

    /** Whether the connection still waits for its authenticator's answer (else the answer is moot). */
    boolean authenticatingNow() {
        return state == AUTHENTICATING;
    }

    /** The client's TLS certificate, when the server asked for one. */
    Optional<X509Certificate> peerCertificate() {
        return transport.peerCertificate();
    }

    private void refuseEarlyInput(int bytes) {
        refuse(CloseReason.PROTOCOL_ERROR, "sent " + bytes + " bytes after its HELLO while it was being"
                + " authenticated; a client waits for WELCOME");
    }

    /** Called by {@link Admission} before the session is announced, so frames right behind the HELLO reach it. */
    void install(ServerSession admitted, ServerRoutes sessionRoutes) {
        session = admitted;
        routes = sessionRoutes;
        leave(ONLINE);
    }

    /** Bad input: a connection in its handshake is refused, an online one's session ends with the reason. */
    private void refuseInput(RuntimeException e) {
        byte was = state;
        if (beforeWelcome(was)) {
            if (Failures.unexpected(e)) {
                log.error("unexpected failure during handshake with {}", remote(), e);
                refuse(CloseReason.PROTOCOL_ERROR, "internal error");
            } else {
                refuse(CloseReason.of(e), LogSafe.text(Failures.detail(e)));
            }
        } else if (was == ONLINE) {
            drain();
            session.failed(e);
        }
    }

    /**
     * Refuses a connection that is not online: counted and logged once, told GOAWAY with the reason, then
     * closed. It was never online, so no presence event comes of it. {@code message} must be log-safe. While
     * TLS is still being negotiated no frame can reach the peer: it is closed at once, without one.
     */
    void refuse(CloseReason reason, String message) {
        if (state == CLOSED || sayingGoodbye()) {
            return; // already refused, or already on its way out
        }
        admission.rejected(remote(), reason, message, timer.now());
        if (transport.negotiatingTls()) {
            closeNow();
            return;
        }
        close(Frames.goAway(alloc(), reason, message), Goodbye.HALF_CLOSE);
    }

    /** Stops reading frames and judging silence; whatever arrives from now on is dropped. */
    private void drain() {
        leave(DRAINING);
        disarm();
        releasePartial();
    }

    /** Every change of state: a handshake that ends, however it ends, is uncounted here, once. */
    private void leave(byte next) {
        if (beforeWelcome(state) && next != AUTHENTICATING) {
            admission.counts().handshakeEnded();
        }
        state = next;
    }

    private void keepRest(ByteBuf frames) {
        if (state == AUTHENTICATING && frames.isReadable()) {
            refuseEarlyInput(frames.readableBytes());
        }
        if (state == DRAINING || state == CLOSED || !frames.isReadable()) {
            releasePartial();
            return;
        }
        try {
            partial = PartialFrame.keep(partial, frames, admission.buffers());
        } catch (ProtocolException e) {
            releasePartial();
            refuseInput(e);
        }
    }

    private void releasePartial() {
        if (partial != null) {
            partial.release(admission.buffers());
            partial = null;
        }
    }

    // ---- Deadlines.

    private void arm(SilenceRule rule) {
        timer.arm(liveness, rule);
    }

    private void disarm() {
        timer.disarm(liveness);
    }

    /** A deadline passed: the handshake's, the session's silence, or the linger. */
    @Override
    public void expired(long silentNanos, long nowNanos) {
        switch (state) {
            case HANDSHAKE -> {
                String stall = transport.negotiatingTls() ? "the TLS handshake did not complete" : partialFrame();
                refuse(CloseReason.PROTOCOL_ERROR, "no HELLO within " + admission.config().handshakeTimeout().toMillis()
                        + " ms" + (stall != null ? "; " + stall : ""));
            }
            case AUTHENTICATING -> refuse(CloseReason.UNAUTHENTICATED, "authentication did not finish within "
                    + admission.config().handshakeTimeout().toMillis() + " ms");
            case ONLINE -> session.timedOut(silentNanos);
            case DRAINING -> closeNow(); // the peer did not close within the linger
            default -> { }
        }
    }

    // ---- SessionLink: what the session asks of its connection.

    @Override
    public void watch(SilenceRule rule) {
        if (state == ONLINE) {
            arm(rule);
        }
    }

    @Override
    public long lastReadNanos() {
        return liveness.lastReadNanos();
    }

    @Override
    public String silenceRule() {
        return liveness.rule().explain();
    }

    @Override
    public void write(ByteBuf frame, Consumer<Throwable> done) {
        EventExecutor loop = transport.executor();
        if (loop.inEventLoop()) {
            writeNow(frame, done);
        } else {
            loop.execute(() -> writeNow(frame, done));
        }
    }

    private void writeNow(ByteBuf frame, Consumer<Throwable> done) {
        if (state == CLOSED) {
            frame.release();
            if (done != null) {
                done.accept(new ClosedChannelException());
            }
            return;
        }
        transport.flush(); // PONGs already answered leave first
        timer.traffic().frameOut(frame.readableBytes());
        transport.write(frame, done);
    }

    /**
     * Ends the connection: at once without a {@code lastFrame}; with one, input is discarded from now on, the
     * frame is sent, and the connection ends as {@code goodbye} says, within the linger at the latest.
     */
    @Override
    public void close(ByteBuf lastFrame, Goodbye goodbye) {
        EventExecutor loop = transport.executor();
        if (!loop.inEventLoop()) {
            loop.execute(() -> close(lastFrame, goodbye));
            return;
        }
        if (lastFrame == null) {
            closeNow();
            return;
        }
        if (state == CLOSED || sayingGoodbye()) {
            lastFrame.release();
            return;
        }
        drain();
        writeNow(lastFrame, failure -> {
            if (failure != null || goodbye == Goodbye.CLOSE) {
                closeNow();
            } else if (goodbye == Goodbye.HALF_CLOSE && state != CLOSED) {
                transport.shutdownOutput();
            }
        });
        if (state != CLOSED) { // the frame is still waiting to be sent, or the peer is to close first
            // The linger counts from the GOAWAY, however long the peer had been silent before it.
            arm(SilenceRule.until(timer.now() + LINGER_NANOS, liveness.lastReadNanos()));
        }
    }

    /** Whether the last frame has been sent and the linger runs: draining is armed only for that. */
    private boolean sayingGoodbye() {
        return state == DRAINING && liveness.armed();
    }

    /** Closes the transport at once and tells the session, if there is one, that its connection ended. */
    void closeNow() {
        if (state == CLOSED) {
            return;
        }
        leave(CLOSED);
        disarm();
        releasePartial();
        transport.close();
        admission.counts().closed(ConnectionCounts.hostOf(remote()));
        if (session != null) {
            session.connectionClosed();
        }
    }

    @Override
    public boolean isOpen() {
        return state != CLOSED;
    }

    @Override
    public EventExecutor executor() {
        return transport.executor();
    }

    @Override
    public ByteBufAllocator alloc() {
        return ALLOC;
    }

    @Override
    public String remote() {
        return transport.remote();
    }

    @Override
    public Traffic traffic() {
        return timer.traffic();
    }

    @Override
    public String partialFrame() {
        return partial == null ? null : partial.describe();
    }

    @Override
    public int outboundLimit() {
        return admission.config().maxOutboundBytes();
    }

    @Override
    public void boundDeadPeer(Duration timeout) {
        transport.boundDeadPeer(timeout);
    }

    @Override
    public String toString() {
        return "connection from " + remote();
    }
}
