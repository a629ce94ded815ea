package io.tether.admin.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.tether.admin.PresenceFeed;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admin connection: answers each whole request through {@link Routes}, or turns the connection into a
 * Server-Sent Events stream of presence for {@code GET /events}. A stream that its reader does not keep up
 * with (its unsent output passes Netty's high-water mark) is closed rather than buffered without end; the
 * reader resumes with {@code Last-Event-ID}.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
    static final int MAX_STREAMS = 16;
    /**
     * The dashboard runs only its own scripts and styles and talks only to this port; no other site may frame
     * it (its kick buttons), and a client id that slipped into markup could run nothing.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final Routes routes;
    private Consumer<PresenceFeed.Entry> stream;

    AdminHandler(Routes routes) {
        this.routes = routes;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (stream != null) {
            return; // a stream's connection carries no further requests
        }
        if (!request.decoderResult().isSuccess()) {
            send(ctx, request, Routes.Answer.error(HttpResponseStatus.BAD_REQUEST, "not an HTTP request this server reads"), true);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        if (!routes.isPage(uri) && !routes.authorized(request, uri)) {
            FullHttpResponse denied = response(Routes.Answer.error(HttpResponseStatus.UNAUTHORIZED,
                    "this admin port needs Authorization: Bearer <token>"), request.method());
            denied.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"tether\"");
            ctx.writeAndFlush(denied).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (uri.path().equals("/events")) {
            if (!request.method().equals(HttpMethod.GET)) {
                send(ctx, request, Routes.Answer.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed on this path"), false);
            } else {
                openStream(ctx, request, uri);
            }
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpMethod method = request.method();
        routes.answer(request, uri).whenComplete((answer, failure) -> ctx.executor().execute(() -> {
            if (failure != null) {
                log.warn("admin request failed: {}", failure.toString());
                answer(ctx, method, keepAlive, Routes.Answer.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error"));
            } else {
                answer(ctx, method, keepAlive, answer);
            }
        }));
    }

    private void send(ChannelHandlerContext ctx, FullHttpRequest request, Routes.Answer answer, boolean close) {
        answer(ctx, request.method(), !close && HttpUtil.isKeepAlive(request), answer);
    }

    private static void answer(ChannelHandlerContext ctx, HttpMethod method, boolean keepAlive, Routes.Answer answer) {
        FullHttpResponse response = response(answer, method);
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static FullHttpResponse response(Routes.Answer answer, HttpMethod method) {
        ByteBuf body = method.equals(HttpMethod.HEAD) ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(answer.body());
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, answer.status(), body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY)
                .set("X-Content-Type-Options", "nosniff");
        return response;
    }

    private void openStream(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
        PresenceFeed feed = routes.feed();
        if (feed.subscriberCount() >= MAX_STREAMS) {
            send(ctx, request, Routes.Answer.error(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "at most " + MAX_STREAMS + " event streams at once"), true);
            return;
        }
        long lastSeen;
        String header = request.headers().get("Last-Event-ID");
        try {
            lastSeen = header == null ? 0 : Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            send(ctx, request, Routes.Answer.error(HttpResponseStatus.BAD_REQUEST, "Last-Event-ID must be an event id"), true);
            return;
        }
        if (lastSeen < 0) {
            send(ctx, request, Routes.Answer.error(HttpResponseStatus.BAD_REQUEST, "Last-Event-ID must be an event id"), true);
            return;
        }
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        ctx.write(head);
        // Events published from now on are written by tasks queued behind this one, so after the kept ones.
        stream = entry -> ctx.executor().execute(() -> {
            if (!ctx.channel().isActive()) {
                return;
            }
            if (!ctx.channel().isWritable()) {
                ctx.close(); // the reader fell behind: it resumes with Last-Event-ID instead
                return;
            }
            ctx.writeAndFlush(chunk(event(entry)));
        });
        PresenceFeed.Since kept = feed.subscribe(lastSeen, stream);
        StringBuilder backlog = new StringBuilder("retry: 2000\n\n");
        if (kept.missed() > 0) {
            backlog.append("event: gap\ndata: {\"missed\":").append(kept.missed())
                    .append(",\"message\":\"").append(kept.missed())
                    .append(" events after the asked id are no longer kept\"}\n\n");
        }
        for (PresenceFeed.Entry entry : kept.entries()) {
            backlog.append(event(entry));
        }
        ctx.writeAndFlush(chunk(backlog.toString()));
    }

    private static String event(PresenceFeed.Entry entry) {
        return "id: " + entry.id() + "\nevent: " + entry.event().type().name().toLowerCase(java.util.Locale.ROOT)
                + "\ndata: " + SessionJson.line(entry.event()) + "\n\n";
    }

    private static DefaultHttpContent chunk(String text) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            if (stream != null) {
                ctx.writeAndFlush(chunk(": still here\n\n")); // keeps proxies and the reader's own timeout at bay
            } else {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (stream != null) {
            routes.feed().unsubscribe(stream);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("admin connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
