package io.tether.bench.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A network namespace of the harness's own, joined to this host by a veth pair, whose traffic can be cut
 * silently. Needs root, iproute2 and nftables; removed again on close.
 */
final class CutLink implements AutoCloseable {
    static final String HOST_ADDRESS = "10.213.0.1";
    static final String PEER_ADDRESS = "10.213.0.2";

    private static final java.util.concurrent.atomic.AtomicInteger CREATED = new java.util.concurrent.atomic.AtomicInteger();

    private final String namespace;
    private final String hostSide;

    private CutLink(String namespace, String hostSide) {
        this.namespace = namespace;
        this.hostSide = hostSide;
    }

    /** Why the scenario cannot run here, or {@code null} if it can. */
    static String missing() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "needs root to create a network namespace";
        }
        for (String tool : List.of("ip", "nft")) {
            if (!onPath(tool)) {
                return "needs '" + tool + "' (bench/faults.sh installs nftables)";
            }
        }
        return null;
    }

    static CutLink create() throws IOException, InterruptedException {
        // Names are never reused: the kernel tears a deleted namespace down asynchronously.
        String tag = ProcessHandle.current().pid() % 10000 + "x" + CREATED.incrementAndGet();
        String ns = "tether-cut-" + tag;
        String hostSide = "tch" + tag;
        String peerSide = "tcp" + tag;
        CutLink link = new CutLink(ns, hostSide);
        run("ip", "netns", "add", ns);
        run("ip", "link", "add", hostSide, "type", "veth", "peer", "name", peerSide);
        run("ip", "link", "set", peerSide, "netns", ns);
        run("ip", "addr", "add", HOST_ADDRESS + "/30", "dev", hostSide);
        run("ip", "link", "set", hostSide, "up");
        link.inNamespace("ip", "addr", "add", PEER_ADDRESS + "/30", "dev", peerSide);
        link.inNamespace("ip", "link", "set", peerSide, "up");
        link.inNamespace("ip", "link", "set", "lo", "up");
        return link;
    }

    /** The command prefix that runs a process inside the namespace. */
    List<String> inside() {
        return List.of("ip", "netns", "exec", namespace);
    }

    /** Drops every packet in and out of the namespace from now on: nothing is refused, nothing arrives. */
    void cut() throws IOException, InterruptedException {
        inNamespace("nft", "add", "table", "inet", "tether_cut");
        inNamespace("nft", "add", "chain", "inet", "tether_cut", "in",
                "{ type filter hook input priority 0 ; policy drop ; }");
        inNamespace("nft", "add", "chain", "inet", "tether_cut", "out",
                "{ type filter hook output priority 0 ; policy drop ; }");
    }

    private void inNamespace(String... command) throws IOException, InterruptedException {
        String[] full = new String[command.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = namespace;
        System.arraycopy(command, 0, full, 4, command.length);
        run(full);
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output.strip());
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (new java.io.File(dir, tool).canExecute()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            run("ip", "link", "del", hostSide); // deleting one end removes the pair
        } finally {
            run("ip", "netns", "del", namespace);
        }
    }
}
