package io.berth.engine.runtime;

import io.berth.api.BerthException;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one process seam of the runtime package: every runc and conmon invocation goes through it, so
 * tests can inject faults and the daemon can log or time them in one place. Argv is built by the pure
 * functions of {@link Commands}.
 */
public interface ProcessRunner {

    /**
     * One command to run.
     *
     * @param argv    the program (absolute path) and its arguments
     * @param env     variables added to the inherited environment
     * @param stdin   bytes written to the process's stdin, then closed; null for /dev/null
     * @param timeout after this the process is killed and the call fails with UNAVAILABLE
     */
    record Invocation(List<String> argv, Map<String, String> env, byte[] stdin, Duration timeout) {
        public Invocation {
            argv = List.copyOf(argv);
            env = Map.copyOf(env);
        }

        public static Invocation of(List<String> argv, Duration timeout) { return new Invocation(argv, Map.of(), null, timeout); }

        public Invocation withStdin(byte[] in) { return new Invocation(argv, env, in, timeout); }

        public Invocation withEnv(Map<String, String> e) { return new Invocation(argv, e, stdin, timeout); }

        /** The program's short name, for messages: "runc", "conmon". */
        public String program() {
            String p = argv.getFirst();
            return p.substring(p.lastIndexOf('/') + 1);
        }

        @Override public String toString() { return String.join(" ", argv); }
    }

    /** What a finished command left: its exit code (128+N when killed by signal N) and its output. */
    record Result(int exitCode, String stdout, String stderr) {
        /**
         * Throws unless the exit code is 0, as "runc kill failed: container not running", naming the
         * verb the caller gives and the runtime's own words (runc logs a logrus line; its msg is
         * extracted by {@link Commands#runtimeMessage}).
         */
        public Result check(String what) {
            if (exitCode == 0) return this;
            String msg = Commands.runtimeMessage(stderr.isBlank() ? stdout : stderr);
            throw new BerthException(Commands.kindOf(msg), what + " failed: " + (msg.isBlank() ? "exit status " + exitCode : msg));
        }
    }

    /** Runs the command to completion, capturing stdout and stderr. Fails only when it cannot run or times out. */
    Result run(Invocation inv);

    /**
     * Starts a process with piped stdin and stdout (stderr discarded) and returns it at once; used for
     * conmon, whose pipes carry its sync protocol. The caller owns the process.
     */
    Process spawn(Invocation inv);

    /**
     * Starts conmon with its sync protocol's pipes in place: the child's fd 3 is a pipe whose other end
     * is the returned process's {@link Process#getInputStream}, its fd 4 one fed by
     * {@link Process#getOutputStream}; 0-2 are /dev/null. Unlike {@link #spawn}, the pipes stay open
     * after the child exits (conmon's daemonised grandchild keeps writing fd 3). The caller owns the
     * process and closes both streams.
     */
    Process spawnConmon(Invocation inv);

    /** Runs commands as child processes of this JVM. */
    static ProcessRunner system() { return new SystemRunner(); }

    final class SystemRunner implements ProcessRunner {
        private static final File DEV_NULL = new File("/dev/null");

        @Override
        public Result run(Invocation inv) {
            Process p = start(inv, true);
            // Read both pipes concurrently: a runtime that fills one while we block on the other would hang.
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()), Thread::startVirtualThread);
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()), Thread::startVirtualThread);
            try {
                if (inv.stdin() != null) {
                    try (OutputStream os = p.getOutputStream()) {
                        os.write(inv.stdin());
                    } catch (IOException ignored) {
                        // the process exited without reading everything; its exit code tells what happened
                    }
                }
                if (!p.waitFor(inv.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw BerthException.unavailable("running %s: timed out after %s", inv, inv.timeout());
                }
                return new Result(p.exitValue(), out.join(), err.join());
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw BerthException.unavailable("running %s: interrupted", inv);
            }
        }

        @Override
        public Process spawn(Invocation inv) { return start(inv, false); }

        @Override
        public Process spawnConmon(Invocation inv) { return PipeSpawn.spawn(inv.argv(), inv.env()); }

        private static Process start(Invocation inv, boolean captureErr) {
            ProcessBuilder pb = new ProcessBuilder(inv.argv());
            pb.environment().putAll(inv.env());
            if (inv.stdin() == null && captureErr) pb.redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
            if (!captureErr) pb.redirectError(ProcessBuilder.Redirect.DISCARD);
            try {
                return pb.start();
            } catch (IOException e) {
                throw new BerthException(BerthException.Kind.UNAVAILABLE, "running " + inv.program() + ": " + e.getMessage(), e);
            }
        }

        private static String readAll(InputStream in) {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }
    }
}
