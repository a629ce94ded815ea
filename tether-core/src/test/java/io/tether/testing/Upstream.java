package io.tether.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A real upstream service on 127.0.0.1, line-based: it answers {@code PING} with {@code +PONG} and echoes
 * every other line, in plaintext or over TLS. It can go silent (accept but never answer), be killed, and be
 * started again on the same port. It counts connections and, per client port, the PINGs it received.
 */
public final class Upstream implements AutoCloseable {
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    public final AtomicInteger accepted = new AtomicInteger();
    public final Map<Integer, AtomicInteger> pingsByClientPort = new ConcurrentHashMap<>();
    private volatile boolean silent;
    private volatile ServerSocket listener;
    private final SSLContext tls;

    public Upstream() throws IOException {
        this(0);
    }

    public Upstream(int port) throws IOException {
        this(port, null);
    }

    /** Speaks TLS with {@code tls}'s server certificate, when it is not null. */
    public Upstream(int port, SSLContext tls) throws IOException {
        this.tls = tls;
        listener = bind(port);
        this.port = listener.getLocalPort();
        acceptLoop(listener);
    }

    public int port() {
        return port;
    }

    public int open() {
        return (int) sockets.stream().filter(s -> !s.isClosed()).count();
    }

    public void silence() {
        silent = true;
    }

    public int pingsFrom(int clientPort) {
        AtomicInteger count = pingsByClientPort.get(clientPort);
        return count == null ? 0 : count.get();
    }

    /** Like a killed process: the listener and every connection close at once. */
    public void kill() throws IOException {
        listener.close();
        for (Socket socket : sockets) {
            socket.close();
        }
        sockets.clear();
    }

    public void restart() throws IOException {
        listener = bind(port);
        acceptLoop(listener);
    }

    /**
     * Closes one connection from the server side, as an upstream dropping a client would. Returns false if
     * that connection is not (yet) known here: a client's connect completes before accept() returns.
     */
    public boolean dropConnectionFrom(int clientPort) throws IOException {
        for (Socket socket : sockets) {
            if (socket.getPort() == clientPort) {
                socket.close();
                return true;
            }
        }
        return false;
    }

    private static ServerSocket bind(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 200);
        return socket;
    }

    private void acceptLoop(ServerSocket server) {
        Thread thread = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    sockets.add(socket);
                    accepted.incrementAndGet();
                    Thread serve = new Thread(() -> serve(socket), "upstream-conn");
                    serve.setDaemon(true);
                    serve.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }, "upstream-accept");
        thread.setDaemon(true);
        thread.start();
    }

    private void serve(Socket socket) {
        try (socket) {
            Socket speaking = socket;
            if (tls != null) {
                SSLSocket secured = (SSLSocket) tls.getSocketFactory().createSocket(socket, null, socket.getPort(), true);
                secured.setUseClientMode(false);
                speaking = secured;
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(speaking.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = speaking.getOutputStream();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (silent) {
                    continue;
                }
                if (line.equals("PING")) {
                    pingsByClientPort.computeIfAbsent(socket.getPort(), p -> new AtomicInteger()).incrementAndGet();
                    out.write("+PONG\r\n".getBytes(StandardCharsets.ISO_8859_1));
                } else {
                    out.write((line + "\n").getBytes(StandardCharsets.ISO_8859_1));
                }
                out.flush();
            }
        } catch (IOException gone) {
            // connection ended
        } finally {
            sockets.remove(socket);
        }
    }

    @Override
    public void close() throws IOException {
        kill();
    }
}
