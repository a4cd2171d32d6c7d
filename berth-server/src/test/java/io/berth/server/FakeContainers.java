package io.berth.server;

import io.berth.api.BerthException;
import io.berth.api.container.AttachOptions;
import io.berth.api.container.AttachSession;
import io.berth.api.container.ContainerDetails;
import io.berth.api.container.ContainerEngine;
import io.berth.api.container.ContainerListOptions;
import io.berth.api.container.ContainerSpec;
import io.berth.api.container.ContainerState;
import io.berth.api.container.ContainerState.Status;
import io.berth.api.container.ContainerSummary;
import io.berth.api.container.CreateReport;
import io.berth.api.container.ExecDetails;
import io.berth.api.container.ExecSpec;
import io.berth.api.container.LogEntry;
import io.berth.api.container.LogOptions;
import io.berth.api.container.LogStream;
import io.berth.api.container.StdStream;
import io.berth.api.container.WaitCondition;
import io.berth.api.container.WaitResult;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-memory stand-in for the container engine, only for driving the HTTP layer. "Processes"
 * are interpreted commands: {@code echo W…} prints, {@code cat} (and a bare {@code sh}) echo stdin
 * until EOF, {@code sleep}/{@code top} run until stopped, {@code sh -c "echo a; echoerr b; exit N"}
 * prints to stdout/stderr and exits N, a command starting with {@code /nonexistent} fails to start
 * with the runtime's "executable file not found" wording.
 */
final class FakeContainers implements ContainerEngine {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Map<String, C> byId = new LinkedHashMap<>();
    private final Map<String, Ex> execs = new LinkedHashMap<>();
    private int seq;
    final List<String> resizes = new ArrayList<>();
    final List<String> signals = new ArrayList<>();

    /** One container and its interpreted process. */
    final class C {
        final String id = hex();
        String name;
        final ContainerSpec spec;
        final Instant created = Instant.now();
        Status status = Status.CREATED;
        int exitCode, exits, pid;
        String error = "";
        Instant startedAt, finishedAt;
        final List<LogEntry> log = new ArrayList<>();
        final List<Session> sessions = new ArrayList<>();
        final ByteArrayOutputStream pendingStdin = new ByteArrayOutputStream();
        boolean stdinClosed, echoing, removed;

        C(ContainerSpec spec, String name) { this.spec = spec; this.name = name; }

        List<String> cmd() { return spec.cmd() == null ? List.of("sh") : spec.cmd(); }
    }

    final class Ex {
        final String id = hex();
        final C c;
        final ExecSpec spec;
        boolean running;
        Integer exitCode;
        Session session;

        Ex(C c, ExecSpec spec) { this.c = c; this.spec = spec; }
    }

    /** A session's frames end with a poison pill; exitCode is set before it. */
    final class Session implements AttachSession {
        private static final Frame END = new Frame(StdStream.STDIN, new byte[0]);
        final LinkedBlockingQueue<Frame> queue = new LinkedBlockingQueue<>();
        final boolean tty;
        final OutputStream stdin;
        volatile Integer exit;
        volatile boolean ended;

        Session(boolean tty, OutputStream stdin) { this.tty = tty; this.stdin = stdin; }

        void emit(StdStream s, byte[] d) { if (!ended) queue.add(new Frame(tty ? StdStream.STDOUT : s, d)); }

        void end(Integer code) {
            if (ended) return;
            exit = code;
            ended = true;
            queue.add(END);
        }

        @Override public Frame read() throws IOException {
            try {
                Frame f = queue.take();
                if (f == END) { queue.add(END); return null; }
                return f;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException();
            }
        }

        @Override public OutputStream stdin() { return stdin; }

        @Override public boolean tty() { return tty; }

        @Override public Integer exitCode() { return exit; }

        @Override public void close() {
            synchronized (FakeContainers.this) { byId.values().forEach(c -> c.sessions.remove(this)); }
            end(exit);
        }
    }

