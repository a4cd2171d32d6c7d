package io.berth.engine.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.api.BerthException;
import io.berth.engine.sys.ErrnoException;
import io.berth.engine.sys.Fd;
import io.berth.engine.sys.Syscalls;
import io.berth.engine.sys.Trace;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The OCI runtime (runc by default) driven through conmon: conmon is each container's parent, holds its
 * stdio, writes its k8s-file log and records its exit code, so containers outlive the daemon.
 *
 * <h2>How create works</h2>
 * conmon double-forks and its first process returns at once. It runs {@code runc create} itself and
 * reports on its sync pipe (see {@link Commands}): the init pid, or runc's stderr when create failed. We
 * wait for that message (bounded by {@link RuntimeConfig#timeout()}), so {@code create} returns exactly
 * when the container is created, and a failure carries runc's words, e.g. "runc create failed: unable
 * to start container process: exec: \"/nope\": stat /nope: no such file or directory".
 *
 * <h2>Files</h2>
 * Per container under {@code containerDir/ID} ({@link ContainerFiles}): conmon and init pid files, the
 * runtime name, exec directories. conmon adds {@code ctl} and {@code winsz} fifos and the {@code attach}
 * socket to the bundle (and, for an exec, to the exec directory) and a symlink {@code socketDir/ID} to
 * that directory; the exit code goes to {@code exitDir/ID}. Resize writes {@code "1 H W\n"} to ctl
 * (message type 1; type 2 reopens the log); conmon relays it to winsz and sets the pty size (writing
 * {@code "H W\n"} to winsz directly works too, but ctl is the interface conmon documents).
 */
public final class ConmonRuntime implements OciRuntime, ExecRuntime, ContainerIo, ContainerMonitor {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final System.Logger LOG = System.getLogger(ConmonRuntime.class.getName());
    private final RuntimeConfig cfg;
    private final ProcessRunner runner;
    /** Which runtime each container uses; read back from its runtime file after a restart. */
    private final Map<String, String> runtimeOf = new ConcurrentHashMap<>();

    public ConmonRuntime(RuntimeConfig cfg, ProcessRunner runner) {
        this.cfg = cfg;
        this.runner = runner;
        this.exitWatch = new ExitWatch(cfg.exitDir());
        // Binding the native calls of the conmon spawn takes a few hundred ms once; not in the first start.
        Thread.ofPlatform().daemon(true).name("conmon-spawn-warmup").start(PipeSpawn::warm);
    }

    public ConmonRuntime(RuntimeConfig cfg) { this(cfg, ProcessRunner.system()); }

    public RuntimeConfig config() { return cfg; }

    // ---- lifecycle ---------------------------------------------------------------------------------

    @Override
    public CreatedContainer create(String id, Path bundle, CreateOptions o) {
        String rt = cfg.runtimeName(o.runtime());
        cfg.runtimePath(rt); // fails early on an unknown runtime name
        ContainerFiles files = ContainerFiles.of(cfg, id);
        try {
            Files.createDirectories(files.dir());
            Files.createDirectories(o.exitDir());
            Files.createDirectories(o.socketDir());
            Files.createDirectories(o.logPath().toAbsolutePath().getParent());
            Files.createDirectories(cfg.runtimeRoot(rt));
            // A restarted container reuses its id: an old exit code or pid must not be taken for the new one.
            Files.deleteIfExists(o.exitDir().resolve(id));
            Files.deleteIfExists(o.containerPidFile());
            Files.deleteIfExists(o.conmonPidFile());
            Files.writeString(files.runtimeFile(), rt);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.INTERNAL, "creating container " + id + ": " + e.getMessage(), e);
        }
        runtimeOf.put(id, rt);
        Trace.Laps t = Trace.laps("conmon-create", id);
        List<String> conmon = Commands.conmonCreate(cfg, id, bundle.toAbsolutePath(), o.withRuntime(rt));
        Process p = runner.spawnConmon(new ProcessRunner.Invocation(conmon, Commands.syncEnv(false), null, cfg.timeout()));
        t.lap("spawn");
        // A create has no start pipe (conmon reads none without _OCI_STARTPIPE): its end is just closed.
        try (OutputStream unused = p.getOutputStream(); InputStream syncIn = p.getInputStream()) {
            ConmonSync.Message m = new ConmonSync(syncIn, "creating container " + id).next(cfg.timeout());
            t.lap("sync");
            if (m == null || m.failed()) {
                String why = m == null ? "conmon exited without reporting (is " + cfg.conmon() + " a working conmon 2.x?)"
                        : createFailure(rt, Commands.runtimeMessage(m.message()));
                cleanupFailedCreate(id, rt, files);
                throw new BerthException(m == null ? BerthException.Kind.UNAVAILABLE : Commands.kindOf(why), "creating container " + id + ": " + why);
            }
            // conmon's first process writes the daemon's pid file right after its fork, long before
            // the daemon sends the message; the loop below only covers a descheduled first process.
            OptionalInt conmonPid = readPid(o.conmonPidFile());
            for (int i = 0; i < 100 && conmonPid.isEmpty(); i++) { // only if the first process was descheduled after its fork
                sleep(10);
                conmonPid = readPid(o.conmonPidFile());
            }
            t.lap("pidfile");
            t.end();
            return new CreatedContainer(id, m.data(), conmonPid.orElse(0));
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.INTERNAL, "creating container " + id + ": " + e.getMessage(), e);
        } catch (BerthException e) {
            if (e.kind() == BerthException.Kind.UNAVAILABLE && e.getMessage().contains("did not report")) {
                readPid(o.conmonPidFile()).ifPresent(pid -> kill9(pid));
                p.destroyForcibly();
                cleanupFailedCreate(id, rt, files);
            }
            throw e;
        }
    }

    private void cleanupFailedCreate(String id, String rt, ContainerFiles files) {
        runner.run(ProcessRunner.Invocation.of(Commands.delete(cfg, rt, id, true), cfg.timeout()));
        deleteTree(files.dir());
        runtimeOf.remove(id);
    }

    @Override
    public void start(String id) {
        String rt = rt(id);
        if (startThroughFifo(id, rt)) return;
        runtime(id, "start", Commands.start(cfg, rt, id));
    }

    /**
     * Starts a runc container the way {@code runc start} does, without the runc process (a Go start-up,
     * ~40 ms of a container start here): runc's init waits in {@code open(exec.fifo, O_WRONLY)} after
     * {@code runc create}; opening the fifo for reading lets it write one byte and exec the user's
     * process, and removing the fifo is what makes {@code runc state} say "running" afterwards (runc
     * derives "created" from the fifo's existence). Only for runc (other runtimes keep their own
     * protocol) and only when the fifo is there; false sends the caller to {@code runc start}, which also
     * reports the error when init died before writing.
     */
    private boolean startThroughFifo(String id, String rt) {
        if (!cfg.runtimePath(rt).getFileName().toString().equals("runc")) return false;
        Path fifo = cfg.runtimeRoot(rt).resolve(id).resolve("exec.fifo");
        if (!Files.exists(fifo, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return false;
        java.util.concurrent.CompletableFuture<Integer> read = new java.util.concurrent.CompletableFuture<>();
        // A platform thread: open(2) of a fifo blocks in the kernel, which would pin a virtual thread's carrier.
        Thread.ofPlatform().daemon().name("fifo-start-" + id.substring(0, Math.min(12, id.length()))).start(() -> {
            try (InputStream in = Files.newInputStream(fifo)) { // blocks until init has it open for writing
                read.complete(in.read());
            } catch (IOException | RuntimeException e) {
                read.completeExceptionally(e);
            }
        });
        int b;
        try {
            b = read.get(cfg.timeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            // init is not there to write: release our reader (a writer that closes at once gives it EOF)
            try (OutputStream out = Files.newOutputStream(fifo, java.nio.file.StandardOpenOption.WRITE)) {
                LOG.log(System.Logger.Level.DEBUG, "runc init of " + id + " did not open its exec fifo; using runc start");
            } catch (IOException ignored) {
                // gone meanwhile
            }
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BerthException.unavailable("starting container %s: interrupted", id);
        }
        if (b < 0) return false; // init exited without starting the process: runc start says why
        try {
            Files.deleteIfExists(fifo);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "removing " + fifo + ": " + e.getMessage());
        }
        return true;
    }

    @Override
    public RuntimeState state(String id) {
        String rt = rt(id);
        ProcessRunner.Result r = runner.run(ProcessRunner.Invocation.of(Commands.state(cfg, rt, id), cfg.timeout()));
        r.check(rt + " state " + id);
        try {
            return parseState(JSON.readTree(r.stdout()), rt);
        } catch (IOException e) {
            throw BerthException.internal("reading state of container " + id + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void kill(String id, int signal, boolean all) { runtime(id, "kill", Commands.kill(cfg, rt(id), id, signal, all)); }

    @Override
    public void pause(String id) { runtime(id, "pause", Commands.pause(cfg, rt(id), id)); }

    @Override
    public void resume(String id) { runtime(id, "resume", Commands.resume(cfg, rt(id), id)); }

    @Override
    public void delete(String id, boolean force) {
        runtime(id, "delete", Commands.delete(cfg, rt(id), id, force));
    }

    @Override
    public void update(String id, String resourcesJson) {
        String rt = rt(id);
        runner.run(ProcessRunner.Invocation.of(Commands.update(cfg, rt, id), cfg.timeout())
                .withStdin(resourcesJson.getBytes(StandardCharsets.UTF_8))).check(rt + " update " + id);
    }

    @Override
    public List<RuntimeState> list() {
        List<RuntimeState> all = new ArrayList<>();
        for (String rt : cfg.runtimes().keySet()) {
            if (!Files.isDirectory(cfg.runtimeRoot(rt))) continue;
            ProcessRunner.Result r = runner.run(ProcessRunner.Invocation.of(Commands.list(cfg, rt), cfg.timeout())).check(rt + " list");
            try {
                JsonNode arr = JSON.readTree(r.stdout());
                if (arr != null && arr.isArray()) for (JsonNode n : arr) all.add(parseState(n, rt));
            } catch (IOException e) {
                throw BerthException.internal("listing " + rt + " containers: " + e.getMessage(), e);
            }
        }
        return all;
    }

    static RuntimeState parseState(JsonNode n, String rt) {
        String created = n.path("created").asText("");
        return new RuntimeState(n.path("id").asText(), RuntimeState.Status.parse(n.path("status").asText()), n.path("pid").asInt(),
                n.hasNonNull("bundle") ? Path.of(n.get("bundle").asText()) : null,
                created.isEmpty() ? null : Instant.parse(created), rt);
    }

    private void runtime(String id, String verb, List<String> argv) {
        runner.run(ProcessRunner.Invocation.of(argv, cfg.timeout())).check(rt(id) + " " + verb + " " + id);
    }

    /** The runtime a container was created with: remembered, or read from its runtime file, or the default. */
    private String rt(String id) {
        return runtimeOf.computeIfAbsent(id, k -> {
            try {
                return Files.readString(ContainerFiles.of(cfg, k).runtimeFile()).strip();
            } catch (IOException e) {
                return cfg.defaultRuntime();
            }
        });
    }

    // ---- exec --------------------------------------------------------------------------------------

    @Override
    public ExecProcess exec(String containerId, String execId, byte[] processJson, ExecOptions options) {
        String rt = rt(containerId);
        String what = "exec " + execId + " in container " + containerId;
        Path execDir = ContainerFiles.of(cfg, containerId).execDir(execId);
        try {
            Files.createDirectories(execDir.resolve("exit"));
            Files.createDirectories(cfg.socketDir());
            Files.write(execDir.resolve("process.json"), processJson);
        } catch (IOException e) {
            throw BerthException.internal(what + ": " + e.getMessage(), e);
        }
        Trace.Laps t = Trace.laps("conmon-exec", containerId);
        List<String> conmon = Commands.conmonExec(cfg, rt, containerId, execId, execDir, cfg.socketDir(), options);
        Process p = runner.spawnConmon(new ProcessRunner.Invocation(conmon, Commands.syncEnv(true), null, cfg.timeout()));
        OutputStream start = p.getOutputStream();
        ConmonSync sync = new ConmonSync(p.getInputStream(), what);
        AttachSession attach = null;
        try {
            // conmon reads the start pipe once before setting up, and once more before running the process.
            t.lap("spawn");
            go(start);
            ConmonSync.Message ready = sync.next(cfg.timeout());
            if (ready == null || ready.failed()) throw failure(what, rt, ready);
            t.lap("ready");
            attach = AttachSession.connect(cfg.socketDir().resolve(execId).resolve("attach"));
            t.lap("attach");
            go(start);
            ConmonSync.Message pid = sync.next(cfg.timeout());
            if (pid == null || pid.failed()) throw failure(what, rt, pid);
            t.lap("runc-exec");
            t.end();
            return new ExecProcess(containerId, execId, execDir, pid.data(), attach, sync, p);
        } catch (RuntimeException e) {
            if (attach != null) attach.close();
            p.destroyForcibly();
            closeQuietly(start);
            closeQuietly(p.getInputStream());
            throw e;
        }
    }

    private static void go(OutputStream start) {
        try {
            start.write('1');
            start.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("signalling conmon to start", e);
        }
    }

    private static BerthException failure(String what, String rt, ConmonSync.Message m) {
        if (m == null) return BerthException.unavailable("%s: conmon exited without reporting", what);
        String msg = rt + " exec failed: " + Commands.runtimeMessage(m.message());
        return new BerthException(Commands.kindOf(msg), what + ": " + msg);
    }

    /** The exit code an exec's conmon recorded, for a daemon that lost the {@link ExecProcess}. */
    public OptionalInt execExitCode(String containerId, String execId) {
        return readExitFile(ContainerFiles.of(cfg, containerId).execDir(execId).resolve("exit").resolve(containerId));
    }

    /** Removes an exec's directory and socket link once its exit code has been read. */
    public void forgetExec(String containerId, String execId) {
        deleteTree(ContainerFiles.of(cfg, containerId).execDir(execId));
        ExecProcess.deleteQuietly(cfg.socketDir().resolve(execId));
    }

    // ---- stdio -------------------------------------------------------------------------------------

    @Override
    public AttachSession attach(String id) { return AttachSession.connect(cfg.socketDir().resolve(id).resolve("attach")); }

    @Override
    public void resize(String id, int height, int width) {
        // conmon writes the exit file first and exits a moment later, keeping its ctl fifo open (and
        // writable: the kernel buffers the message) until then; under load that window was long
        // enough for a resize of an exited container to "succeed". The exit file is the verdict.
        checkSize(height, width, "container " + id);
        if (!(check(id) instanceof Liveness.Monitored))
            throw BerthException.conflict("resizing container %s: container %s is not running", id, id);
        writeCtl(cfg.socketDir().resolve(id).resolve("ctl"), height, width, "container " + id);
    }

    /**
     * Writes a resize message to a conmon ctl fifo. Opened non-blocking: with no reader (conmon gone)
     * the open fails with ENXIO instead of blocking forever.
     */
    static void writeCtl(Path ctl, int height, int width, String what) {
        checkSize(height, width, what);
        byte[] msg = ("1 " + height + " " + width + "\n").getBytes(StandardCharsets.US_ASCII);
        try (Fd fd = Syscalls.open(ctl.toString(), Syscalls.O_WRONLY | Syscalls.O_NONBLOCK | Syscalls.O_CLOEXEC);
             Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(msg.length);
            MemorySegment.copy(msg, 0, buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, msg.length);
            Syscalls.writeFully(fd.fd(), buf, msg.length);
        } catch (ErrnoException e) {
            // ENOENT: no such container; ENXIO: conmon no longer reads it (the process has exited)
            BerthException.Kind k = e.is(Syscalls.ENOENT) ? BerthException.Kind.NOT_FOUND : BerthException.Kind.CONFLICT;
            throw new BerthException(k, "resizing " + what + ": " + e.getMessage(), e);
        }
    }

    static void checkSize(int height, int width, String what) {
        if (height <= 0 || width <= 0 || height > 65535 || width > 65535)
            throw BerthException.invalid("resizing %s: invalid size %dx%d", what, height, width);
    }

    // ---- monitor -----------------------------------------------------------------------------------

    @Override
    public OptionalInt exitCode(String id) { return readExitFile(cfg.exitDir().resolve(id)); }

    private final ExitWatch exitWatch;

    /**
     * Subscribes to changes of a container's exit file (inotify), so that a monitor learns of the
     * exit at once instead of at its next poll. Subscribe, then read {@link #exitCode}, then await.
     */
    public ExitWatch.Signal exitSignal(String id) { return exitWatch.subscribe(id); }

    /** Releases the exit-file watch (its inotify instance); monitors still running fall back to polling. */
    public void stopExitWatch() { exitWatch.close(); }

    @Override
    public Liveness check(String id) {
        Path exitFile = cfg.exitDir().resolve(id);
        OptionalInt code = readExitFile(exitFile);
        if (code.isPresent()) return new Liveness.Exited(code.getAsInt(), mtime(exitFile));
        OptionalInt conmon = readPid(ContainerFiles.of(cfg, id).conmonPidFile());
        if (conmon.isPresent() && isConmonOf(conmon.getAsInt(), id)) {
            // conmon writes the exit file before it exits: look again, it may have finished meanwhile
            return new Liveness.Monitored(conmon.getAsInt());
        }
        // conmon may have exited between the two reads after writing the file
        code = readExitFile(exitFile);
        if (code.isPresent()) return new Liveness.Exited(code.getAsInt(), mtime(exitFile));
        RuntimeState st;
        try {
            st = state(id);
        } catch (BerthException e) {
            if (e.kind() == BerthException.Kind.NOT_FOUND) return conmon.isPresent() ? new Liveness.Lost(false) : new Liveness.Unknown();
            throw e;
        }
        return new Liveness.Lost(st.status() != RuntimeState.Status.STOPPED);
    }

    @Override
    public Map<String, Integer> monitors() {
        Map<String, Integer> found = new LinkedHashMap<>();
        if (!Files.isDirectory(cfg.containerDir())) return found;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(cfg.containerDir())) {
            for (Path dir : ds) {
                String id = dir.getFileName().toString();
                OptionalInt pid = readPid(dir.resolve("conmon.pid"));
                if (pid.isPresent() && isConmonOf(pid.getAsInt(), id)) found.put(id, pid.getAsInt());
            }
        } catch (IOException e) {
            throw BerthException.internal("listing conmon processes: " + e.getMessage(), e);
        }
        return found;
    }

    @Override
    public void forget(String id) {
        // An exec the daemon never saw end (it was killed while the exec ran) left its socket link
        // socketDir/EXEC_ID behind; its directory below names it.
        try (Stream<Path> execs = Files.list(ContainerFiles.of(cfg, id).dir().resolve("exec"))) {
            execs.forEach(e -> ExecProcess.deleteQuietly(cfg.socketDir().resolve(e.getFileName().toString())));
        } catch (IOException ignored) {
            // no exec directory: nothing was left
        }
        deleteTree(ContainerFiles.of(cfg, id).dir());
        ExecProcess.deleteQuietly(cfg.exitDir().resolve(id));
        ExecProcess.deleteQuietly(cfg.socketDir().resolve(id));
        runtimeOf.remove(id);
    }

    /**
     * Whether {@code pid} is a conmon for container {@code id}: its command line has {@code -c ID}. The
     * check guards against pid reuse after a reboot or a long downtime.
     */
    static boolean isConmonOf(int pid, String id) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "cmdline"));
            List<String> args = List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
            if (args.isEmpty() || !args.getFirst().endsWith("conmon")) return false;
            int c = args.indexOf("-c");
            return c >= 0 && c + 1 < args.size() && args.get(c + 1).equals(id);
        } catch (IOException e) {
            return false;
        }
    }

    static OptionalInt readExitFile(Path p) {
        try {
            String s = Files.readString(p).strip();
            return s.isEmpty() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(s));
        } catch (NoSuchFileException e) {
            return OptionalInt.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    static OptionalInt readPid(Path p) {
        OptionalInt v = readExitFile(p);
        return v.isPresent() && v.getAsInt() > 0 ? v : OptionalInt.empty();
    }

    private static Instant mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p).toInstant();
        } catch (IOException e) {
            return Instant.now();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BerthException.unavailable("interrupted");
        }
    }

    private static void kill9(int pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(ExecProcess::deleteQuietly);
        } catch (IOException ignored) {
            // best effort: leftovers are found by the orphan sweep
        }
    }

    /** runc's own message already starts with "runc create failed: "; say it once. */
    static String createFailure(String runtime, String message) {
        String prefix = runtime + " create failed: ";
        return message.startsWith(prefix) ? message : prefix + message;
    }
}
