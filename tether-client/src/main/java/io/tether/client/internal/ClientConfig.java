package io.tether.client.internal;

import io.netty.channel.EventLoopGroup;
import io.tether.client.ClientListener;
import io.tether.client.ClientRequestHandler;
import io.tether.heartbeat.HeartbeatPolicy;
import io.tether.retry.ReconnectBackoff;
import io.netty.handler.ssl.SslContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Everything a client was built with; immutable. {@code group} is null when the client owns its loop;
 * {@code localAddress} is null when the kernel picks the source address; {@code tls} is null for plain TCP.
 */
public record ClientConfig(
        List<InetSocketAddress> servers,
        String clientId,
        HeartbeatPolicy heartbeat,
        ReconnectBackoff backoff,
        Duration connectTimeout,
        InetAddress localAddress,
        SslContext tls,
        Supplier<byte[]> credential,
        int maxPayload,
        List<ClientListener> listeners,
        Consumer<byte[]> messageHandler,
        ClientRequestHandler requestHandler,
        EventLoopGroup group) {
}
