package io.berth.engine.runtime;

import io.berth.api.BerthException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running exec process under its own conmon. Its output arrives through {@link #attach()} (connected
 * before the process started, so nothing is missed); its exit code comes from conmon's sync pipe, or
 * from the exit file when this JVM-side object was lost and a new daemon asks again
 * ({@link ConmonRuntime#execExitCode}).
 *
 * <p>{@link #close()} detaches and releases the pipes; the process itself keeps running until it exits.
 */
public final class ExecProcess implements AutoCloseable {
    private final String containerId;
    private final String execId;
    private final Path execDir;
    private final int pid;
    private final AttachSession attach;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final Process conmon;

    ExecProcess(String containerId, String execId, Path execDir, int pid, AttachSession attach, ConmonSync sync, Process conmon) {
        this.containerId = containerId;
        this.execId = execId;
        this.execDir = execDir;
        this.pid = pid;
        this.attach = attach;
        this.conmon = conmon;
        // The third sync message is the exit code; conmon sends it after draining output and writing the exit file.
        Thread.ofVirtual().name("exec-exit-" + execId).start(() -> {
            try {
                ConmonSync.Message m = sync.next();
                if (m != null) {
                    exit.complete(m.data());
                    return;
                }
                // Pipe closed without a message: conmon died or was killed; fall back to the exit file.
                OptionalInt code = ConmonRuntime.readExitFile(execDir.resolve("exit").resolve(containerId));
                if (code.isPresent()) exit.complete(code.getAsInt());
                else exit.completeExceptionally(BerthException.unavailable("exec %s in %s: conmon exited without an exit code", execId, containerId));
            } catch (Throwable t) {
                exit.completeExceptionally(t);
            }
        });
    }

    public String execId() { return execId; }

    /** The process id on the host. */
    public int pid() { return pid; }

    /** The output frames and stdin of the process. */
    public AttachSession attach() { return attach; }

    /** Sets the terminal size (exec with a terminal): conmon's ctl fifo in the exec directory. */
    public void resize(int height, int width) {
        // As for containers: conmon's ctl fifo outlives the process for a moment, so the exit decides.
        ConmonRuntime.checkSize(height, width, "exec " + execId);
        if (exit.isDone() || ConmonRuntime.readExitFile(execDir.resolve("exit").resolve(containerId)).isPresent())
            throw BerthException.conflict("resizing exec %s: exec %s is not running", execId, execId);
        ConmonRuntime.writeCtl(execDir.resolve("ctl"), height, width, "exec " + execId);
    }

    /** Blocks until the process exits; returns its exit code (128+N when killed by signal N). */
    public int waitFor() {
        try {
            return exit.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BerthException.unavailable("waiting for exec %s: interrupted", execId);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof BerthException b ? b : BerthException.internal("waiting for exec " + execId, e.getCause());
        }
    }

    /** {@link #waitFor()} with a deadline: empty when the process still runs. */
    public OptionalInt waitFor(Duration timeout) {
        try {
            return OptionalInt.of(exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            return OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof BerthException b ? b : BerthException.internal("waiting for exec " + execId, e.getCause());
        }
    }

    /** Completes with the exit code. */
    public CompletableFuture<Integer> onExit() { return exit.copy(); }

    /** Closes stdin, reads all output, waits for the exit code. */
    public ExecRuntime.ExecResult collect() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            attach.closeStdin();
            attach.pump((s, d) -> (s == StdStream.STDERR ? err : out).write(d));
        } catch (IOException e) {
            throw new UncheckedIOException("reading output of exec " + execId, e);
        }
        return new ExecRuntime.ExecResult(waitFor(), out.toByteArray(), err.toByteArray());
    }

    /** The exec's k8s-file log, which conmon writes as well. */
    public Path logPath() { return execDir.resolve("log"); }

    @Override
    public void close() {
        attach.close();
        try {
            OutputStream start = conmon.getOutputStream();
            start.close();
        } catch (IOException ignored) {
            // already closed
        }
        if (exit.isDone()) {
            try {
                conmon.getInputStream().close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // cleanup is best effort
        }
    }
}
