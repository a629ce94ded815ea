package io.tether.cli.bench;

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

    private final String namespace;

    private CutLink(String namespace) {
        this.namespace = namespace;
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
        String ns = "tether-cut-" + ProcessHandle.current().pid();
        String hostSide = "tcut" + ProcessHandle.current().pid() % 100000;
        CutLink link = new CutLink(ns);
        run("ip", "netns", "add", ns);
        run("ip", "link", "add", hostSide, "type", "veth", "peer", "name", "tcutp");
        run("ip", "link", "set", "tcutp", "netns", ns);
        run("ip", "addr", "add", HOST_ADDRESS + "/30", "dev", hostSide);
        run("ip", "link", "set", hostSide, "up");
        link.inNamespace("ip", "addr", "add", PEER_ADDRESS + "/30", "dev", "tcutp");
        link.inNamespace("ip", "link", "set", "tcutp", "up");
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
        run("ip", "netns", "del", namespace); // takes the veth pair with it
    }
}
