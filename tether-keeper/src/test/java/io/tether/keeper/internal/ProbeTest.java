package io.tether.keeper.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tether.keeper.ProbeFailureKind;
import io.tether.keeper.ProbeKind;
import io.tether.keeper.ProbeSpec;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each probe against a peer on 127.0.0.1 that the test scripts byte by byte: which failure, of which kind. */
class ProbeTest {
    private static final Duration TIMEOUT = Duration.ofMillis(150);
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ProbeSpec EXCHANGE = ProbeSpec.exchange("PING\r\n".getBytes(StandardCharsets.US_ASCII),
            "+PONG".getBytes(StandardCharsets.US_ASCII));
    private static final ProbeSpec TETHER = ProbeSpec.of(ProbeKind.TETHER);

    private ServerSocket server;
    private PooledConnection connection;
    private Socket peer;

    @BeforeEach
    void connect() throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        connection = new PooledConnection(SocketChannel.open(new InetSocketAddress(server.getInetAddress(),
                server.getLocalPort())), 0);
        peer = server.accept();
        peer.setSoTimeout((int) WAIT.toMillis());
    }

    @AfterEach
    void close() throws IOException {
        connection.close();
        peer.close();
        server.close();
    }

    @Test
    void peekPassesAQuietConnection() {
        assertThat(Connections.probe(connection, ProbeSpec.PEEK, TIMEOUT)).isNull();
    }

    @Test
    void peekSeesAPeerThatClosed() throws IOException {
        peer.close();
        ProbeFailure failure = awaitFailure(ProbeSpec.PEEK);
        assertThat(failure.kind()).isEqualTo(ProbeFailureKind.CLOSED);
        assertThat(failure.serviceDown()).isFalse();
        assertThat(failure.reason()).isEqualTo("the peer closed the connection");
    }

    @Test
    void peekSeesAResetAsAnIoError() throws IOException {
        peer.setSoLinger(true, 0);
        peer.close();
        ProbeFailure failure = awaitFailure(ProbeSpec.PEEK);
        assertThat(failure.kind()).isEqualTo(ProbeFailureKind.IO_ERROR);
        assertThat(failure.serviceDown()).isFalse();
        assertThat(failure.reason()).startsWith("peek probe failed: ");
    }

    @Test
    void peekSeesStrayBytes() throws IOException {
        peer.getOutputStream().write('x');
        ProbeFailure failure = awaitFailure(ProbeSpec.PEEK);
        assertThat(failure.kind()).isEqualTo(ProbeFailureKind.UNEXPECTED_BYTES);
        assertThat(failure.serviceDown()).isTrue();
    }

    @Test
    void exchangePassesTheExpectedReply() throws Exception {
        AtomicReference<String> asked = answer("+PONG\r\n");
        assertThat(Connections.probe(connection, EXCHANGE, TIMEOUT)).isNull();
        assertThat(asked).hasValue("PING\r\n");
    }

    @Test
    void exchangeRefusesAnotherReply() throws Exception {
        answer("-ERR unknown\r\n");
        ProbeFailure failure = Connections.probe(connection, EXCHANGE, TIMEOUT);
        assertThat(failure.kind()).isEqualTo(ProbeFailureKind.BAD_REPLY);
        assertThat(failure.serviceDown()).isTrue();
        assertThat(failure.reason()).isEqualTo("exchange probe expected a reply starting with '+PONG' but got '-ERR unknown\\r\\n'");
    }

    @Test
    void exchangeRefusesAReplyShorterThanThePrefix() throws Exception {
        answer("+P\n");
        assertThat(Connections.probe(connection, EXCHANGE, TIMEOUT).kind()).isEqualTo(ProbeFailureKind.BAD_REPLY);
    }

    @Test
    void exchangeWithNoAnswerTimesOut() {
        ProbeFailure failure = Connections.probe(connection, EXCHANGE, TIMEOUT);
        assertThat(failure.kind()).isEqualTo(ProbeFailureKind.TIMEOUT);
        assertThat(failure.serviceDown()).isTrue();
        assertThat(failure.reason()).isEqualTo("exchange probe got no answer within 150 ms");
    }

    @Test
    void exchangeSeesAPeerThatClosesInsteadOfAnswering() throws IOException {
        peer.shutdownOutput();
        ProbeFailure failure = Connections.probe(connection, EXCHANGE, TIMEOUT);
        assertThat(failure.kind()).isEqualTo(ProbeFailureKind.CLOSED);
        assertThat(failure.reason()).isEqualTo("the peer closed the connection instead of answering the exchange probe");
    }

    @Test
    void tetherPassesAPong() throws Exception {
        AtomicReference<byte[]> ping = new AtomicReference<>();
        Thread server = replyToFrame(ping, frame -> {
            ByteBuf pong = UnpooledByteBufAllocator.DEFAULT.buffer().writeBytes(frame);
            Frames.turnPingIntoPong(pong);
            return bytes(pong);
        });
        assertThat(Connections.probe(connection, TETHER, TIMEOUT)).isNull();
        server.join(WAIT.toMillis());
        assertThat(ping.get()[Frames.TYPE_OFFSET]).isEqualTo((byte) FrameType.PING.code());
    }

    @Test
    void tetherNamesTheFrameThatCameInsteadOfAPong() throws Exception {
        replyToFrame(new AtomicReference<>(), ping -> bytes(Frames.data(UnpooledByteBufAllocator.DEFAULT, new byte[3])));
        ProbeFailure failure = Connections.probe(connection, TETHER, TIMEOUT);
        assertThat(failure.kind()).isEqualTo(ProbeFailureKind.BAD_REPLY);
        assertThat(failure.reason()).isEqualTo("Tether server answered PING with DATA instead of PONG");
    }

    @Test
    void tetherRefusesAnAnswerLargerThanAnyFrame() throws Exception {
        replyToFrame(new AtomicReference<>(), ping -> {
            ByteBuf header = UnpooledByteBufAllocator.DEFAULT.buffer();
            Frames.writeHeader(header, FrameType.PONG, Frames.DEFAULT_MAX_PAYLOAD + 1);
            return bytes(header);
        });
        ProbeFailure failure = Connections.probe(connection, TETHER, TIMEOUT);
        assertThat(failure.kind()).isEqualTo(ProbeFailureKind.BAD_REPLY);
        assertThat(failure.reason()).isEqualTo("tether probe: PONG frame of " + (Frames.DEFAULT_MAX_PAYLOAD + 1)
                + " bytes is larger than any answer to expect");
    }

    @Test
    void tetherSeesAPeerThatClosesMidHeader() throws Exception {
        replyToFrame(new AtomicReference<>(), ping -> new byte[] {(byte) FrameType.PONG.code(), 0}, true);
        ProbeFailure failure = Connections.probe(connection, TETHER, TIMEOUT);
        assertThat(failure.kind()).isEqualTo(ProbeFailureKind.CLOSED);
        assertThat(failure.reason()).isEqualTo(
                "the peer closed the connection during the tether probe (after 2 of the 6 bytes of a frame header)");
    }

    private ProbeFailure awaitFailure(ProbeSpec probe) {
        AtomicReference<ProbeFailure> failure = new AtomicReference<>();
        await().atMost(WAIT).until(() -> {
            failure.set(Connections.probe(connection, probe, TIMEOUT));
            return failure.get() != null;
        });
        return failure.get();
    }

    /** Reads one line from the probe and writes the answer; returns what was asked once it has been read. */
    private AtomicReference<String> answer(String reply) throws IOException {
        AtomicReference<String> asked = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                StringBuilder line = new StringBuilder();
                InputStream in = peer.getInputStream();
                for (int b = in.read(); b >= 0; b = in.read()) {
                    line.append((char) b);
                    if (b == '\n') {
                        break;
                    }
                }
                asked.set(line.toString());
                peer.getOutputStream().write(reply.getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                asked.set("failed: " + e);
            }
        }, "probe-peer");
        thread.setDaemon(true);
        thread.start();
        return asked;
    }

    /** Reads one whole Tether frame from the probe and writes what {@code reply} makes of it. */
    private Thread replyToFrame(AtomicReference<byte[]> received, Function<byte[], byte[]> reply) {
        return replyToFrame(received, reply, false);
    }

    /** As above, then closes the peer's sending side if told to. */
    private Thread replyToFrame(AtomicReference<byte[]> received, Function<byte[], byte[]> reply, boolean thenClose) {
        Thread thread = new Thread(() -> {
            try {
                InputStream in = peer.getInputStream();
                byte[] header = in.readNBytes(Frames.HEADER_LENGTH);
                int length = UnpooledByteBufAllocator.DEFAULT.buffer().writeBytes(header).getInt(Frames.LENGTH_OFFSET);
                byte[] frame = new byte[Frames.HEADER_LENGTH + length];
                System.arraycopy(header, 0, frame, 0, header.length);
                in.readNBytes(frame, Frames.HEADER_LENGTH, length);
                received.set(frame);
                peer.getOutputStream().write(reply.apply(frame));
                if (thenClose) {
                    peer.shutdownOutput();
                }
            } catch (IOException e) {
                received.set(null);
            }
        }, "probe-peer");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static byte[] bytes(ByteBuf buf) {
        byte[] bytes = ByteBufUtil.getBytes(buf);
        buf.release();
        return bytes;
    }
}
