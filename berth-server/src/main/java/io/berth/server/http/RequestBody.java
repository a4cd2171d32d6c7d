package io.berth.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The request body as a blocking stream, fed by the event loop and read by the handler's virtual
 * thread. Bodies are never aggregated in memory (a {@code docker load} tar can be gigabytes): when
 * more than {@link #HIGH_WATER} bytes are queued the channel stops reading from the socket, and
 * it resumes once the reader has drained below {@link #LOW_WATER}.
 */
public final class RequestBody extends InputStream {
    static final int HIGH_WATER = 1 << 20;
    static final int LOW_WATER = 256 << 10;

    private final Channel channel;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean ended;
    private boolean discarding;
    private boolean paused;
    private IOException failure;

    RequestBody(Channel channel) { this.channel = channel; }

    /** Event loop: takes ownership of {@code content}. Returns true when it was the last part. */
    boolean offer(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        lock.lock();
        try {
            ByteBuf buf = content.content();
            if (discarding || !buf.isReadable()) {
                content.release();
            } else {
                queue.add(buf);
                queuedBytes += buf.readableBytes();
                if (queuedBytes > HIGH_WATER && !paused) {
                    paused = true;
                    channel.config().setAutoRead(false);
                }
            }
            if (last) ended = true;
            readable.signalAll();
        } finally {
            lock.unlock();
        }
        return last;
    }

    /** Event loop: the connection went away before the body ended. */
    void fail(IOException e) {
        lock.lock();
        try {
            if (!ended) failure = e;
            readable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Drops what is queued and anything still to come; the connection reads on. */
    void discard() {
        lock.lock();
        try {
            discarding = true;
            queue.forEach(ByteBuf::release);
            queue.clear();
            queuedBytes = 0;
            resumeLocked();
            readable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean ended() {
        lock.lock();
        try { return ended; } finally { lock.unlock(); }
    }

    @Override public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        lock.lock();
        try {
            while (queue.isEmpty() && !ended && failure == null && !discarding) readable.await();
            if (queue.isEmpty()) {
                if (failure != null) throw failure;
                if (discarding && !ended) throw new IOException("request body was discarded");
                return -1;
            }
            ByteBuf head = queue.peek();
            int n = Math.min(len, head.readableBytes());
            head.readBytes(b, off, n);
            if (!head.isReadable()) queue.poll().release();
            queuedBytes -= n;
            if (paused && queuedBytes < LOW_WATER) resumeLocked();
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("reading the request body was interrupted");
        } finally {
            lock.unlock();
        }
    }

    @Override public int available() {
        lock.lock();
        try { return (int) Math.min(Integer.MAX_VALUE, queuedBytes); } finally { lock.unlock(); }
    }

    /** Closing the stream early means the handler does not want the rest. */
    @Override public void close() { discard(); }

    private void resumeLocked() {
        if (!paused) return;
        paused = false;
        channel.eventLoop().execute(() -> channel.config().setAutoRead(true));
    }
}