    private static String hex() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private C find(String ref) {
        String r = ref.startsWith("/") ? ref.substring(1) : ref;
        C hit = byId.get(r);
        if (hit != null) return hit;
        for (C c : byId.values()) if (c.name.equals(r)) return c;
        C prefix = null;
        for (C c : byId.values()) {
            if (c.id.startsWith(r)) {
                if (prefix != null) throw BerthException.invalid("multiple containers match %s", ref);
                prefix = c;
            }
        }
        if (prefix == null) throw BerthException.notFound("No such container: %s", ref);
        return prefix;
    }

    private static boolean running(C c) { return c.status == Status.RUNNING || c.status == Status.PAUSED; }

    private void notRunning(C c) {
        if (!running(c)) throw BerthException.conflict("Container %s is not running", c.id);
    }

    @Override public synchronized CreateReport create(ContainerSpec spec) {
        if (!spec.image().contains("busybox")) throw BerthException.notFound("No such image: %s", spec.image());
        String name = spec.name() == null ? "fake_" + (++seq) : spec.name();
        for (C c : byId.values())
            if (c.name.equals(name))
                throw BerthException.conflict("Conflict. The container name \"/%s\" is already in use by container \"%s\". "
                        + "You have to remove (or rename) that container to be able to reuse that name.", name, c.id);
        C c = new C(spec, name);
        byId.put(c.id, c);
        return new CreateReport(c.id, List.of());
    }

    @Override public synchronized void start(String ref) {
        C c = find(ref);
        if (running(c)) throw BerthException.notModified("container %s is already running", c.id);
        List<String> cmd = c.cmd();
        if (cmd.getFirst().startsWith("/nonexistent")) {
            c.exitCode = 127;
            c.error = "exec: \"" + cmd.getFirst() + "\": executable file not found in $PATH";
            // As dockerd: attached streams end, and an auto-remove container goes (the CLI's
            // `run --rm` waits for condition=removed even after a failed start).
            for (Session s : List.copyOf(c.sessions)) s.end(127);
            c.sessions.clear();
            if (c.spec.host() != null && c.spec.host().autoRemove()) { byId.remove(c.id); c.removed = true; }
            notifyAll();
            throw BerthException.invalid("starting container %s: OCI runtime create failed: %s", c.id, c.error);
        }
        c.status = Status.RUNNING;
        c.pid = 4242;
        c.startedAt = Instant.now();
        c.finishedAt = null;
        Integer code = run(cmd, (s, d) -> emit(c, s, d));
        if (code != null) exit(c, code);
        else if (isCat(cmd)) {
            c.echoing = true;
            if (c.pendingStdin.size() > 0) emit(c, StdStream.STDOUT, c.pendingStdin.toByteArray());
            c.pendingStdin.reset();
            if (c.stdinClosed) exit(c, 0);
        }
    }

    private static byte[] upper(byte[] d) {
        return new String(d, StandardCharsets.UTF_8).toUpperCase(java.util.Locale.ROOT).getBytes(StandardCharsets.UTF_8);
    }

    private static boolean isCat(List<String> cmd) { return cmd.equals(List.of("cat")) || cmd.equals(List.of("sh")); }

    private static final Pattern EXIT = Pattern.compile("exit (\\d+)");

    /** Runs a finite program at once and returns its code; null for one that keeps running. */
    private static Integer run(List<String> cmd, java.util.function.BiConsumer<StdStream, byte[]> out) {
        String first = cmd.getFirst();
        if (first.equals("echo")) {
            out.accept(StdStream.STDOUT, (String.join(" ", cmd.subList(1, cmd.size())) + "\n").getBytes(StandardCharsets.UTF_8));
            return 0;
        }
        if (first.equals("sh") && cmd.size() >= 3 && cmd.get(1).equals("-c")) {
            for (String part : cmd.get(2).split(";")) {
                String p = part.strip();
                Matcher m = EXIT.matcher(p);
                if (m.matches()) return Integer.parseInt(m.group(1));
                if (p.startsWith("echo ")) out.accept(StdStream.STDOUT, (p.substring(5) + "\n").getBytes(StandardCharsets.UTF_8));
                if (p.startsWith("echoerr ")) out.accept(StdStream.STDERR, (p.substring(8) + "\n").getBytes(StandardCharsets.UTF_8));
                if (p.startsWith("sleep")) return null;
            }
            return 0;
        }
        return null; // cat, sh, sleep, top: until EOF or a signal
    }

