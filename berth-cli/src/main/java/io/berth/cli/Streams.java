package io.berth.cli;

import io.berth.api.container.AttachSession;
import io.berth.api.container.StdStream;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Moving bytes between the terminal and an attach/exec session, like docker's hijack.go: stdin
 * is copied on its own thread and half-closed at its end (the process sees EOF) while output keeps
 * flowing; the command ends when the daemon closes the stream. Raw terminal mode through
 * {@code stty}, restored in {@link RawMode#close()}.
 */
final class Streams {
    private Streams() { }

    /** Pumps stdin (when the session takes it) and output until the stream ends. */
    static void pump(AttachSession s, InputStream in, PrintStream out, PrintStream err) throws IOException {
        OutputStream stdin = s.stdin();
        if (stdin != null) {
            Thread t = Thread.ofPlatform().daemon().name("berth-stdin").start(() -> {
                byte[] buf = new byte[32768];
                try {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        if (n == 0) continue;
                        stdin.write(buf, 0, n);
                    }
                } catch (IOException ignored) {
                    // The stream ended under us (process exited): nothing left to send to.
                } finally {
                    try { stdin.close(); } catch (IOException ignored) { /* already gone */ }
                }
            });
            t.setUncaughtExceptionHandler((th, e) -> { });
        }
        AttachSession.Frame f;
        while ((f = s.read()) != null) {
            PrintStream to = f.stream() == StdStream.STDERR ? err : out;
            to.write(f.data(), 0, f.data().length);
            to.flush();
        }
        out.flush();
    }

    /**
     * Runs {@code action} on each delivery of the named signal (WINCH, INT, TERM) until closed; the
     * previous handler comes back on close. Where the JVM refuses the signal this is a no-op.
     */
    @SuppressWarnings("removal")
    static AutoCloseable onSignal(String name, Runnable action) {
        try {
            sun.misc.Signal sig = new sun.misc.Signal(name);
            sun.misc.SignalHandler previous = sun.misc.Signal.handle(sig, s -> {
                // Off the signal thread: the action makes an HTTP call.
                Thread.ofVirtual().start(action);
            });
            return () -> sun.misc.Signal.handle(sig, previous);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return () -> { };
        }
    }

    /** Closes quietly what {@link #onSignal} returned. */
    static void closeAll(List<AutoCloseable> handlers) {
        for (AutoCloseable c : handlers) {
            try { c.close(); } catch (Exception ignored) { /* restoring a handler cannot meaningfully fail */ }
        }
    }

    /** The local terminal's size as {rows, cols}, from {@code stty size}; null when there is none. */
    static int[] terminalSize() {
        try {
            String s = stty("size").strip();
            String[] p = s.split("\\s+");
            if (p.length != 2) return null;
            return new int[]{Integer.parseInt(p[0]), Integer.parseInt(p[1])};
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    static String stty(String... args) throws IOException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "stty";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectInput(new File("/dev/tty")).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) throw new IOException("stty " + String.join(" ", args) + " failed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running stty");
        }
        return out;
    }

    /** The terminal in raw mode (no echo, no line editing, no signals) for a TTY session; close restores it. */
    static final class RawMode implements AutoCloseable {
        private final String saved;

        private RawMode(String saved) { this.saved = saved; }

        /** Null when there is no terminal to switch (stdin is a pipe). */
        static RawMode enter() {
            try {
                String saved = stty("-g").strip();
                stty("raw", "-echo");
                return new RawMode(saved);
            } catch (IOException e) {
                return null;
            }
        }

        @Override public void close() {
            try { stty(saved); } catch (IOException ignored) { /* nothing better to do on the way out */ }
        }
    }
}
