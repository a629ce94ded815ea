package io.tether.testing;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The least of RESP2 a test needs to talk to a redis-server without a client library: one command on a new
 * loopback connection, its reply read back as text. Arrays are flattened to their elements, one a line; a nil
 * is {@code null}; an error reply is thrown ({@link RedisProcess.ErrorReply}), so a test cannot take "-ERR ..." for
 * data.
 */
final class Resp {
    private Resp() {
    }

    /** Sends {@code args} to 127.0.0.1:{@code port}; each of connect and read gives up after {@code timeout}. */
    static String call(int port, Duration timeout, String... args) throws IOException {
        try (Socket socket = connect(port, timeout)) {
            send(socket, args);
            return read(new BufferedInputStream(socket.getInputStream()), port, args[0]);
        }
    }

    /**
     * Sends a SHUTDOWN (with {@code args}, like NOSAVE). Redis answers a successful one by closing the connection
     * and nothing else; an error reply (say, a failed save) means it is still running and is thrown.
     */
    static void shutdown(int port, Duration timeout, String... args) throws IOException {
        String[] command = new String[args.length + 1];
        command[0] = "SHUTDOWN";
        System.arraycopy(args, 0, command, 1, args.length);
        try (Socket socket = connect(port, timeout)) {
            send(socket, command);
            String reply = read(new BufferedInputStream(socket.getInputStream()), port, "SHUTDOWN");
            throw new IllegalStateException("redis at 127.0.0.1:" + port + " answered SHUTDOWN with " + reply
                    + " instead of closing the connection");
        } catch (EOFException closedAsPromised) {
            // the reply to a SHUTDOWN that went through
        }
    }

    private static Socket connect(int port, Duration timeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", port), Math.toIntExact(timeout.toMillis()));
            socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private static void send(Socket socket, String... args) throws IOException {
        StringBuilder request = new StringBuilder().append('*').append(args.length).append("\r\n");
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            request.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
        }
        OutputStream out = socket.getOutputStream();
        out.write(request.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String read(InputStream in, int port, String command) throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("redis at 127.0.0.1:" + port + " closed the connection instead of answering " + command);
        }
        String line = line(in);
        switch (type) {
            case '+', ':' -> {
                return line;
            }
            case '-' -> throw new RedisProcess.ErrorReply(port, command, line);
            case '$' -> {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                byte[] bytes = in.readNBytes(length + 2); // the data and its CRLF
                if (bytes.length < length + 2) {
                    throw new EOFException("redis at 127.0.0.1:" + port + " closed the connection after " + bytes.length
                            + " of " + (length + 2) + " bytes of a bulk reply to " + command);
                }
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            case '*' -> {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    return null;
                }
                List<String> elements = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    elements.add(String.valueOf(read(in, port, command)));
                }
                return String.join("\n", elements);
            }
            default -> throw new IOException("redis at 127.0.0.1:" + port + " answered " + command
                    + " with a reply of unknown type '" + (char) type + "': " + line);
        }
    }

    /** One CRLF-terminated line, without the CRLF. */
    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\r'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("the connection closed mid-line after \"" + line + "\"");
            }
            line.append((char) c);
        }
        if (in.read() != '\n') {
            throw new IOException("a CR not followed by LF after \"" + line + "\"");
        }
        return line.toString();
    }
}
