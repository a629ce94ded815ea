package io.tether.bench.lab;

import io.tether.cli.CliTypes;
import io.tether.cli.Logging;
import io.tether.cli.Within;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.protocol.CloseReason;
import io.tether.server.PresenceEvent;
import io.tether.server.TetherServer;
import io.tether.util.Durations;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * How late the server declares silent clients offline. Each client handshakes, sends one PING and then
 * nothing; the lateness of a verdict is the time from that last byte to the OFFLINE event reaching the
 * listener, minus the timeout. Client and server share one process and one clock, so the figure is an
 * upper bound that includes loopback transit and event delivery.
 */
@Command(name = "detection", mixinStandardHelpOptions = true,
        description = "Measure how late silent clients are declared offline (server and clients in this process).")
final class DetectionBench implements Callable<Integer> {
    @Option(names = "--clients", description = "Silent clients, all at once (each uses 2 file descriptors). Default: ${DEFAULT-VALUE}.")
    @Within(min = "1", max = "9000", why = "two file descriptors each, 20,000 per process")
    int clients = 1000;

    @Option(names = "--timeout", converter = CliTypes.DurationConverter.class, description = "Heartbeat timeout. Default: 2s.")
    @Within(min = "3ms", max = "1h")
    Duration timeout = Duration.ofSeconds(2);

    @Option(names = "--threads", description = "Server event loop threads. Default: ${DEFAULT-VALUE}.")
    @Within(min = "1", max = "64")
    int threads = 2;

    @Override
    public Integer call() throws Exception {
        Logging.quietLibrary();
        Map<String, Long> lastByteSent = new ConcurrentHashMap<>();
        long[] lateness = new long[clients];
        long[] serverSide = new long[clients];
        int[] count = new int[1];
        List<String> wrong = new ArrayList<>();
        CountDownLatch allOffline = new CountDownLatch(clients);
        CountDownLatch warmUpExpired = new CountDownLatch(Math.min(clients, 200));
        HeartbeatPolicy policy = HeartbeatPolicy.of(timeout.dividedBy(3).isZero() ? timeout : timeout.dividedBy(3), timeout);
        try (TetherServer server = TetherServer.builder().host("127.0.0.1").port(0).heartbeat(policy)
                .handshakeTimeout(timeout.plusSeconds(30)).eventLoopThreads(threads)
                .listener(event -> {
                    long now = System.nanoTime();
                    if (event.type() == PresenceEvent.Type.OFFLINE && event.clientId().startsWith("warm-up-")) {
                        warmUpExpired.countDown();
                    }
                    if (event.type() != PresenceEvent.Type.OFFLINE || !lastByteSent.containsKey(event.clientId())) {
                        return;
                    }
                    synchronized (lateness) {
                        if (event.reason() != CloseReason.TIMEOUT) {
                            wrong.add(event.clientId() + " " + event.reason());
                        } else {
                            serverSide[count[0]] = event.silentMillis() - timeout.toMillis();
                            lateness[count[0]++] = now - lastByteSent.get(event.clientId()) - timeout.toNanos();
                        }
                    }
                    allOffline.countDown();
                }).build().start()) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.address().getPort());
            warmUp(address, warmUpExpired);
            List<SocketChannel> sockets = new ArrayList<>(clients);
            try {
                long started = System.nanoTime();
                for (int i = 0; i < clients; i++) {
                    sockets.add(RawPeer.handshake(address, "silent-" + i));
                }
                // The clock starts at each client's last byte: one PING after the handshake, then silence.
                ByteBuffer ping = ByteBuffer.wrap(new byte[] {3, 0, 0, 0, 0, 0});
                for (int i = 0; i < clients; i++) {
                    lastByteSent.put("silent-" + i, System.nanoTime()); // before the write: an upper bound
                    RawPeer.writeFully(sockets.get(i), ping.duplicate());
                }
                long connectMillis = (System.nanoTime() - started) / 1_000_000;
                if (!allOffline.await(timeout.toMillis() + connectMillis + 60_000, TimeUnit.MILLISECONDS)) {
                    System.out.println("not every client was declared offline in time: " + allOffline.getCount() + " left");
                    return 1;
                }
                print(policy, connectMillis, Arrays.copyOf(lateness, count[0]), wrong, server.transport());
                System.out.printf(Locale.ROOT, "server's own view (silence at the verdict minus the timeout, ms resolution): max %d ms%n",
                        Arrays.stream(serverSide, 0, count[0]).max().orElse(0));
            } finally {
                for (SocketChannel socket : sockets) {
                    closeQuietly(socket);
                }
            }
        }
        return wrong.isEmpty() ? 0 : 1;
    }

    /**
     * Runs the handshake and the expiry path before the measured run, so it does not pay for class loading
     * and JIT: the warm-up clients go silent and are declared offline like the real ones.
     */
    private void warmUp(InetSocketAddress address, CountDownLatch expired) throws Exception {
        List<SocketChannel> sockets = new ArrayList<>();
        for (int i = 0; i < expired.getCount(); i++) {
            sockets.add(RawPeer.handshake(address, "warm-up-" + i));
        }
        if (!expired.await(timeout.toMillis() + 60_000, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("warm-up clients were not declared offline");
        }
        for (SocketChannel socket : sockets) {
            closeQuietly(socket);
        }
    }



    private void print(HeartbeatPolicy policy, long connectMillis, long[] lateNanos, List<String> wrong, String transport) {
        Arrays.sort(lateNanos);
        long within20 = Arrays.stream(lateNanos).filter(n -> n <= 20_000_000L).count();
        System.out.printf(Locale.ROOT, "silent clients: %d (connected in %d ms), timeout %s, %d server threads, %s, %d cores%n",
                clients, connectMillis, Durations.format(policy.timeout()), threads, transport,
                Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "declared offline after the timeout by: min %.2f ms, p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                ms(lateNanos[0]), ms(percentile(lateNanos, 50)), ms(percentile(lateNanos, 99)), ms(lateNanos[lateNanos.length - 1]));
        System.out.printf(Locale.ROOT, "within timeout + 20 ms: %d of %d; declared early: %d; wrong reason: %d%n",
                within20, lateNanos.length, Arrays.stream(lateNanos).filter(n -> n < 0).count(), wrong.size());
        wrong.stream().limit(10).forEach(w -> System.out.println("  wrong: " + w));
    }

    private static long percentile(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static void closeQuietly(SocketChannel socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // measurement is over
        }
    }
}
