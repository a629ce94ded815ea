package io.tether.bench;

import io.tether.keeper.EndpointConfig;
import io.tether.keeper.Keeper;
import io.tether.keeper.KeeperConfig;
import io.tether.keeper.Lease;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.commons.pool2.BaseKeyedPooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericKeyedObjectPool;
import org.apache.commons.pool2.impl.GenericKeyedObjectPoolConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Borrow and return of an already-open connection: the keeper's keep endpoint against Apache commons-pool2's
 * GenericKeyedObjectPool holding the same kind of object (an open socket to the same local upstream), each
 * with two connections, driven by one thread and by two. Probes and eviction are off on both sides, so only
 * the hand-out and hand-back are measured.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class KeeperBorrowBenchmark {
    static final String NAME = "bank";
    static final int CONNECTIONS = 2;

    private ServerSocket upstream;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private Keeper keeper;
    private GenericKeyedObjectPool<String, SocketChannel> commonsPool;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        upstream = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread acceptor = new Thread(() -> {
            try {
                for (;;) {
                    accepted.add(upstream.accept());
                }
            } catch (IOException closed) {
                // benchmark over
            }
        }, "bench-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
        int port = upstream.getLocalPort();

        keeper = Keeper.start(KeeperConfig.of(List.of(EndpointConfig.builder(NAME, "127.0.0.1", port)
                .poolSize(CONNECTIONS).checkInterval(Duration.ofHours(1)).build())));

        GenericKeyedObjectPoolConfig<SocketChannel> config = new GenericKeyedObjectPoolConfig<>();
        config.setMaxTotalPerKey(CONNECTIONS);
        config.setMaxIdlePerKey(CONNECTIONS);
        config.setJmxEnabled(false);
        commonsPool = new GenericKeyedObjectPool<>(new BaseKeyedPooledObjectFactory<>() {
            @Override
            public SocketChannel create(String key) throws IOException {
                return SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
            }

            @Override
            public PooledObject<SocketChannel> wrap(SocketChannel channel) {
                return new DefaultPooledObject<>(channel);
            }

            @Override
            public void destroyObject(String key, PooledObject<SocketChannel> p) throws IOException {
                p.getObject().close();
            }
        }, config);
        for (int i = 0; i < CONNECTIONS; i++) {
            commonsPool.addObject(NAME);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        keeper.close();
        commonsPool.close();
        upstream.close();
        for (Socket socket : accepted) {
            socket.close();
        }
    }

    @Benchmark
    @Threads(1)
    public Object keeperOneThread() throws IOException {
        return keeperCycle();
    }

    @Benchmark
    @Threads(2)
    public Object keeperTwoThreads() throws IOException {
        return keeperCycle();
    }

    @Benchmark
    @Threads(1)
    public Object commonsPoolOneThread() throws Exception {
        return commonsCycle();
    }

    @Benchmark
    @Threads(2)
    public Object commonsPoolTwoThreads() throws Exception {
        return commonsCycle();
    }

    private Object keeperCycle() throws IOException {
        Lease lease = keeper.borrow(NAME);
        lease.close();
        return lease;
    }

    private Object commonsCycle() throws Exception {
        SocketChannel channel = commonsPool.borrowObject(NAME);
        commonsPool.returnObject(NAME, channel);
        return channel;
    }
}
