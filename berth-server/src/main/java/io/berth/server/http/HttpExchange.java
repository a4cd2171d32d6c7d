package io.berth.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

import java.io.IOException;
import java.io.InterruptedIOException;

/**
 * One request and its response on a keep-alive connection. The request side (method, URI, headers,
 * a streaming body) is read by the handler; the response side is written from the handler's
 * virtual thread either whole ({@link #respond}) or as a chunked stream ({@link #startChunked}).
 *
 * <p>Lifecycle: the exchange is over when the response has been written and the request body has
 * been fully received (the unread rest is discarded); only then does the connection take the next
 * request, so requests on one connection are answered strictly in order.
 *
 * <p>Seam for hijacking (attach, exec start): the pipeline keeps the request decoder
 * ({@link HttpTransport#DECODER}) and the response encoder ({@link HttpTransport#ENCODER}) as
 * separate handlers so that a later upgrade can remove the encoder, write the raw 101/200 head,
 * then remove the decoder so bytes already buffered reach the raw stream handler.
 *
 * <p>Header names are written in Go's canonical case ({@code Content-Type}), as dockerd sends them.
 */
public final class HttpExchange {
    private final Channel channel;
    private final HttpRequest request;
    private final ConnectionHandler connection;
    private final HttpTransport transport;
    private final RequestBody body;
    private final boolean keepAlive;
    private final boolean hijackCandidate;
    private final RequestBody rawInput;
    private volatile boolean committed;
    private volatile boolean responseEnded;
    // Event-loop state.
    private boolean responseDone;
    private boolean requestComplete;
    private boolean finished;

    HttpExchange(Channel channel, HttpRequest request, ConnectionHandler connection, HttpTransport transport,
                 boolean hijackCandidate) {
        this.channel = channel;
        this.request = request;
        this.connection = connection;
        this.transport = transport;
        this.body = new RequestBody(channel);
        this.hijackCandidate = hijackCandidate;
        // A hijack candidate's connection has no HTTP decoder after its request, so it cannot serve another.
        this.keepAlive = HttpUtil.isKeepAlive(request) && !hijackCandidate;
        this.rawInput = hijackCandidate ? new RequestBody(channel) : null;
    }

    private final java.util.concurrent.CompletableFuture<Void> clientGone = new java.util.concurrent.CompletableFuture<>();

    boolean hijackCandidate() { return hijackCandidate; }

    /**
     * Runs {@code action} (on the event loop, or at once if it already happened) when the client
     * has gone: the connection closed, or its read side ended after the request, which Go's HTTP
     * server also takes as cancellation. Long waits (wait, logs -f) use it to stop early instead
     * of holding an engine waiter for a client that is no longer there.
     */
    public void onClientGone(Runnable action) { clientGone.thenRun(action); }

    void clientGone() { clientGone.complete(null); }

    RequestBody rawInput() { return rawInput; }

