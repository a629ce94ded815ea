package io.tether.admin.internal;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.tether.admin.PresenceFeed;
import io.tether.internal.Transports;
import io.tether.keeper.Keeper;
import io.tether.server.TetherServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin port's listener on one event loop of its own, so that a slow scrape or a stuck dashboard never
 * competes with the heartbeat loops. Its limits (docs/ADMIN.md): {@value #MAX_CONNECTIONS} connections,
 * requests of at most {@value #MAX_REQUEST_BYTES} bytes, a request line and headers of at most 8 KiB, and
 * {@value #IDLE_SECONDS} s for a connection that sends nothing (event streams are kept alive by comments).
 */
public final class AdminRuntime {
    private static final Logger log = LoggerFactory.getLogger(AdminRuntime.class);
    static final int MAX_CONNECTIONS = 64;
    static final int MAX_REQUEST_BYTES = 16 * 1024;
    static final int IDLE_SECONDS = 30;

    private final TetherServer server;
    private final PresenceFeed feed;
    private final PrometheusMeterRegistry registry;
    private final String host;
    private final int port;
    private final byte[] token;
    private final Keeper keeper;
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private EventLoopGroup group;
    private Channel listener;

    /** {@code keeper} is null when none runs in this process. */
    public AdminRuntime(TetherServer server, PresenceFeed feed, PrometheusMeterRegistry registry, String host, int port,
                        byte[] token, Keeper keeper) {
        this.server = server;
        this.feed = feed;
        this.registry = registry;
        this.host = host;
        this.port = port;
        this.token = token;
        this.keeper = keeper;
    }

    public void start() throws IOException {
        group = Transports.newGroup(1, "tether-admin", false);
        Routes routes = new Routes(server, feed, registry, token, keeper);
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(Transports.serverChannelType())
                .childOption(ChannelOption.AUTO_READ, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (channels.size() >= MAX_CONNECTIONS) {
                            ch.close();
                            return;
                        }
                        channels.add(ch);
                        ch.pipeline().addLast(new IdleStateHandler(IDLE_SECONDS, 0, 0, TimeUnit.SECONDS))
                                .addLast(new HttpServerCodec(4096, 8192, 8192))
                                .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                                .addLast(new AdminHandler(routes));
                    }
                });
        try {
            listener = bootstrap.bind(host, port).sync().channel();
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IOException("cannot listen for admin requests on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        log.info("Tether admin listening on http://{}:{}/ ({})", host, address().getPort(),
                token != null ? "bearer token required" : "loopback, no token");
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public void close() {
        if (listener != null) {
            listener.close().awaitUninterruptibly();
        }
        channels.close().awaitUninterruptibly();
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }
}
