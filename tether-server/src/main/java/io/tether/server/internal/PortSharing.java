package io.tether.server.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.unix.Socket;
import io.tether.internal.Transports;
import java.io.IOException;
import java.util.Locale;

/**
 * SO_REUSEPORT on the server's listening sockets, when it was built with {@code reusePort}: several processes
 * (or servers) on one host bind the same port, and the kernel hands each new connection to one of them by a
 * hash of its addresses and ports. Linux only, through Netty's native epoll transport. Asked for and not
 * possible, it fails the start with the reason: a server that silently listened alone, or not at all, would
 * leave the operator guessing.
 */
final class PortSharing {
    private PortSharing() {
    }

    /** Fails when this process cannot share a port at all: it runs on NIO. */
    static void checkAvailable(String host, int port) throws IOException {
        String whyNio = Transports.whyNio();
        if (whyNio != null) {
            throw new IOException("cannot share " + host + ":" + port + " with other servers (reusePort, --reuse-port):"
                    + " SO_REUSEPORT needs the native epoll transport (Linux), and this server runs on NIO: " + whyNio);
        }
    }

    /** Sets SO_REUSEPORT on the compact engine's socket, before its bind. */
    static void share(Socket socket, String host, int port) throws IOException {
        try {
            socket.setReusePort(true);
        } catch (IOException e) {
            throw cannotSet(host, port, e);
        }
    }

    /** Sets SO_REUSEPORT on a registered, not yet bound, listening channel of the epoll transport. */
    static void share(Channel listener, String host, int port) throws IOException {
        if (!(listener instanceof EpollServerSocketChannel epoll)) { // checkAvailable has refused NIO at start
            throw new IllegalStateException("not an epoll listener: " + listener.getClass().getName());
        }
        try {
            epoll.config().setReusePort(true);
        } catch (ChannelException e) {
            throw cannotSet(host, port, e.getCause() != null ? e.getCause() : e);
        }
    }

    private static IOException cannotSet(String host, int port, Throwable cause) {
        return new IOException("cannot share " + host + ":" + port + " with other servers (reusePort, --reuse-port):"
                + " setting SO_REUSEPORT failed: " + (cause.getMessage() != null ? cause.getMessage() : cause), cause);
    }

    /**
     * A failed bind of {@code host:port}, named. When the port was to be {@code shared} and is taken, it says
     * by what: the kernel lets a socket join a port only when every socket on it set SO_REUSEPORT and
     * belongs to the same user.
     */
    static IOException bindFailed(String host, int port, boolean shared, Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        boolean taken = message.toLowerCase(Locale.ROOT).contains("already in use");
        return new IOException("cannot listen on " + host + ":" + port + ": " + message + (shared && taken
                ? " (reusePort shares a port only with sockets that also set SO_REUSEPORT, opened by the same user;"
                        + " a socket that did not, or another user's, holds this one)" : ""), cause);
    }
}