    private void emit(C c, StdStream s, byte[] d) {
        c.log.add(new LogEntry(Instant.now(), c.spec.tty() ? StdStream.STDOUT : s, d));
        for (Session x : c.sessions) x.emit(s, d);
        notifyAll();
    }

    private void exit(C c, int code) {
        c.status = Status.EXITED;
        c.exitCode = code;
        c.exits++;
        c.pid = 0;
        c.echoing = false;
        c.finishedAt = Instant.now();
        for (Session s : List.copyOf(c.sessions)) s.end(code);
        c.sessions.clear();
        for (Ex e : execs.values()) if (e.c == c && e.running) endExec(e, 137);
        if (c.spec.host() != null && c.spec.host().autoRemove()) { byId.remove(c.id); c.removed = true; }
        notifyAll();
    }

    private void endExec(Ex e, int code) {
        e.running = false;
        e.exitCode = code; // final before the session's stream ends
        if (e.session != null) e.session.end(code);
    }

    @Override public synchronized void stop(String ref, Integer timeoutSeconds, String signal) {
        C c = find(ref);
        if (!running(c)) throw BerthException.notModified("container %s is already stopped", c.id);
        exit(c, 143);
    }

    @Override public synchronized void restart(String ref, Integer timeoutSeconds, String signal) {
        C c = find(ref);
        if (running(c)) exit(c, 143);
        start(ref);
    }

    @Override public synchronized void kill(String ref, String signal) {
        C c = find(ref);
        notRunning(c);
        signals.add(signal == null ? "KILL" : signal);
        if ("WINCH".equals(signal) || "SIGWINCH".equals(signal)) return;
        exit(c, 137);
    }

    @Override public synchronized void pause(String ref) {
        C c = find(ref);
        notRunning(c);
        if (c.status == Status.PAUSED) throw BerthException.conflict("Container %s is already paused", c.id);
        c.status = Status.PAUSED;
    }

    @Override public synchronized void unpause(String ref) {
        C c = find(ref);
        if (c.status != Status.PAUSED) throw BerthException.conflict("Container %s is not paused", c.id);
        c.status = Status.RUNNING;
    }

    /** Busy time before wait() registers, like an engine reading state first (the thread stays RUNNABLE). */
    volatile long waitSetupNanos;

    @Override public WaitResult wait(String ref, WaitCondition condition) {
        long until = System.nanoTime() + waitSetupNanos;
        while (System.nanoTime() < until) Thread.onSpinWait();
        return waitRegistered(ref, condition);
    }