    /**
     * Takes over the connection (attach, exec start): writes a raw response head and returns the
     * byte stream both ways. With {@code upgrade} the head is Docker's
     * {@code HTTP/1.1 101 UPGRADED} with {@code Connection: Upgrade} and {@code Upgrade: tcp};
     * without, {@code HTTP/1.1 200 OK} with no length and no chunking, the end marked by closing
     * (what docker-java expects when it sends no Upgrade headers). Only for requests the
     * transport's hijack predicate accepted.
     */
    public RawStream hijack(boolean upgrade, String contentType) throws IOException {
        if (!hijackCandidate) throw new IllegalStateException("hijacking a request that is not a hijack candidate: " + uri());
        commit();
        StringBuilder head = new StringBuilder(upgrade ? "HTTP/1.1 101 UPGRADED\r\n" : "HTTP/1.1 200 OK\r\n");
        if (contentType != null) head.append("Content-Type: ").append(contentType).append("\r\n");
        if (upgrade) head.append("Connection: Upgrade\r\nUpgrade: tcp\r\n");
        head.append("\r\n");
        byte[] bytes = head.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        RawStream raw = new RawStream();
        java.util.concurrent.CompletableFuture<ChannelFuture> written = new java.util.concurrent.CompletableFuture<>();
        channel.eventLoop().execute(() -> {
            if (channel.pipeline().get(HttpTransport.ENCODER) != null) channel.pipeline().remove(HttpTransport.ENCODER);
            written.complete(channel.writeAndFlush(Unpooled.wrappedBuffer(bytes)));
        });
        try {
            raw.send(written.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("hijacking the connection was interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("hijacking the connection failed", e.getCause());
        }
        return raw;
    }

    public String method() { return request.method().name(); }

    /** The raw request target: path and query, still percent-encoded. */
    public String uri() { return request.uri(); }

    public HttpHeaders headers() { return request.headers(); }

    public RequestBody body() { return body; }

    public boolean isHead() { return request.method().equals(HttpMethod.HEAD); }

    public boolean committed() { return committed; }

    public boolean responseEnded() { return responseEnded; }

    /** Writes a complete response. {@code body} may be empty; for HEAD and 304 none is sent. */
    public void respond(int status, String contentType, byte[] content) {
        respond(status, contentType, content, java.util.Map.of());
    }

    /** As {@link #respond(int, String, byte[])}, with extra headers (e.g. the ping's cache headers). */
    public void respond(int status, String contentType, byte[] content, java.util.Map<String, String> extraHeaders) {
        commit();
        HttpResponseStatus st = HttpResponseStatus.valueOf(status);
        boolean noBody = isHead() || status == 304 || status == 204;
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, st,
                noBody || content == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(content));
        transport.addCommonHeaders(r.headers());
        extraHeaders.forEach(r.headers()::set);
        if (contentType != null) r.headers().set("Content-Type", contentType);
        if (status != 304 && status != 204)
            r.headers().setInt("Content-Length", noBody || content == null ? 0 : content.length);
        if (!keepAlive) r.headers().set("Connection", "close");
        responseEnded = true;
        endWith(channel.writeAndFlush(r));
    }

    /** Starts a chunked response; its head is flushed at once so clients see the status early. */
    public ChunkedResponse startChunked(int status, String contentType) throws IOException {
        return startChunked(status, contentType, java.util.Map.of());
    }

    /** As {@link #startChunked(int, String)}, with extra headers (e.g. the archive's path stat). */
    public ChunkedResponse startChunked(int status, String contentType, java.util.Map<String, String> extraHeaders) throws IOException {
        commit();
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        transport.addCommonHeaders(r.headers());
        extraHeaders.forEach(r.headers()::set);
        if (contentType != null) r.headers().set("Content-Type", contentType);
        r.headers().set("Transfer-Encoding", "chunked");
        if (!keepAlive) r.headers().set("Connection", "close");
        ChunkedResponse out = new ChunkedResponse();
        out.send(channel.writeAndFlush(r));
        return out;
    }

    /** Drops the connection: the only honest signal for a failure in the middle of a stream. */
    public void abort() {
        committed = true;
        responseEnded = true;
        channel.close();
    }

    private void commit() {
        if (committed) throw new IllegalStateException("response already committed");
        committed = true;
    }

    private void endWith(ChannelFuture f) {
        f.addListener(done -> {
            if (!keepAlive || !done.isSuccess()) channel.close();
            responseDone = true;
            if (!requestComplete) body.discard();
            maybeFinish();
        });
    }

    /** Event loop: the last part of the request body has arrived. */
    void requestEnded() {
        requestComplete = true;
        maybeFinish();
    }

    boolean requestComplete() { return requestComplete; }

    /** Event loop: the connection closed under this exchange. */
    void connectionLost() {
        clientGone();
        body.fail(new IOException("connection closed by the client"));
    }

    private void maybeFinish() {
        if (finished || !responseDone || !requestComplete) return;
        finished = true;
        connection.exchangeFinished(this);
    }

    /** A hijacked connection: raw bytes out, the client's bytes in (EOF when it shuts down its write side). */
    public final class RawStream implements AutoCloseable {
        private RawStream() {}

        /** The client's bytes after the request; ends at its half-close, fails if it disconnects. */
        public java.io.InputStream input() { return rawInput; }

        /** Sends and flushes; waits while the socket buffer is full. */
        public void write(byte[] data, int off, int len) throws IOException {
            if (len == 0) return;
            if (responseEnded) throw new IOException("stream already closed");
            send(channel.writeAndFlush(Unpooled.copiedBuffer(data, off, len)));
        }

        public boolean open() { return channel.isActive() && !responseEnded; }

        /** Flushes what was written and closes the connection: the end of the stream. */
        @Override public void close() {
            if (responseEnded) return;
            responseEnded = true;
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> channel.close());
        }

        private void send(ChannelFuture f) throws IOException {
            if (!channel.isActive()) throw new IOException("connection closed by the client");
            if (!channel.isWritable()) {
                try { f.await(); }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("writing the stream was interrupted");
                }
            }
            if (f.isDone() && !f.isSuccess()) throw new IOException("writing the stream failed", f.cause());
        }
    }

    /** A chunked response body. Each {@link #write} is sent and flushed as one chunk. */
    public final class ChunkedResponse implements AutoCloseable {
        private ChunkedResponse() {}

        public void write(byte[] data, int off, int len) throws IOException {
            if (len == 0) return;
            if (responseEnded) throw new IOException("response already ended");
            send(channel.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(data, off, len))));
        }

        public void write(byte[] data) throws IOException { write(data, 0, data.length); }

        /** Writes the terminating chunk. */
        public void end() throws IOException {
            if (responseEnded) return;
            responseEnded = true;
            ChannelFuture f = channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            endWith(f);
        }

        @Override public void close() throws IOException { end(); }

        // Backpressure: when the socket buffer is full, wait for the write instead of queueing
        // unbounded chunks in memory; a failed write means the client has gone.
        private void send(ChannelFuture f) throws IOException {
            if (!channel.isActive()) throw new IOException("connection closed by the client");
            if (!channel.isWritable()) {
                try { f.await(); }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("writing the response was interrupted");
                }
            }
            if (f.isDone() && !f.isSuccess()) throw new IOException("writing the response failed", f.cause());
        }
    }
}
