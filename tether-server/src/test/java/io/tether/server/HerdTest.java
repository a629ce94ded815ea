package io.tether.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.protocol.FrameType;
import io.tether.protocol.Hello;
import java.io.DataInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A herd of new connections arrives at a server that already serves a session: the herd is taken off the
 * listening socket at the server's handshake rate, waiting meanwhile in the kernel's accept queue, and the
 * session from before it is answered all along and never declared dead. Asserted on events, not on times:
 * the rate is an upper bound that a slow machine can only undershoot.
 */
class HerdTest extends ServerHarness {
    private static final int RATE = 100;
    private static final int HERD = 500;

    @Test
    void aSessionEstablishedBeforeAHerdIsServedThroughItAndTheHerdWaitsInTheAcceptQueue() throws Exception {
        TetherServer server = start(fastServer().maxHandshakeRate(RATE)
                .heartbeat(HeartbeatPolicy.of(Duration.ofMillis(100), Duration.ofSeconds(3)))
                .handshakeTimeout(Duration.ofSeconds(10)));
        ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
        List<Socket> herd = new ArrayList<>();
        try (RawPeer veteran = new RawPeer(server.address())) {
            veteran.hello("veteran", 100);
            AtomicInteger pongs = new AtomicInteger();
            pacer.scheduleAtFixedRate(() -> { // a heartbeat, paced as a client's is; not a wait for anything
                try {
                    veteran.ping(1, 0);
                    while (veteran.hasFrameWaiting()) {
                        if (veteran.read().type() == FrameType.PONG) {
                            pongs.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, 0, 100, TimeUnit.MILLISECONDS);

            long herdStart = System.nanoTime();
            for (int i = 0; i < HERD; i++) { // connected by the kernel at once, HELLO sent, then waiting
                Socket socket = new Socket();
                herd.add(socket);
                socket.connect(new InetSocketAddress("127.0.0.1", server.address().getPort()), 5000);
                socket.setSoTimeout(15_000);
                socket.getOutputStream().write(helloBytes("herd-" + i));
            }

            // The veteran is answered while most of the herd still waits to be accepted.
            int before = pongs.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> pongs.get() >= before + 5);
            assertThat(server.stats().accepted()).as("accepted while the veteran had 5 pongs").isLessThan(HERD + 1);

            for (Socket socket : herd) { // every one of the herd is admitted in the end
                DataInputStream in = new DataInputStream(socket.getInputStream());
                assertThat(in.readUnsignedByte()).isEqualTo(FrameType.WELCOME.code());
            }
            double seconds = (System.nanoTime() - herdStart) / 1e9;
            // Never faster than the rate (a full bucket of one second's worth, then RATE a second).
            assertThat(HERD + 1.0).isLessThanOrEqualTo(RATE + RATE * seconds + 1);
            assertThat(presence.of("veteran")).hasSize(1); // ONLINE, and no OFFLINE
            int afterHerd = pongs.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> pongs.get() >= afterHerd + 3);
            assertThat(server.isOnline("veteran")).isTrue();
        } finally {
            pacer.shutdownNow();
            for (Socket socket : herd) {
                socket.close();
            }
        }
    }

    private static byte[] helloBytes(String clientId) {
        ByteBuf frame = new Hello(Hello.PROTOCOL_VERSION, 1000, clientId).encode(UnpooledByteBufAllocator.DEFAULT);
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes);
        frame.release();
        return bytes;
    }
}
