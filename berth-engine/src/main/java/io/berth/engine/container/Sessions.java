package io.berth.engine.container;

import io.berth.api.container.AttachOptions;
import io.berth.api.container.AttachSession;
import io.berth.api.container.StdStream;
import io.berth.engine.runtime.ExecProcess;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/** The API's {@link AttachSession}s over the runtime's conmon attach sockets. */
final class Sessions {
    private Sessions() {}

    static StdStream map(io.berth.engine.runtime.StdStream s) {
        return s == io.berth.engine.runtime.StdStream.STDERR ? StdStream.STDERR : StdStream.STDOUT;
    }

    /**
     * A container attach. The socket may not exist yet: attached to a created (or exited) container,
     * the session waits until start has created the conmon and connected it, before the process runs,
     * so no output is lost. {@code replay} holds log frames to send first ({@code logs=true}).
     */
    static final class ContainerAttach implements AttachSession {
        final CompletableFuture<io.berth.engine.runtime.AttachSession> conn = new CompletableFuture<>();
        private final AttachOptions options;
        private final boolean tty;
        private final boolean stdinOpen;
        private final Supplier<Integer> exitCode;
        private final Deque<Frame> replay = new ArrayDeque<>();
        private final Runnable onClose;
        private volatile boolean closed, ended;
        private final OutputStream stdin;

        ContainerAttach(AttachOptions options, boolean tty, boolean stdinOpen, Supplier<Integer> exitCode, Runnable onClose) {
            this.options = options;
            this.tty = tty;
            this.stdinOpen = stdinOpen;
            this.exitCode = exitCode;
            this.onClose = onClose;
            this.stdin = options.stdin() && stdinOpen ? new OutputStream() {
                @Override public void write(int b) throws IOException { write(new byte[]{(byte) b}, 0, 1); }

                @Override public void write(byte[] b, int off, int len) throws IOException {
                    io.berth.engine.runtime.AttachSession s = await();
                    if (s == null) throw new IOException("attach session closed");
                    s.stdin().write(b, off, len);
                }

                @Override public void close() throws IOException {
                    io.berth.engine.runtime.AttachSession s = await();
                    if (s != null) s.closeStdin();
                }
            } : null;
        }

        void addReplay(Frame f) { replay.add(f); }

        private io.berth.engine.runtime.AttachSession await() throws IOException {
            try {
                return conn.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("waiting for the container to start");
            } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                return null;
            }
        }

        @Override
        public Frame read() throws IOException {
            if (!replay.isEmpty()) return replay.poll();
            if (closed || ended) return null;
            io.berth.engine.runtime.AttachSession s = await();
            if (s == null) return null;
            for (;;) {
                io.berth.engine.runtime.AttachSession.Frame f = s.read();
                if (f == null) {
                    ended = true;
                    return null;
                }
                StdStream st = map(f.stream());
                if (st == StdStream.STDOUT && !options.stdout() || st == StdStream.STDERR && !options.stderr()) continue;
                return new Frame(st, f.data());
            }
        }

        @Override public OutputStream stdin() { return stdin; }

        @Override public boolean tty() { return tty; }

        private Integer code;

        @Override public synchronized Integer exitCode() {
            if (ended && code == null) code = exitCode.get();
            return code;
        }

        @Override
        public void close() {
            closed = true;
            if (!conn.complete(null)) {
                io.berth.engine.runtime.AttachSession s = conn.getNow(null);
                if (s != null) s.close();
            }
            onClose.run();
        }
    }

    /** An exec's stdio; the exit code is final before {@link #read()} returns null. */
    static final class ExecAttach implements AttachSession {
        private final ExecProcess process;
        private final boolean tty;
        private final boolean withStdin;
        private final java.util.function.IntConsumer recordExit;
        private volatile Integer code;

        ExecAttach(ExecProcess process, boolean tty, boolean withStdin, java.util.function.IntConsumer recordExit) {
            this.process = process;
            this.tty = tty;
            this.withStdin = withStdin;
            this.recordExit = recordExit;
        }

        @Override
        public Frame read() throws IOException {
            if (code != null) return null;
            io.berth.engine.runtime.AttachSession.Frame f = process.attach().read();
            if (f != null) return new Frame(map(f.stream()), f.data());
            int c = process.waitFor();
            recordExit.accept(c);
            code = c;
            return null;
        }

        @Override public OutputStream stdin() { return withStdin ? process.attach().stdin() : null; }

        @Override public boolean tty() { return tty; }

        @Override public Integer exitCode() { return code; }

        @Override public void close() { process.close(); }
    }
}
