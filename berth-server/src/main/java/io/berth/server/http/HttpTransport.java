package io.berth.server.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * HTTP/1.1 over a unix domain socket with Netty's epoll transport. Epoll, not the JDK's unix
 * channel: Docker clients half-close their write side (stdin EOF on attach), which the JDK channel
 * cannot represent. The event loop only decodes and encodes; every exchange runs on its own
 * virtual thread because the engine does blocking I/O.
 */
public final class HttpTransport {
    /** Pipeline names; the hijack seam depends on decoder and encoder being separate handlers. */
    public static final String DECODER = "http-decoder";
    public static final String ENCODER = "http-encoder";
    public static final String EXPECT_CONTINUE = "http-expect-continue";
    public static final String CONNECTION = "berth-connection";

    private static final System.Logger LOG = System.getLogger("io.berth.server");

    private final ExchangeHandler handler;
    private final Consumer<HttpHeaders> commonHeaders;
    private final Predicate<HttpRequest> hijackCandidate;
    private final ExecutorService workers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("berth-request-", 0).factory());
    private final ChannelGroup connections = new DefaultChannelGroup("berth-connections", GlobalEventExecutor.INSTANCE);
    private final AtomicInteger inflight = new AtomicInteger();
    private final Object idle = new Object();
    private EventLoopGroup group;
    private Channel serverChannel;

    public HttpTransport(ExchangeHandler handler, Consumer<HttpHeaders> commonHeaders) {
        this(handler, commonHeaders, r -> false);
    }

    /**
     * @param hijackCandidate decided on the event loop when a request arrives: whether its handler
     *     may take over the connection ({@link HttpExchange#hijack}). For such a request the HTTP
     *     decoder is removed as soon as its body has ended, so the client's next bytes (stdin)
     *     are never parsed as HTTP; the connection is not reused for another request.
     */
    public HttpTransport(ExchangeHandler handler, Consumer<HttpHeaders> commonHeaders, Predicate<HttpRequest> hijackCandidate) {
        this.handler = handler;
        this.commonHeaders = commonHeaders;
        this.hijackCandidate = hijackCandidate;
    }

    /** Binds {@code socket} (which must not exist) and starts accepting. */
    public void bind(Path socket) throws IOException {
        if (!Epoll.isAvailable())
            throw new IOException("starting the API server: Netty epoll is unavailable", Epoll.unavailabilityCause());
        group = new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("berth-io", true), EpollIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(EpollServerDomainSocketChannel.class)
                // A client's write-side shutdown is stdin EOF on attach/exec, not a disconnect.
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<DomainSocketChannel>() {
                    @Override protected void initChannel(DomainSocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline()
                                .addLast(DECODER, new HttpRequestDecoder(new HttpDecoderConfig()
                                        // Filters and X-Registry-Auth tokens make long lines.
                                        .setMaxInitialLineLength(64 << 10)
                                        .setMaxHeaderSize(64 << 10)
                                        .setMaxChunkSize(64 << 10)))
                                .addLast(ENCODER, new HttpResponseEncoder())
                                // curl and Apache clients send Expect: 100-continue before large bodies (docker load).
                                .addLast(EXPECT_CONTINUE, new HttpServerExpectContinueHandler())
                                .addLast(CONNECTION, new ConnectionHandler(HttpTransport.this));
                    }
                });
        try {
            serverChannel = b.bind(new DomainSocketAddress(socket.toFile())).sync().channel();
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IOException("binding " + socket + ": " + e.getMessage(), e);
        }
    }

    /**
     * Stops accepting, gives running exchanges {@code grace} to finish, then closes every
     * connection (interrupting what still runs) and stops the event loops.
     */
    public void close(Duration grace) {
        if (serverChannel != null) serverChannel.close().syncUninterruptibly();
        long deadline = System.nanoTime() + grace.toNanos();
        synchronized (idle) {
            while (inflight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                try { TimeUnit.NANOSECONDS.timedWait(idle, left); }
                catch (InterruptedException e) { Thread.currentThread().interrupt(); break; }
            }
        }
        if (inflight.get() > 0) LOG.log(System.Logger.Level.WARNING, "aborting {0} unfinished request(s)", inflight.get());
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        workers.shutdownNow();
        if (group != null) group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    public int inflight() { return inflight.get(); }

    void addCommonHeaders(HttpHeaders headers) { commonHeaders.accept(headers); }

    boolean hijackCandidate(HttpRequest request) { return hijackCandidate.test(request); }

    void log(System.Logger.Level level, String msg, Throwable t) { LOG.log(level, msg, t); }

    void dispatch(HttpExchange ex) {
        inflight.incrementAndGet();
        try {
            workers.execute(() -> run(ex));
        } catch (RuntimeException rejected) { // shutting down
            done();
            ex.abort();
        }
    }

    private void run(HttpExchange ex) {
        try {
            handler.handle(ex);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "unhandled failure serving " + ex.method() + " " + ex.uri(), t);
        } finally {
            try {
                if (!ex.committed()) {
                    ex.respond(500, "text/plain; charset=utf-8",
                            "internal error: no response was produced".getBytes(StandardCharsets.UTF_8));
                } else if (!ex.responseEnded()) {
                    ex.abort();
                }
            } finally {
                done();
            }
        }
    }

    private void done() {
        if (inflight.decrementAndGet() == 0) synchronized (idle) { idle.notifyAll(); }
    }
}
