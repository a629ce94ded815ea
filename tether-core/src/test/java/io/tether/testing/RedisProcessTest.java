package io.tether.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** The Redis harness itself, on real redis-server processes: what the cluster module's tests rely on. */
class RedisProcessTest {
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private RedisProcess start(RedisProcess.Options options) throws Exception {
        RedisProcess redis = RedisProcess.start(options);
        toClose.add(redis);
        return redis;
    }

    @Test
    void answersOnAFreeLoopbackPortAndARestartKeepsThePort() throws Exception {
        RedisProcess redis = start(RedisProcess.Options.defaults());
        assertThat(redis.command("PING")).isEqualTo("PONG");
        assertThat(redis.port()).isNotEqualTo(6379);
        assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());
        assertThat(redis.command("CONFIG", "GET", "appendonly")).isEqualTo("appendonly\nno");
        assertThat(redis.command("CONFIG", "GET", "dir")).isEqualTo("dir\n" + redis.dir().toRealPath());
        long firstPid = redis.pid();

        redis.restart();

        assertThat(redis.pid()).isNotEqualTo(firstPid);
        assertThat(ProcessHandle.of(firstPid).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(redis.command("PING")).isEqualTo("PONG");
        assertThat(redis.command("INFO", "server")).contains("tcp_port:" + redis.port());
    }

    @Test
    void persistentKeepsAnAcknowledgedWriteThroughSigkillAndRestart() throws Exception {
        RedisProcess redis = start(RedisProcess.Options.defaults().persistent());
        assertThat(redis.command("SET", "presence:alice", "node-1")).isEqualTo("OK");
        assertThat(redis.command("XADD", "events", "*", "client", "alice")).matches("\\d+-\\d+");

        redis.kill();
        assertThat(redis.isRunning()).isFalse();
        redis.restart();

        assertThat(redis.command("GET", "presence:alice")).isEqualTo("node-1");
        assertThat(redis.command("XLEN", "events")).isEqualTo("1");
    }

    @Test
    void withoutPersistenceSigkillAndShutdownNosaveLoseEverythingAndShutdownSaveKeepsIt() throws Exception {
        RedisProcess redis = start(RedisProcess.Options.defaults());
        redis.command("SET", "k", "v");
        redis.kill();
        redis.restart();
        assertThat(redis.command("DBSIZE")).isEqualTo("0");

        redis.command("SET", "k", "v");
        redis.stop();
        assertThat(redis.isRunning()).isFalse();
        redis.restart();
        assertThat(redis.command("GET", "k")).isNull();

        redis.command("SET", "k", "v");
        redis.stopSaving();
        redis.restart();
        assertThat(redis.command("GET", "k")).isEqualTo("v");
    }

    @Test
    void pausedItAcceptsButAnswersNothingUntilResumed() throws Exception {
        RedisProcess redis = start(RedisProcess.Options.defaults());
        redis.pause();
        assertThatThrownBy(() -> redis.commandWithin(Duration.ofMillis(300), "PING"))
                .isInstanceOf(SocketTimeoutException.class);
        redis.resume();
        assertThat(redis.command("PING")).isEqualTo("PONG");
    }

    @Test
    void anErrorReplyIsThrownNotReturned() throws Exception {
        RedisProcess redis = start(RedisProcess.Options.defaults());
        redis.command("SET", "text", "not a number");
        assertThatThrownBy(() -> redis.command("INCR", "text")).isInstanceOf(RedisProcess.ErrorReply.class)
                .hasMessageContaining("answered INCR with the error reply: ERR value is not an integer")
                .satisfies(e -> assertThat(((RedisProcess.ErrorReply) e).reply()).startsWith("ERR "));
    }

    @Test
    void aRestartWhoseBindFailsSaysThePortWasTaken() throws Exception {
        RedisProcess redis = start(RedisProcess.Options.defaults());
        redis.kill();
        try (ServerSocket squatter = new ServerSocket(redis.port(), 1, InetAddress.getByName("127.0.0.1"))) {
            assertThat(squatter.getLocalPort()).isEqualTo(redis.port());
            assertThatThrownBy(redis::restart).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("could not start again on its port")
                    .hasMessageContaining("Address already in use");
        }
        assertThat(redis.isRunning()).isFalse();
    }

    @Test
    void closeKillsEvenAPausedProcessAndDeletesItsDirectory() throws Exception {
        RedisProcess redis = start(RedisProcess.Options.defaults().persistent());
        redis.command("SET", "k", "v");
        long pid = redis.pid();
        Path dir = redis.dir();
        assertThat(dir).isDirectory();
        redis.pause();

        redis.close();

        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(Files.exists(dir)).isFalse();
    }

    @Test
    void aMissingBinarySkipsNamingItAndTheReasonVariable() {
        Path missing = Path.of("/nonexistent/redis-server");
        assertThatThrownBy(() -> RedisBinaries.assumeInstalled(missing)).isInstanceOf(TestAbortedException.class)
                .hasMessageContaining(missing + " is not installed").hasMessageContaining("TETHER_REDIS_UNAVAILABLE");
    }

    @Test
    void threeMastersReachClusterStateOkAndShareTheSlots() throws Exception {
        RedisClusterProcesses cluster = RedisClusterProcesses.start();
        toClose.add(cluster);

        assertThat(cluster.states()).containsOnly("cluster_state:ok").hasSize(3);
        assertThat(cluster.uris()).hasSize(3).doesNotHaveDuplicates().contains(cluster.seedUri());
        List<String> nodes = cluster.node(1).command("CLUSTER", "NODES").lines().toList();
        // id ip:port@bus flags master-id ping-sent pong-received epoch link-state slots...; flags like "myself,master"
        assertThat(nodes).hasSize(3).allSatisfy(line -> {
            String[] fields = line.split(" ");
            assertThat(fields[2].split(",")).contains("master");
            assertThat(fields[7]).isEqualTo("connected");
        });
        for (RedisProcess node : cluster.nodes()) {
            assertThat(nodes).anyMatch(line -> line.contains(" 127.0.0.1:" + node.port() + "@" + (node.port() + 10000)));
        }
        assertThat(cluster.node(0).command("CLUSTER", "INFO")).contains("cluster_slots_assigned:16384");
        // A key lives on exactly one master; the others redirect to it.
        List<String> answers = new ArrayList<>();
        for (RedisProcess node : cluster.nodes()) {
            try {
                answers.add(node.command("SET", "presence:alice", "node-1"));
            } catch (RedisProcess.ErrorReply moved) {
                answers.add(moved.reply().replaceAll(" .*", ""));
            }
        }
        assertThat(answers).containsExactlyInAnyOrder("OK", "MOVED", "MOVED");
    }
}
