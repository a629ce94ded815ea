package io.tether.bench.lab;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.tether.cli.Logging;
import io.tether.client.ClientListener;
import io.tether.client.ClientState;
import io.tether.client.TetherClient;
import io.tether.internal.Transports;
import io.tether.protocol.Frames;
import io.tether.retry.ReconnectBackoff;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Plays many clients in one process for the fault harness: prints {@code ready} once every connection is
 * up, then keeps going until killed. Each process stays under the 20,000 open files a process may have.
 */
@Command(name = "peers", hidden = true, description = "Simulated clients for tether bench faults.")
final class PeersCommand implements Callable<Integer> {
    enum Mode { live, silent, jitter, flood }

    @Mixin
    SimulatedClients peers;

    @Option(names = "--mode", required = true)
    Mode mode;

    @Override
    public Integer call() throws Exception {
        Logging.quietLibrary();
        if (peers.count < 1 || peers.count > 9_500) {
            System.err.println("peers: --count must be within 1..9500 (one process, 20,000 open files)");
            return 2;
        }
        InetSocketAddress target = peers.target();
        switch (mode) {
            case live, flood -> clients(target);
            case silent -> silent(target);
            case jitter -> jitter(target);
        }
        System.out.println("ready " + peers.count);
        System.out.flush();
        new CountDownLatch(1).await(); // until the harness kills this process
        return 0;
    }

    private void clients(InetSocketAddress target) throws InterruptedException {
        EventLoopGroup group = Transports.newGroup(2, "peers", true);
        CountDownLatch online = new CountDownLatch(peers.count);
        List<TetherClient> clients = new ArrayList<>(peers.count);
        for (int i = 0; i < peers.count; i++) {
            TetherClient client = TetherClient.builder().server(target).clientId(peers.prefix + i)
                    .heartbeat(peers.heartbeat()).eventLoopGroup(group)
                    .reconnectBackoff(new ReconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(2), 2))
                    .listener(new ClientListener() {
                        private boolean counted;

                        @Override
                        public void stateChanged(ClientState previous, ClientState current, String reason) {
                            if (current == ClientState.ONLINE && !counted) {
                                counted = true;
                                online.countDown();
                            }
                        }
                    }).build().start();
            clients.add(client);
        }
        online.await(5, TimeUnit.MINUTES);
        if (mode == Mode.flood) {
            byte[] payload = new byte[64 * 1024];
            for (TetherClient client : clients) {
                Thread flooder = new Thread(() -> {
                    while (true) {
                        try {
                            client.send(payload).get();
                        } catch (Exception notOnline) {
                            Thread.onSpinWait();
                        }
                    }
                }, "flood-" + client.clientId());
                flooder.setDaemon(true);
                flooder.start();
            }
        }
    }

    /** Handshakes, then never sends another byte: the HELLO is each peer's last word. */
    private void silent(InetSocketAddress target) throws IOException {
        List<SocketChannel> keep = new ArrayList<>(peers.count);
        for (int i = 0; i < peers.count; i++) {
            keep.add(RawPeer.handshake(target, peers.prefix + i));
        }
    }

    /** Heartbeats whose gaps vary by ±50 % around the interval, never reading beyond what keeps buffers clear. */
    private void jitter(InetSocketAddress target) throws IOException {
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
        long intervalMs = peers.interval.toMillis();
        for (int i = 0; i < peers.count; i++) {
            SocketChannel channel = RawPeer.handshake(target, peers.prefix + i);
            Runnable[] beat = new Runnable[1];
            beat[0] = () -> {
                try {
                    ByteBuf ping = Frames.ping(UnpooledByteBufAllocator.DEFAULT, 0, 0);
                    RawPeer.writeFully(channel, ping.nioBuffer());
                    ping.release();
                    drain(channel);
                    long gap = (long) (intervalMs * (0.5 + ThreadLocalRandom.current().nextDouble()));
                    timer.schedule(beat[0], gap, TimeUnit.MILLISECONDS);
                } catch (IOException closed) {
                    // convicted: the harness counts it from the server's events
                }
            };
            timer.schedule(beat[0], ThreadLocalRandom.current().nextLong(intervalMs), TimeUnit.MILLISECONDS);
        }
    }


    private static void drain(SocketChannel channel) throws IOException {
        ByteBuffer sink = ByteBuffer.allocate(256);
        channel.configureBlocking(false);
        try {
            while (channel.read(sink) > 0) {
                sink.clear();
            }
        } finally {
            channel.configureBlocking(true);
        }
    }

}