    private synchronized WaitResult waitRegistered(String ref, WaitCondition condition) {
        C c = find(ref);
        int exits = c.exits;
        try {
            switch (condition) {
                case NOT_RUNNING -> { while (running(c)) wait(); }
                case NEXT_EXIT -> { while (c.exits == exits) wait(); }
                case REMOVED -> { while (!c.removed) wait(); }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BerthException.unavailable("waiting for %s was interrupted", c.id);
        }
        return new WaitResult(c.exitCode, null);
    }

    @Override public synchronized void remove(String ref, boolean force, boolean volumes) {
        C c = find(ref);
        if (running(c)) {
            if (!force) throw BerthException.conflict("You cannot remove a running container %s. Stop the container before "
                    + "attempting removal or force remove", c.id);
            exit(c, 137);
        }
        byId.remove(c.id);
        c.removed = true;
        notifyAll();
    }

    @Override public synchronized void rename(String ref, String newName) {
        C c = find(ref);
        for (C o : byId.values()) if (o != c && o.name.equals(newName)) throw BerthException.conflict("name %s is in use", newName);
        c.name = newName;
    }

    @Override public synchronized ContainerDetails inspect(String ref) {
        C c = find(ref);
        List<String> cmd = c.cmd();
        var state = new ContainerState(c.status, c.pid, c.exitCode, c.error, false, c.startedAt, c.finishedAt, 0);
        List<String> execIds = execs.values().stream().filter(e -> e.c == c).map(e -> e.id).toList();
        return new ContainerDetails(c.id, c.name, c.created, "sha256:" + "39fce6fb821f0000".repeat(4), c.spec.image(),
                cmd.getFirst(), cmd.subList(1, cmd.size()), state, c.spec, List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
                c.spec.workingDir(), c.spec.user(), "/fake/rootfs", "/fake/" + c.id + ".log", c.spec.labels(), execIds, "overlay");
    }

    @Override public synchronized List<ContainerSummary> list(ContainerListOptions options) {
        List<ContainerSummary> out = new ArrayList<>();
        for (C c : byId.values()) {
            if (!options.all() && !running(c)) continue;
            String status = switch (c.status) {
                case CREATED -> "Created";
                case RUNNING -> "Up Less than a second";
                case PAUSED -> "Up Less than a second (Paused)";
                default -> "Exited (" + c.exitCode + ") Less than a second ago";
            };
            out.add(new ContainerSummary(c.id, List.of("/" + c.name), c.spec.image(), "sha256:39fce6fb821f",
                    String.join(" ", c.cmd()), c.created, c.status, status, c.spec.labels()));
        }
        return out.reversed();
    }

    @Override public LogStream logs(String ref, LogOptions options) {
        C c;
        synchronized (this) { c = find(ref); }
        return new LogStream() {
            int next = 0;
            boolean closed;
            { if (options.tail() >= 0) synchronized (FakeContainers.this) { next = Math.max(0, c.log.size() - options.tail()); } }

            @Override public LogEntry next() throws IOException {
                synchronized (FakeContainers.this) {
                    while (true) {
                        while (next < c.log.size()) {
                            LogEntry e = c.log.get(next++);
                            if (e.stream() == StdStream.STDOUT && !options.stdout() || e.stream() == StdStream.STDERR && !options.stderr()) continue;
                            return e;
                        }
                        if (closed || !options.follow() || !running(c)) return null;
                        try { FakeContainers.this.wait(200); }
                        catch (InterruptedException e) { Thread.currentThread().interrupt(); return null; }
                    }
                }
            }

            @Override public boolean tty() { return c.spec.tty(); }

            @Override public void close() { closed = true; }
        };
    }

    @Override public synchronized AttachSession attach(String ref, AttachOptions options) {
        C c = find(ref);
        if (c.status == Status.EXITED && !options.logs()) throw BerthException.conflict("You cannot attach to a stopped container, start it first");
        OutputStream stdin = !options.stdin() ? null : new OutputStream() {
            @Override public void write(int b) throws IOException { write(new byte[]{(byte) b}, 0, 1); }

            @Override public void write(byte[] b, int off, int len) {
                synchronized (FakeContainers.this) {
                    byte[] d = java.util.Arrays.copyOfRange(b, off, off + len);
                    if (c.echoing) {
                        // A TTY "shell" answers in upper case, so a test sees the round trip, not the local pty echo.
                        emit(c, StdStream.STDOUT, c.spec.tty() ? upper(d) : d);
                        // A TTY shell gets no EOF from a half-close; it leaves on "exit".
                        if (c.spec.tty() && new String(d, StandardCharsets.UTF_8).contains("exit")) exit(c, 0);
                    } else if (c.status == Status.CREATED) c.pendingStdin.writeBytes(d);
                }
            }

            @Override public void close() {
                synchronized (FakeContainers.this) {
                    if (c.echoing) exit(c, 0);
                    else c.stdinClosed = true;
                }
            }
        };
        Session s = new Session(c.spec.tty(), stdin);
        if (options.logs()) for (LogEntry e : c.log) s.emit(e.stream(), e.data());
        if (c.status == Status.EXITED) s.end(c.exitCode);
        else c.sessions.add(s);
        return s;
    }

    @Override public synchronized void resize(String ref, int height, int width) {
        C c = find(ref);
        resizes.add(c.name + ":" + height + "x" + width);
    }

    @Override public synchronized String execCreate(String ref, ExecSpec spec) {
        C c = find(ref);
        notRunning(c);
        Ex e = new Ex(c, spec);
        execs.put(e.id, e);
        return e.id;
    }

    private Ex exec(String id) {
        Ex e = execs.get(id);
        if (e == null) throw BerthException.notFound("No such exec instance: %s", id);
        return e;
    }

    @Override public synchronized AttachSession execStart(String execId, boolean detach, boolean tty) {
        Ex e = exec(execId);
        if (e.running || e.exitCode != null) throw BerthException.conflict("Exec command %s has already run", execId);
        notRunning(e.c);
        e.running = true;
        OutputStream stdin = !e.spec.attachStdin() ? null : new OutputStream() {
            @Override public void write(int b) { write(new byte[]{(byte) b}, 0, 1); }

            @Override public void write(byte[] b, int off, int len) {
                synchronized (FakeContainers.this) {
                    byte[] d = java.util.Arrays.copyOfRange(b, off, off + len);
                    e.session.emit(StdStream.STDOUT, e.session.tty ? upper(d) : d);
                    if (e.session.tty && new String(d, StandardCharsets.UTF_8).contains("exit") && e.running) endExec(e, 0);
                }
            }

            @Override public void close() { synchronized (FakeContainers.this) { if (e.running) endExec(e, 0); } }
        };
        e.session = new Session(e.spec.tty() || tty, stdin);
        Integer code = run(e.spec.cmd(), e.session::emit);
        if (code != null) endExec(e, code);
        if (detach) {
            Session none = new Session(false, null);
            none.end(null);
            return none;
        }
        return e.session;
    }

    @Override public synchronized void execResize(String execId, int height, int width) {
        exec(execId);
        resizes.add("exec:" + height + "x" + width);
    }

    @Override public synchronized ExecDetails execInspect(String execId) {
        Ex e = exec(execId);
        return new ExecDetails(e.id, e.c.id, e.running, e.exitCode, e.running ? 4343 : 0, e.spec, e.spec.attachStdin());
    }

    // ---- events and prune (EventRoutesTest) ----------------------------------------------------------

    /** Events the fake's streams hand out: the test adds them; every stream sees them all (filters ignored). */
    final java.util.concurrent.CopyOnWriteArrayList<io.berth.api.container.Event> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile io.berth.api.container.EventOptions lastEventOptions;

    @Override public io.berth.api.container.EventStream events(io.berth.api.container.EventOptions options) {
        lastEventOptions = options;
        return new io.berth.api.container.EventStream() {
            int next;
            volatile boolean closed;

            @Override public io.berth.api.container.Event next() throws InterruptedException {
                while (!closed) {
                    if (next < events.size()) return events.get(next++);
                    if (options.until() != null && Instant.now().isAfter(options.until())) return null;
                    Thread.sleep(10);
                }
                return null;
            }

            @Override public void close() { closed = true; }
        };
    }

    @Override public synchronized io.berth.api.container.PruneReport prune(Map<String, List<String>> filters) {
        List<String> gone = new ArrayList<>();
        for (C c : List.copyOf(byId.values())) {
            if (running(c)) continue;
            byId.remove(c.id);
            c.removed = true;
            gone.add(c.id);
        }
        notifyAll();
        return new io.berth.api.container.PruneReport(gone, 1234L * gone.size());
    }

    @Override public io.berth.api.container.SystemCheckReport systemCheck() {
        return new io.berth.api.container.SystemCheckReport(List.of(
                new io.berth.api.container.SystemCheckReport.Check("runc", true, true, "runc version 1.1.5"),
                new io.berth.api.container.SystemCheckReport.Check("openat2", false, false, "unavailable")), List.of("unmounted stale /x"));
    }
}
