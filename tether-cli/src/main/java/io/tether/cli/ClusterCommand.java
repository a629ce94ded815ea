package io.tether.cli;

import io.tether.cluster.ClusterNode;
import io.tether.cluster.ClusterView;
import io.tether.util.LogSafe;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tether cluster}: commands about a cluster of servers started with {@code --cluster}. */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "Look at a cluster of servers started with 'tether server --cluster' (docs/CLUSTER.md).",
        subcommands = {ClusterCommand.Status.class, CommandLine.HelpCommand.class})
final class ClusterCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Print the cluster's nodes and how many clients are online across it, as",
                    "Redis holds them. One line per node, by id:",
                    "",
                    "  node ID address=HOST:PORT epoch=E lease-age=Nms lease-left=Nms sessions=N",
                    "",
                    "address: where the node's Tether listener is. epoch: its incarnation (a node",
                    "that rejoins gets a new one). lease-age: how long ago it renewed its lease.",
                    "lease-left: how long until that lease lapses unless renewed (negative: lapsed,",
                    "to be declared dead at the next renewal of any node). sessions: the clients",
                    "it holds. Then one line:",
                    "",
                    "  total online N",
                    "",
                    "N counts every client online in the cluster: a node declared dead no longer",
                    "counts, even before its sessions' OFFLINE NODE_LOST are written.",
                    "Exits 0, or 1 with one line on stderr when Redis cannot be reached or does",
                    "not answer."})
    static final class Status implements Callable<Integer> {
        @Option(names = "--redis", paramLabel = "REDIS_URI", required = true, converter = CliTypes.RedisUriConverter.class,
                description = "The cluster's Redis or Redis Cluster, as given to 'tether server --cluster'.")
        String redis;

        @Option(names = "--cluster-name", paramLabel = "NAME", converter = CliTypes.ClusterNameConverter.class,
                description = "The cluster's name, as given to 'tether server --cluster-name'. Default: ${DEFAULT-VALUE}.")
        String name = "tether";

        @Option(names = "--timeout", paramLabel = "DURATION", converter = CliTypes.DurationConverter.class,
                description = "How long connecting to Redis, and each command, may take. Default: 2s.")
        @Within(min = "1ms", max = "1m")
        Duration timeout = Duration.ofSeconds(2);

        @Override
        public Integer call() {
            ClusterView view = ClusterView.read(redis, name, timeout);
            PrintStream out = System.out;
            for (ClusterNode node : view.nodes()) {
                out.println(line(node));
            }
            out.println("total online " + view.online());
            out.flush();
            return 0;
        }

        static String line(ClusterNode node) {
            return "node " + node.id() + " address=" + LogSafe.text(node.address(), 100) + " epoch=" + node.epoch()
                    + " lease-age=" + node.leaseAge().toMillis() + "ms lease-left=" + node.leaseLeft().toMillis()
                    + "ms sessions=" + node.sessions();
        }
    }
}
