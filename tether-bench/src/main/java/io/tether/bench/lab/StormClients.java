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
 * client that left ONLINE left (as {@code why=count,...}, {@code -} for none; see {@link #why}). Runs until
 * killed.
 */
@Command(name = "storm-clients", hidden = true, description = "Client processes for tether bench storm.")
final class StormClients implements Callable<Integer> {
    @Mixin
    SimulatedClients clients;

    @Option(names = "--connect-rate", required = true)
    @Within(min = "1", max = "1000000")
    int connectRate;

    @Override
    public Integer call() throws Exception {
        Logging.quietLibrary();
        InetSocketAddress target = clients.target();
        EventLoopGroup group = Transports.newGroup(2, "storm", true);
        AtomicInteger online = new AtomicInteger();
        AtomicInteger closed = new AtomicInteger();
        AtomicInteger changes = new AtomicInteger();
        Map<String, LongAdder> departures = new ConcurrentSkipListMap<>();
        long start = System.nanoTime();
        for (int i = 0; i < clients.count; i++) {
            long wait = start + (long) i * 1_000_000_000L / connectRate - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait); // pacing the first connects only; reconnects are the library's
            }
            TetherClient.builder().server(target).clientId(clients.prefix + i)
                    .heartbeat(clients.heartbeat()).eventLoopGroup(group)
                    .listener(new ClientListener() {
                        @Override
                        public void stateChanged(ClientState previous, ClientState current, String reason) {
                            if (current == ClientState.ONLINE) {
                                online.incrementAndGet();
                            } else if (previous == ClientState.ONLINE) {
                                online.decrementAndGet();
                                departures.computeIfAbsent(why(reason), k -> new LongAdder()).increment();
                            }
                            if (current == ClientState.CLOSED) {
                                closed.incrementAndGet();
                            }
                            changes.incrementAndGet();
                        }
                    }).build().start();
        }
        for (int seen = -1; ; ) {
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
