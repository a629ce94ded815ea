package io.tether.bench.lab;

import io.netty.channel.EventLoopGroup;
import io.tether.cli.Logging;
import io.tether.cli.Within;
import io.tether.client.ClientListener;
import io.tether.client.ClientState;
import io.tether.client.TetherClient;
import io.tether.internal.Transports;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A worker of {@code tether bench storm}: real {@link TetherClient}s with the library's default reconnect
 * backoff. Every 20 ms in which the numbers changed it prints {@code state <online> <closed> <epoch ms>
 * <departures>}, so the coordinator can tell to within 20 ms when the last client came back, and why every
 * client that left ONLINE left (as {@code why=count,...}, {@code -} for none; see {@link #why}). Every
 * 500 ms it also prints {@code lag <epoch ms> <ms>}, the most any of its event loops ran a 10 ms probe task
 * late in that time, and {@code convicted <epoch ms> <ms> <ms> ...}, how long each client the server convicted
 * of silence (GOAWAY TIMEOUT) in that time had been ONLINE by its own clock (so a WELCOME that reached the client late
 * shows as a short time, and pings that left on time but went unread as a whole timeout). Runs until killed.
 */
@Command(name = "storm-clients", hidden = true, description = "Client processes for tether bench storm.")
final class StormClients implements Callable<Integer> {
    @Mixin
    SimulatedClients clients;

    @Option(names = "--connect-rate", required = true)
    @Within(min = "1", max = "1000000")
    int connectRate;

    @Option(names = "--per-address", required = true)
    @Within(min = "0", max = "19500")
    int perAddress;

    @Option(names = "--worker", required = true)
    @Within(min = "0", max = "200")
    int worker;

    /**
     * The loopback source address of client {@code i}, {@code perAddress} clients to an address, or null for
     * the kernel's choice: 127.(10 + worker).a.b, so that no two workers share one.
     */
    private java.net.InetAddress source(int i) throws java.net.UnknownHostException {
        if (perAddress == 0) {
            return null;
        }
        int k = i / perAddress;
        return java.net.InetAddress.getByAddress(new byte[] {127, (byte) (10 + worker), (byte) (k / 250), (byte) (1 + k % 250)});
    }

    @Override
    public Integer call() throws Exception {
        Logging.quietLibrary();
        InetSocketAddress target = clients.target();
        EventLoopGroup group = Transports.newGroup(2, "storm", true);
        AtomicInteger online = new AtomicInteger();
        AtomicInteger closed = new AtomicInteger();
        AtomicInteger changes = new AtomicInteger();
        Map<String, LongAdder> departures = new ConcurrentSkipListMap<>();
        LoopLag lag = new LoopLag(group);
        java.util.Queue<Long> convicted = new java.util.concurrent.ConcurrentLinkedQueue<>();
        long start = System.nanoTime();
        for (int i = 0; i < clients.count; i++) {
            long wait = start + (long) i * 1_000_000_000L / connectRate - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait); // pacing the first connects only; reconnects are the library's
            }
            TetherClient.Builder builder = TetherClient.builder();
            java.net.InetAddress source = source(i);
            if (source != null) {
                builder.localAddress(source);
            }
            builder.server(target).clientId(clients.prefix + i)
                    .heartbeat(clients.heartbeat()).eventLoopGroup(group)
                    .listener(new ClientListener() {
                        private long onlineAt; // the client's own loop alone calls this listener

                        @Override
                        public void stateChanged(ClientState previous, ClientState current, String reason) {
                            if (current == ClientState.ONLINE) {
                                onlineAt = System.nanoTime();
                                online.incrementAndGet();
                            } else if (previous == ClientState.ONLINE) {
                                online.decrementAndGet();
                                String why = why(reason);
                                departures.computeIfAbsent(why, k -> new LongAdder()).increment();
                                if (why.equals("server:TIMEOUT")) {
                                    convicted.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - onlineAt));
                                }
                            }
                            if (current == ClientState.CLOSED) {
                                closed.incrementAndGet();
                            }
                            changes.incrementAndGet();
                        }
                    }).build().start();
        }
        long nextLag = System.currentTimeMillis() + 500;
        for (int seen = -1; ; ) {
            if (System.currentTimeMillis() >= nextLag) {
                nextLag += 500;
                long at = System.currentTimeMillis();
                System.out.println("lag " + at + " " + lag.takeMaxMillis());
                StringBuilder convictions = new StringBuilder("convicted ").append(at);
                int length = convictions.length();
                for (Long ms; (ms = convicted.poll()) != null; ) {
                    convictions.append(' ').append(ms);
                }
                if (convictions.length() > length) {
                    System.out.println(convictions);
                }
            }
            int now = changes.get();
            if (now != seen) {
                seen = now;
                StringBuilder left = new StringBuilder();
                departures.forEach((why, count) -> left.append(left.length() == 0 ? "" : ",").append(why).append('=').append(count.sum()));
                System.out.println("state " + online.get() + " " + closed.get() + " " + System.currentTimeMillis() + " "
                        + (left.length() == 0 ? "-" : left));
                System.out.flush();
            }
            TimeUnit.MILLISECONDS.sleep(20); // a reporting period, not a wait for a condition
        }
    }

    /** Schedules a probe task every 10 ms on each loop of a group and keeps the most any ran late. */
    static final class LoopLag {
        private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
        private final java.util.concurrent.atomic.AtomicLong maxLateNanos = new java.util.concurrent.atomic.AtomicLong();

        LoopLag(EventLoopGroup group) {
            group.forEach(loop -> probe(loop, System.nanoTime() + PERIOD_NANOS));
        }

        private void probe(io.netty.util.concurrent.EventExecutor loop, long due) {
            loop.schedule(() -> {
                long now = System.nanoTime();
                maxLateNanos.accumulateAndGet(now - due, Math::max);
                probe(loop, now + PERIOD_NANOS);
            }, due - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        /** The most a probe ran late since the last call, in ms. */
        long takeMaxMillis() {
            return TimeUnit.NANOSECONDS.toMillis(maxLateNanos.getAndSet(0));
        }
    }

    /**
     * Who ended a session, from the reason the client gives for leaving ONLINE: {@code server:REASON} when the
     * server said GOAWAY (its verdict, say {@code server:TIMEOUT}), {@code client:TIMEOUT} when the client found
     * the server silent, {@code reset} or {@code closed} when the connection broke or closed without a word.
     */
    static String why(String reason) {
        if (reason == null) {
            return "other";
        }
        if (reason.startsWith("server silent for")) {
            return "client:TIMEOUT";
        }
        if (reason.startsWith("server said goodbye: ")) {
            String rest = reason.substring("server said goodbye: ".length());
            int end = rest.indexOf(' ');
            return "server:" + (end < 0 ? rest : rest.substring(0, end));
        }
        if (reason.startsWith("connection broken")) {
            return "reset";
        }
        if (reason.startsWith("connection closed by the server")) {
            return "closed";
        }
        return "other";
    }
}
