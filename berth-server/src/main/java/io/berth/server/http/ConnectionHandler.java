package io.berth.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * Per-connection state on the event loop: turns decoded HTTP messages into exchanges and hands each
 * to a virtual thread. One exchange at a time per connection; messages of a pipelined next request
 * wait in {@link #pending} until the current exchange is over, so responses keep request order.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private final HttpTransport transport;
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private HttpExchange current;
    /** Set once the decoder is gone: every further inbound byte is this exchange's raw input. */
    private HttpExchange raw;
    private boolean inputShut;

    ConnectionHandler(HttpTransport transport) { this.transport = transport; }

    @Override public void handlerAdded(ChannelHandlerContext ctx) { this.ctx = ctx; }

    @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (raw != null) {
            if (msg instanceof ByteBuf buf) raw.rawInput().offer(new DefaultHttpContent(buf));
            else ReferenceCountUtil.release(msg);
            return;
        }
        if (current != null && current.requestComplete() || !pending.isEmpty()) {
            pending.add(msg);
            return;
        }
        process(msg);
    }

    private void process(Object msg) {
        if (msg instanceof HttpRequest req) {
            if (req.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                badRequest(req.decoderResult().cause());
                return;
            }
            current = new HttpExchange(ctx.channel(), req, this, transport, transport.hijackCandidate(req));
            transport.dispatch(current);
        }
        if (msg instanceof HttpContent content) {
            if (content.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                badRequest(content.decoderResult().cause());
                return;
            }
            if (current == null || current.requestComplete()) { content.release(); return; }
            if (current.body().offer(content)) {
                current.requestEnded();
                if (current.hijackCandidate()) goRaw();
            }
        }
    }

    /**
     * Removes the HTTP decoder right after a hijack candidate's request ended (we are inside the
     * decoder's channelRead, after its last message): the decoder hands bytes it has buffered but
     * not parsed to the next handler, so stdin sent right behind the request is not lost.
     */
    private void goRaw() {
        raw = current;
        if (ctx.pipeline().get(HttpTransport.EXPECT_CONTINUE) != null) ctx.pipeline().remove(HttpTransport.EXPECT_CONTINUE);
        if (ctx.pipeline().get(HttpTransport.DECODER) != null) ctx.pipeline().remove(HttpTransport.DECODER);
        if (inputShut) raw.rawInput().offer(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    @Override public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShut = true;
            if (raw != null) {
                raw.rawInput().offer(LastHttpContent.EMPTY_LAST_CONTENT); // stdin EOF; output keeps flowing
            } else if (current == null) {
                ctx.close();
            } else if (!current.requestComplete()) {
                current.connectionLost();
            } else {
                current.clientGone(); // the answer may still go out; exchangeFinished closes afterwards
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** Event loop: {@code ex} has answered and consumed its request; take the next one. */
    void exchangeFinished(HttpExchange ex) {
        if (current != ex) return;
        current = null;
        while (!pending.isEmpty() && (current == null || !current.requestComplete())) process(pending.poll());
        if (inputShut && current == null && pending.isEmpty()) ctx.close();
    }

    @Override public void channelInactive(ChannelHandlerContext ctx) {
        if (current != null) current.connectionLost();
        if (raw != null) raw.rawInput().fail(new java.io.IOException("connection closed by the client"));
        pending.forEach(ReferenceCountUtil::release);
        pending.clear();
        ctx.fireChannelInactive();
    }

    @Override public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Resets and broken pipes are how clients say goodbye; nothing to report at warning level.
        if (!(cause instanceof IOException)) transport.log(System.Logger.Level.WARNING, "connection failed", cause);
        ctx.close();
    }

    private void badRequest(Throwable cause) {
        String msg = "malformed HTTP request: " + (cause == null ? "unknown" : cause.getMessage());
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST,
                Unpooled.copiedBuffer(msg, StandardCharsets.UTF_8));
        transport.addCommonHeaders(r.headers());
        r.headers().set("Content-Type", "text/plain; charset=utf-8");
        r.headers().setInt("Content-Length", r.content().readableBytes());
        r.headers().set("Connection", "close");
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
}
