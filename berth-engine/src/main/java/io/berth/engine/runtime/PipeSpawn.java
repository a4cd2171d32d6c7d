package io.berth.engine.runtime;

import io.berth.api.BerthException;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Starts conmon the way its sync protocol wants, with one {@code posix_spawn(3)} through FFM: the
 * child's fd 3 is the write end of a pipe we read ({@link Process#getInputStream}), its fd 4 the read
 * end of a pipe we write ({@link Process#getOutputStream}), 0-2 are /dev/null, every other descriptor
 * is closed, the signal mask is empty and every signal has its default action.
 *
 * <p>Why not {@link ProcessBuilder}: it passes only fds 0-2, so conmon needed a shell wrapper to move
 * the pipes to 3 and 4 (and, for a create, a {@code cat} to keep the pipes open after conmon's first
 * process exits, because the JDK closes a child's pipes when it exits); and the JDK launches through
 * its own helper binary. That was three process images before conmon's own (jspawnhelper, sh, cat)
 * and ~5 ms per container start and per exec. Here the pipes belong to this class, not to the
 * child's lifetime, so conmon's daemonised child keeps writing to fd 3 after the first process is
 * gone, with nothing in between.
 *
 * <p>The child is this JVM's, so it is reaped here: one small platform thread per child blocks in
 * {@code waitpid} (as the JDK's own process reaper does); for a create that is milliseconds, for an
 * exec ({@code --sync}) as long as the exec runs.
 */
final class PipeSpawn {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final MemoryLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle PIPE2 = fn("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), true);
    private static final MethodHandle FCNTL = fn("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), true,
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), true);
    private static final MethodHandle KILL = fn("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), true);
    private static final MethodHandle WAITPID = fn("waitpid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), true);
    // The posix_spawn family returns the error number instead of setting errno.
    private static final MethodHandle SPAWN = fn("posix_spawn",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS), false);
    private static final MethodHandle FA_INIT = fn("posix_spawn_file_actions_init", FunctionDescriptor.of(JAVA_INT, ADDRESS), false);
    private static final MethodHandle FA_DESTROY = fn("posix_spawn_file_actions_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS), false);
    private static final MethodHandle FA_DUP2 = fn("posix_spawn_file_actions_adddup2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), false);
    private static final MethodHandle FA_OPEN = fn("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), false);
    /** glibc 2.34+ (Debian 12 has 2.36): closes every descriptor from the given one up in the child. */
    private static final MethodHandle FA_CLOSEFROM = fn("posix_spawn_file_actions_addclosefrom_np",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), false);
    private static final MethodHandle ATTR_INIT = fn("posix_spawnattr_init", FunctionDescriptor.of(JAVA_INT, ADDRESS), false);
    private static final MethodHandle ATTR_DESTROY = fn("posix_spawnattr_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS), false);
    private static final MethodHandle ATTR_SETFLAGS = fn("posix_spawnattr_setflags", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), false);
    private static final MethodHandle ATTR_SETSIGMASK = fn("posix_spawnattr_setsigmask", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), false);
    private static final MethodHandle ATTR_SETSIGDEFAULT = fn("posix_spawnattr_setsigdefault", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), false);
    private static final MethodHandle SIGEMPTYSET = fn("sigemptyset", FunctionDescriptor.of(JAVA_INT, ADDRESS), false);
    private static final MethodHandle SIGFILLSET = fn("sigfillset", FunctionDescriptor.of(JAVA_INT, ADDRESS), false);

    private static final int O_RDONLY = 0, O_WRONLY = 1, O_CLOEXEC = 02000000, F_DUPFD_CLOEXEC = 1030;
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final int EINTR = 4, ECHILD = 10, SIGTERM = 15, SIGKILL = 9;
    /** Opaque glibc types, allocated generously (x86_64: file actions 80 bytes, attr 336, sigset 128). */
    private static final long FA_SIZE = 256, ATTR_SIZE = 512, SIGSET_SIZE = 256;
    /** The child's descriptors for the two pipes: conmon's _OCI_SYNCPIPE / _OCI_STARTPIPE convention. */
    static final int CHILD_SYNC_FD = 3, CHILD_START_FD = 4;

    private static final ExecutorService REAPERS = Executors.newThreadPerTaskExecutor(
            Thread.ofPlatform().name("conmon-reaper-", 0).daemon(true).stackSize(64 * 1024).factory());

    private PipeSpawn() {}

    /**
     * Spawns {@code /bin/true} once, ahead of the first container: binding the downcalls and linking
     * each call site costs a few hundred ms in a cold JVM, which the first start would otherwise pay.
     */
    static void warm() {
        try {
            Process p = spawn(List.of("/bin/true"), Map.of());
            p.getOutputStream().close();
            p.getInputStream().close();
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (Exception | LinkageError e) {
            // only a warm-up: the first real spawn reports whatever is wrong
        }
    }

    private static MethodHandle fn(String name, FunctionDescriptor d, boolean errno, Linker.Option... extra) {
        MemorySegment a = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        Linker.Option[] opts = java.util.Arrays.copyOf(extra, extra.length + (errno ? 1 : 0));
        if (errno) opts[extra.length] = Linker.Option.captureCallState("errno");
        return LINKER.downcallHandle(a, d, opts);
    }

    /**
     * Spawns {@code argv} (an absolute path first) with {@code env} added to this process's environment.
     * Fails with UNAVAILABLE naming the program when it cannot be started.
     */
    static Process spawn(List<String> argv, Map<String, String> env) {
        String program = argv.getFirst();
        int[] sync = null, start = null;
        try (Arena arena = Arena.ofConfined()) {
            sync = pipe(arena);   // [read, write]: the child writes fd 3, we read
            start = pipe(arena);  // [read, write]: the child reads fd 4, we write
            MemorySegment fa = arena.allocate(FA_SIZE, 16);
            MemorySegment attr = arena.allocate(ATTR_SIZE, 16);
            check((int) FA_INIT.invokeExact(fa), "posix_spawn_file_actions_init");
            check((int) ATTR_INIT.invokeExact(attr), "posix_spawnattr_init");
            try {
                MemorySegment devNull = arena.allocateFrom("/dev/null");
                check((int) FA_OPEN.invokeExact(fa, 0, devNull, O_RDONLY, 0), "addopen");
                check((int) FA_OPEN.invokeExact(fa, 1, devNull, O_WRONLY, 0), "addopen");
                check((int) FA_OPEN.invokeExact(fa, 2, devNull, O_WRONLY, 0), "addopen");
                // Sources are >= 5 (see pipe), so neither dup2 overwrites the other's source.
                check((int) FA_DUP2.invokeExact(fa, sync[1], CHILD_SYNC_FD), "adddup2");
                check((int) FA_DUP2.invokeExact(fa, start[0], CHILD_START_FD), "adddup2");
                check((int) FA_CLOSEFROM.invokeExact(fa, CHILD_START_FD + 1), "addclosefrom_np");
                MemorySegment none = arena.allocate(SIGSET_SIZE, 8), all = arena.allocate(SIGSET_SIZE, 8);
                check((int) SIGEMPTYSET.invokeExact(none), "sigemptyset");
                check((int) SIGFILLSET.invokeExact(all), "sigfillset");
                check((int) ATTR_SETSIGMASK.invokeExact(attr, none), "setsigmask");
                check((int) ATTR_SETSIGDEFAULT.invokeExact(attr, all), "setsigdefault");
                check((int) ATTR_SETFLAGS.invokeExact(attr, (int) (POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)), "setflags");

                MemorySegment pid = arena.allocate(JAVA_INT);
                int rc = (int) SPAWN.invokeExact(pid, arena.allocateFrom(program), fa, attr,
                        strings(arena, argv), strings(arena, environment(env)));
                if (rc != 0) throw BerthException.unavailable("running %s: %s", program, strerror(rc));
                int child = pid.get(JAVA_INT, 0);
                close(sync[1]);
                close(start[0]);
                int readFd = sync[0], writeFd = start[1];
                sync = null; // from here on the process object owns (and closes) them
                start = null;
                return new SpawnedProcess(child, readFd, writeFd);
            } finally {
                int ignored1 = (int) FA_DESTROY.invokeExact(fa);
                int ignored2 = (int) ATTR_DESTROY.invokeExact(attr);
            }
        } catch (BerthException e) {
            throw e;
        } catch (Throwable t) {
            throw BerthException.unavailable("running %s: %s", program, t.toString());
        } finally {
            if (sync != null) for (int fd : sync) close(fd);
            if (start != null) for (int fd : start) close(fd);
        }
    }

    /** A close-on-exec pipe whose ends are >= 5, clear of the child's 0-4. */
    private static int[] pipe(Arena arena) throws Throwable {
        MemorySegment fds = arena.allocate(JAVA_INT, 2);
        MemorySegment st = arena.allocate(STATE);
        if ((int) PIPE2.invokeExact(st, fds, O_CLOEXEC) != 0) throw new IOException("pipe2: " + strerror((int) ERRNO.get(st, 0L)));
        int[] out = {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        for (int i = 0; i < 2; i++) {
            if (out[i] > CHILD_START_FD) continue;
            int moved = (int) FCNTL.invokeExact(st, out[i], F_DUPFD_CLOEXEC, CHILD_START_FD + 1);
            if (moved < 0) {
                int e = (int) ERRNO.get(st, 0L);
                close(out[0]);
                close(out[1]);
                throw new IOException("fcntl(F_DUPFD_CLOEXEC): " + strerror(e));
            }
            close(out[i]);
            out[i] = moved;
        }
        return out;
    }

    private static List<String> environment(Map<String, String> add) {
        Map<String, String> all = new TreeMap<>(System.getenv());
        all.putAll(add);
        return all.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    }

    private static MemorySegment strings(Arena arena, List<String> l) {
        MemorySegment arr = arena.allocate(ADDRESS, l.size() + 1);
        for (int i = 0; i < l.size(); i++) {
            String s = l.get(i);
            if (s.indexOf('\0') >= 0) throw new IllegalArgumentException("NUL byte in an argument or variable");
            arr.setAtIndex(ADDRESS, i, arena.allocateFrom(s));
        }
        arr.setAtIndex(ADDRESS, l.size(), MemorySegment.NULL);
        return arr;
    }

    private static void check(int rc, String what) throws IOException {
        if (rc != 0) throw new IOException(what + ": " + strerror(rc));
    }

    private static String strerror(int errno) {
        return switch (errno) {
            case 2 -> "no such file or directory";
            case 13 -> "permission denied";
            case 8 -> "exec format error";
            case 12 -> "out of memory";
            case 24 -> "too many open files";
            case 11 -> "resource temporarily unavailable";
            default -> "errno " + errno;
        };
    }

    static void close(int fd) {
        if (fd < 0) return;
        try (Arena a = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(a.allocate(STATE), fd);
        } catch (Throwable ignored) {
            // nothing to do: the descriptor is gone either way (close never retries on Linux)
        }
    }

    /** Blocks until {@code pid} (our child) exits and reaps it; its exit code, 128+N for death by signal N. */
    private static int waitFor(int pid) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment status = a.allocate(JAVA_INT);
            MemorySegment st = a.allocate(STATE);
            while (true) {
                int r = (int) WAITPID.invokeExact(st, pid, status, 0);
                if (r == pid) {
                    int s = status.get(JAVA_INT, 0);
                    int sig = s & 0x7f;
                    return sig == 0 ? (s >> 8) & 0xff : 128 + sig;
                }
                int e = (int) ERRNO.get(st, 0L);
                if (r < 0 && e == EINTR) continue;
                if (r < 0 && e == ECHILD) return 255; // reaped elsewhere: nothing left to learn
                return 255;
            }
        } catch (Throwable t) {
            return 255;
        }
    }

    /** The spawned child as a {@link Process}: its exit from the reaper, its pipes as streams. */
    private static final class SpawnedProcess extends Process {
        private final int pid;
        private final InputStream in;
        private final OutputStream out;
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();

        SpawnedProcess(int pid, int readFd, int writeFd) throws IOException {
            this.pid = pid;
            REAPERS.execute(() -> exit.complete(PipeSpawn.waitFor(pid))); // first: the child must be reaped whatever happens below
            // A stream on /proc/self/fd/N is a second open file of the same pipe, read and written the
            // JDK's way (virtual threads compensate for the blocking call); the raw descriptor can go.
            try {
                this.in = new FileInputStream("/proc/self/fd/" + readFd);
                try {
                    this.out = new FileOutputStream("/proc/self/fd/" + writeFd);
                } catch (IOException e) {
                    in.close();
                    throw e;
                }
            } finally {
                close(readFd);
                close(writeFd);
            }
        }

        @Override public OutputStream getOutputStream() { return out; }
        @Override public InputStream getInputStream() { return in; }
        @Override public InputStream getErrorStream() { return InputStream.nullInputStream(); }

        @Override
        public int waitFor() throws InterruptedException {
            try {
                return exit.get();
            } catch (java.util.concurrent.ExecutionException e) {
                return 255;
            }
        }

        @Override
        public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
            try {
                exit.get(timeout, unit);
                return true;
            } catch (TimeoutException e) {
                return false;
            } catch (java.util.concurrent.ExecutionException e) {
                return true;
            }
        }

        @Override
        public int exitValue() {
            Integer v = exit.getNow(null);
            if (v == null) throw new IllegalThreadStateException("process " + pid + " has not exited");
            return v;
        }

        @Override public void destroy() { signal(SIGTERM); }

        @Override
        public Process destroyForcibly() {
            signal(SIGKILL);
            return this;
        }

        private void signal(int sig) {
            if (exit.isDone()) return; // reaped: the pid may belong to someone else by now
            try (Arena a = Arena.ofConfined()) {
                int ignored = (int) KILL.invokeExact(a.allocate(STATE), pid, sig);
            } catch (Throwable ignored) {
                // gone already
            }
        }

        @Override public boolean isAlive() { return !exit.isDone(); }
        @Override public long pid() { return pid; }
        @Override public CompletableFuture<Process> onExit() { return exit.thenApply(c -> this); }
    }
}
