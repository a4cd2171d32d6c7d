package io.berth.engine.container;

import io.berth.api.container.LogEntry;
import io.berth.api.container.LogStream;
import io.berth.engine.runtime.K8sFileLog;
import io.berth.engine.runtime.LogQuery;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.BooleanSupplier;

/**
 * A container's log as a {@link LogStream}. Without follow it is the file's entries; with follow a
 * virtual thread tails the file ({@link K8sFileLog#stream}) into a small queue until the container has
 * stopped and the log is drained, or the reader closes.
 */
final class Logs implements LogStream {
    private static final Object END = new Object();
    private static final Duration POLL = Duration.ofMillis(50);

    private final boolean tty;
    private final Iterator<io.berth.engine.runtime.LogEntry> backlog;
    private final BlockingQueue<Object> queue;
    private final Thread tailer;
    private volatile boolean closed;
    private boolean ended;

    Logs(Path log, LogQuery q, boolean tty, BooleanSupplier finished) {
        this.tty = tty;
        if (!q.follow()) {
            backlog = K8sFileLog.read(log, q).iterator();
            queue = null;
            tailer = null;
            return;
        }
        backlog = null;
        queue = new ArrayBlockingQueue<>(256);
        tailer = Thread.ofVirtual().name("logs-" + log.getFileName()).start(() -> {
            try {
                K8sFileLog.stream(log, q, finished, e -> {
                    if (closed) return false;
                    try {
                        queue.put(e);
                    } catch (InterruptedException ie) {
                        return false;
                    }
                    return !closed;
                }, POLL);
            } catch (IOException | RuntimeException e) {
                queue.offer(e instanceof IOException io ? io : new IOException(e.getMessage(), e));
            }
            if (closed) return;
            try {
                queue.put(END);
            } catch (InterruptedException ignored) {
                // closed meanwhile
            }
        });
    }

    @Override
    public LogEntry next() throws IOException {
        if (ended || closed) return null;
        if (backlog != null) {
            if (!backlog.hasNext()) return null;
            return map(backlog.next());
        }
        Object o;
        try {
            o = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("reading logs");
        }
        if (o == END) {
            ended = true;
            return null;
        }
        if (o instanceof IOException e) {
            ended = true;
            throw e;
        }
        return map((io.berth.engine.runtime.LogEntry) o);
    }

    private static LogEntry map(io.berth.engine.runtime.LogEntry e) {
        return new LogEntry(e.time(), Sessions.map(e.stream()), e.data());
    }

    @Override public boolean tty() { return tty; }

    @Override
    public void close() {
        closed = true;
        if (tailer != null) tailer.interrupt();
    }
}
