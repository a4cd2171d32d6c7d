package io.berth.engine.runtime;

import io.berth.api.BerthException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * runc 1.1 and conmon 2.1 for real (root, this host). Each test makes its own bundles; every container
 * is force-deleted and its conmon killed afterwards, and the class checks that no process mentioning
 * its ids is left.
 */
class ConmonRuntimeTest {
    /** Short and unique, so socketDir/ID/attach stays far below sun_path and leftovers are attributable. */
    private static final String PREFIX = "brt" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
    private static Path root;
    private static RuntimeConfig cfg;
    private ConmonRuntime rt;
    private final List<String> ids = new ArrayList<>();
    private int seq;

    @BeforeAll
    static void setUp() throws IOException {
        root = Files.createTempDirectory(Path.of("/tmp"), PREFIX);
        cfg = RuntimeConfig.under(root).withTimeout(Duration.ofSeconds(20));
    }

    @AfterAll
    static void noLeftovers() throws IOException {
        List<String> left = processesMentioning(PREFIX);
        ConmonRuntime.deleteTree(root);
        assertThat(left).as("processes left by the test").isEmpty();
    }

    @org.junit.jupiter.api.BeforeEach
    void runtime() { rt = new ConmonRuntime(cfg); }

    @AfterEach
    void cleanUp() throws Exception {
        for (String id : ids) {
            rt.monitors().entrySet().stream().filter(e -> e.getKey().equals(id))
                    .forEach(e -> ProcessHandle.of(e.getValue()).ifPresent(ProcessHandle::destroyForcibly));
            try {
                rt.delete(id, true);
            } catch (BerthException ignored) {
                // already deleted by the test
            }
            rt.forget(id);
        }
        // conmon may need a moment to notice its container is gone
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!processesMentioning(PREFIX).isEmpty() && System.nanoTime() < deadline) Thread.sleep(20);
    }

    private String newId() {
        String id = PREFIX + "-" + (seq++) + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 4);
        ids.add(id);
        return id;
    }

    private Path bundle(String id, boolean terminal, String... args) throws Exception {
        return TestBundles.create(root.resolve("bundles").resolve(id), terminal, args);
    }

    private Liveness.Exited awaitExit(String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            if (rt.check(id) instanceof Liveness.Exited e) return e;
            Thread.sleep(10);
        }
        throw new AssertionError("container " + id + " did not exit: " + rt.check(id));
    }

    private CreatedContainer run(String id, Path bundle) {
        CreatedContainer c = rt.create(id, bundle, CreateOptions.defaults(cfg, id));
        rt.start(id);
        return c;
    }

    @Test
    void exitCodesAndTaggedLogLines() throws Exception {
        String ok = newId(), bad = newId();
        run(ok, bundle(ok, false, "true"));
        run(bad, bundle(bad, false, "sh", "-c", "echo out; echo err >&2; exit 3"));
        assertThat(awaitExit(ok).code()).isZero();
        assertThat(awaitExit(bad).code()).isEqualTo(3);
        assertThat(rt.exitCode(bad)).hasValue(3);
        assertThat(rt.state(bad).status()).isEqualTo(RuntimeState.Status.STOPPED);

        List<LogEntry> log = K8sFileLog.read(CreateOptions.defaults(cfg, bad).logPath(), LogQuery.ALL);
        assertThat(log).extracting(e -> e.stream() + ":" + e.text()).containsExactly("STDOUT:out\n", "STDERR:err\n");

        rt.delete(bad, false);
        assertThatThrownBy(() -> rt.state(bad)).isInstanceOf(BerthException.class)
                .extracting(e -> ((BerthException) e).kind()).isEqualTo(BerthException.Kind.NOT_FOUND);
    }

    @Test
    void longRunningContainerLifecycleUnderConmon() throws Exception {
        String id = newId();
        CreatedContainer c = rt.create(id, bundle(id, false, "sleep", "1000"), CreateOptions.defaults(cfg, id));
        assertThat(rt.state(id).status()).isEqualTo(RuntimeState.Status.CREATED);
        assertThat(c.pid()).isPositive();
        assertThat(c.conmonPid()).isPositive();
        rt.start(id);
        RuntimeState s = rt.state(id);
        assertThat(s.status()).isEqualTo(RuntimeState.Status.RUNNING);
        assertThat(s.pid()).isEqualTo(c.pid());
        // conmon, not this JVM, is the container's parent
        assertThat(ppid(c.pid())).isEqualTo(c.conmonPid()).isNotEqualTo(ProcessHandle.current().pid());
        assertThat(rt.check(id)).isEqualTo(new Liveness.Monitored(c.conmonPid()));
        assertThat(rt.monitors()).containsEntry(id, c.conmonPid());
        assertThat(rt.list()).anySatisfy(st -> {
            assertThat(st.id()).isEqualTo(id);
            assertThat(st.status()).isEqualTo(RuntimeState.Status.RUNNING);
            assertThat(st.runtime()).isEqualTo("runc");
        });

        rt.pause(id);
        assertThat(rt.state(id).status()).isEqualTo(RuntimeState.Status.PAUSED);
        assertThatThrownBy(() -> rt.pause(id)).isInstanceOf(BerthException.class);
        rt.resume(id);
        assertThat(rt.state(id).status()).isEqualTo(RuntimeState.Status.RUNNING);

        // The kernel ignores SIGTERM for a pid-1 process that has no handler: sleep keeps running.
        rt.kill(id, 15, false);
        Thread.sleep(200);
        assertThat(rt.state(id).status()).isEqualTo(RuntimeState.Status.RUNNING);
        rt.kill(id, 9, false);
        Liveness.Exited e = awaitExit(id);
        assertThat(e.code()).as("conmon writes 128+signal").isEqualTo(137);
        assertThatThrownBy(() -> rt.kill(id, 9, false)).isInstanceOf(BerthException.class).hasMessageContaining("runc kill");
        rt.delete(id, false);
        assertThat(rt.check(id)).isInstanceOf(Liveness.Exited.class);
        rt.forget(id);
        assertThat(rt.check(id)).isEqualTo(new Liveness.Unknown());
    }

    @Test
    void aTrappedSigtermEndsTheContainerWithItsOwnCode() throws Exception {
        String id = newId();
        run(id, bundle(id, false, "sh", "-c", "trap 'exit 143' TERM; echo ready; while :; do sleep 0.05; done"));
        awaitLog(id, "ready");
        rt.kill(id, 15, false);
        assertThat(awaitExit(id).code()).isEqualTo(143);
    }

    @Test
    void containerOutlivesTheJvmSideObjects() throws Exception {
        String id = newId();
        CreatedContainer c = run(id, bundle(id, false, "sleep", "1000"));
        rt = null; // everything this JVM knew about the container is gone; a restarted daemon starts from files
        ConmonRuntime again = new ConmonRuntime(cfg);
        assertThat(again.check(id)).isEqualTo(new Liveness.Monitored(c.conmonPid()));
        assertThat(again.state(id).pid()).isEqualTo(c.pid());
        again.kill(id, 9, true);
        rt = again;
        assertThat(awaitExit(id).code()).isEqualTo(137);
    }

    @Test
    void deadConmonIsDetected() throws Exception {
        String id = newId();
        CreatedContainer c = run(id, bundle(id, false, "sleep", "1000"));
        ProcessHandle conmon = ProcessHandle.of(c.conmonPid()).orElseThrow();
        conmon.destroyForcibly();
        conmon.onExit().get();
        assertThat(rt.check(id)).isEqualTo(new Liveness.Lost(true));
        rt.kill(id, 9, false);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (rt.state(id).status() != RuntimeState.Status.STOPPED && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(rt.check(id)).isEqualTo(new Liveness.Lost(false));
    }

    @Test
    void missingExecutableFailsCreateWithRuncsWords() throws Exception {
        String id = newId();
        Path b = bundle(id, false, "/nonexistent");
        assertThatThrownBy(() -> rt.create(id, b, CreateOptions.defaults(cfg, id)))
                .isInstanceOf(BerthException.class)
                .hasMessageContaining("runc create failed")
                .hasMessageContaining("no such file or directory")
                .extracting(e -> ((BerthException) e).kind()).isEqualTo(BerthException.Kind.INVALID_ARGUMENT);
        String id2 = newId();
        Path b2 = bundle(id2, false, "nope");
        assertThatThrownBy(() -> rt.create(id2, b2, CreateOptions.defaults(cfg, id2)))
                .hasMessageContaining("executable file not found");
        // nothing left behind: no runtime state, no monitor
        assertThat(rt.list()).noneMatch(s -> s.id().equals(id) || s.id().equals(id2));
        assertThat(rt.monitors()).doesNotContainKeys(id, id2);
    }

    @Test
    void execReturnsOutputAndExitCode() throws Exception {
        String id = newId();
        Path b = bundle(id, false, "sleep", "1000");
        run(id, b);
        ExecRuntime.ExecResult hi = rt.execAndWait(id, id + "-e1", TestBundles.process(b, false, "echo", "hi"));
        assertThat(hi.exitCode()).isZero();
        assertThat(hi.stdoutText()).isEqualTo("hi\n");
        ExecRuntime.ExecResult five = rt.execAndWait(id, id + "-e2", TestBundles.process(b, false, "sh", "-c", "echo e >&2; exit 5"));
        assertThat(five.exitCode()).isEqualTo(5);
        assertThat(five.stderrText()).isEqualTo("e\n");
        assertThat(rt.execExitCode(id, id + "-e2")).hasValue(5);
        assertThat(K8sFileLog.read(ContainerFiles.of(cfg, id).execDir(id + "-e2").resolve("log"), LogQuery.ALL))
                .extracting(LogEntry::text).containsExactly("e\n");
        rt.forgetExec(id, id + "-e2");
        assertThat(ContainerFiles.of(cfg, id).execDir(id + "-e2")).doesNotExist();

        assertThatThrownBy(() -> rt.execAndWait(id, id + "-e3", TestBundles.process(b, false, "nope")))
                .isInstanceOf(BerthException.class).hasMessageContaining("executable file not found")
                .extracting(e -> ((BerthException) e).kind()).isEqualTo(BerthException.Kind.INVALID_ARGUMENT);
    }

    @Test
    void execWithStdinSeesEofOnHalfClose() throws Exception {
        String id = newId();
        Path b = bundle(id, false, "sleep", "1000");
        run(id, b);
        try (ExecProcess p = rt.exec(id, id + "-cat", TestBundles.process(b, false, "sh", "-c", "cat; echo end"), new ExecOptions(false, true))) {
            assertThat(p.pid()).isPositive();
            p.attach().stdin().write("in\n".getBytes());
            ExecRuntime.ExecResult r = p.collect();
            assertThat(r.stdoutText()).isEqualTo("in\nend\n");
            assertThat(r.exitCode()).isZero();
        }
    }

    @Test
    void attachStreamsTaggedOutputAndPassesStdinEof() throws Exception {
        String id = newId();
        Path b = bundle(id, false, "sh", "-c", "echo a; echo b >&2; cat");
        rt.create(id, b, CreateOptions.defaults(cfg, id).withStdin(true, true));
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        List<AttachSession.Frame> frames = new CopyOnWriteArrayList<>();
        try (AttachSession a = rt.attach(id)) {
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    for (AttachSession.Frame f; (f = a.read()) != null; ) {
                        frames.add(f);
                        (f.stream() == StdStream.STDERR ? err : out).writeBytes(f.data());
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            rt.start(id);
            a.stdin().write("x\ny\n".getBytes());
            a.closeStdin();
            reader.join(Duration.ofSeconds(10));
            assertThat(reader.isAlive()).as("attach ends when the container exits").isFalse();
        }
        assertThat(out.toString()).isEqualTo("a\nx\ny\n");
        assertThat(err.toString()).isEqualTo("b\n");
        assertThat(frames).extracting(AttachSession.Frame::stream).contains(StdStream.STDOUT, StdStream.STDERR);
        assertThat(awaitExit(id).code()).isZero();
    }

    @Test
    void terminalContainerIsResizedThroughCtl() throws Exception {
        String id = newId();
        Path b = bundle(id, true, "sh", "-c", "read x; stty size");
        rt.create(id, b, CreateOptions.defaults(cfg, id).withTerminal(true).withStdin(true, true));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (AttachSession a = rt.attach(id)) {
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    a.pump((s, d) -> {
                        assertThat(s).as("a terminal has one stream").isEqualTo(StdStream.STDOUT);
                        synchronized (out) { out.writeBytes(d); }
                    });
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            rt.start(id);
            rt.resize(id, 40, 120);
            Thread.sleep(100); // conmon applies the size on its own loop; let it run before the process reads it
            a.stdin().write("go\r".getBytes());
            reader.join(Duration.ofSeconds(10));
            assertThat(reader.isAlive()).isFalse();
        }
        assertThat(out.toString()).contains("40 120\r\n");
        assertThat(awaitExit(id).code()).isZero();
        // The exit file is what awaitExit saw; conmon may still be alive with its ctl fifo open for a
        // moment after writing it, and the resize must fail all the same, every time.
        for (int i = 0; i < 20; i++) {
            assertThatThrownBy(() -> rt.resize(id, 30, 100)).isInstanceOf(BerthException.class)
                    .hasMessageContaining("is not running")
                    .extracting(e -> ((BerthException) e).kind()).isEqualTo(BerthException.Kind.CONFLICT);
        }
        assertThatThrownBy(() -> rt.resize(id, 0, 10)).isInstanceOf(BerthException.class)
                .extracting(e -> ((BerthException) e).kind()).isEqualTo(BerthException.Kind.INVALID_ARGUMENT);
    }

    /**
     * The window the flaky assertion fell into, made deterministic: conmon has written the exit file
     * but still holds its ctl fifo open (here: we hold it). Writing to the fifo would succeed, so the
     * resize must be refused on the exit file, not on the fifo.
     */
    @Test
    void resizeAfterTheExitFileIsRefusedWhileCtlStillHasAReader() throws Exception {
        String id = newId();
        Path dir = cfg.socketDir().resolve(id);
        Files.createDirectories(dir);
        Files.createDirectories(cfg.exitDir());
        Path ctl = dir.resolve("ctl");
        assertThat(new ProcessBuilder("mkfifo", ctl.toString()).start().waitFor()).isZero();
        // O_RDWR on a fifo does not block and counts as a reader, as conmon's own open does.
        try (var reader = java.nio.channels.FileChannel.open(ctl, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE)) {
            Files.writeString(cfg.exitDir().resolve(id), "0");
            assertThatThrownBy(() -> rt.resize(id, 30, 100)).isInstanceOf(BerthException.class)
                    .hasMessageContaining("container " + id + " is not running")
                    .extracting(e -> ((BerthException) e).kind()).isEqualTo(BerthException.Kind.CONFLICT);
            // and without an exit file nor a conmon: lost, equally not running
            Files.delete(cfg.exitDir().resolve(id));
            assertThatThrownBy(() -> rt.resize(id, 30, 100)).isInstanceOf(BerthException.class)
                    .extracting(e -> ((BerthException) e).kind()).isEqualTo(BerthException.Kind.CONFLICT);
        } finally {
            ConmonRuntime.deleteTree(dir);
        }
    }

    @Test
    void execWithTerminalIsResizedAndDetachWakesABlockedReader() throws Exception {
        String id = newId();
        Path b = bundle(id, false, "sleep", "1000");
        run(id, b);
        try (ExecProcess p = rt.exec(id, id + "-tty", TestBundles.process(b, true, "sh", "-c", "read x; stty size"), new ExecOptions(true, true))) {
            p.resize(33, 99);
            Thread.sleep(100);
            p.attach().stdin().write("go\r".getBytes());
            ExecRuntime.ExecResult r = p.collect();
            assertThat(r.stdoutText()).contains("33 99\r\n");
            assertThat(r.exitCode()).isZero();
            assertThatThrownBy(() -> p.resize(20, 20)).isInstanceOf(BerthException.class)
                    .hasMessageContaining("is not running")
                    .extracting(e -> ((BerthException) e).kind()).isEqualTo(BerthException.Kind.CONFLICT);
        }
        // detach: close() from another thread ends a read that is blocked in recv, the container runs on
        AttachSession a = rt.attach(id);
        var result = new java.util.concurrent.CompletableFuture<AttachSession.Frame>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                result.complete(a.read());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        Thread.sleep(100);
        assertThat(reader.isAlive()).isTrue();
        a.close();
        assertThat(result.get(5, java.util.concurrent.TimeUnit.SECONDS)).isNull();
        assertThat(rt.state(id).status()).isEqualTo(RuntimeState.Status.RUNNING);
    }

    @Test
    void followedLogsEndWhenTheContainerExits() throws Exception {
        String id = newId();
        run(id, bundle(id, false, "sh", "-c", "for i in 1 2 3; do echo $i; sleep 0.1; done; echo x >&2"));
        List<LogEntry> got = new CopyOnWriteArrayList<>();
        K8sFileLog.stream(CreateOptions.defaults(cfg, id).logPath(), LogQuery.ALL.withFollow(true),
                () -> rt.check(id) instanceof Liveness.Exited, got::add, Duration.ofMillis(20));
        assertThat(got).extracting(e -> e.stream() + ":" + e.text()).containsExactly("STDOUT:1\n", "STDOUT:2\n", "STDOUT:3\n", "STDERR:x\n");
    }

    @Test
    void updateChangesLimitsLive() throws Exception {
        String id = newId();
        CreatedContainer c = run(id, bundle(id, false, "sleep", "1000"));
        rt.update(id, "{\"pids\":{\"limit\":50}}");
        String pidsCgroup = Files.readAllLines(Path.of("/proc", Integer.toString(c.pid()), "cgroup")).stream()
                .filter(l -> l.contains(":pids:")).findFirst().orElseThrow().split(":", 3)[2];
        assertThat(Files.readString(Path.of("/sys/fs/cgroup/pids" + pidsCgroup, "pids.max")).strip()).isEqualTo("50");
        assertThatThrownBy(() -> rt.update(id, "{not json")).isInstanceOf(BerthException.class).hasMessageContaining("runc update");
    }

    private void awaitLog(String id, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (K8sFileLog.read(CreateOptions.defaults(cfg, id).logPath(), LogQuery.ALL).stream().anyMatch(e -> e.text().contains(text))) return;
            Thread.sleep(10);
        }
        throw new AssertionError("no log line " + text + " from " + id);
    }

    private static String fuser(Path p) throws IOException, InterruptedException {
        Process f = new ProcessBuilder("sh", "-c", "ls -l /proc/[0-9]*/fd 2>/dev/null | grep -B30 " + p + " | grep -E '^/proc|" + p + "'")
                .redirectErrorStream(true).start();
        String out = new String(f.getInputStream().readAllBytes());
        f.waitFor();
        return out;
    }

    private static long ppid(int pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status")).stream()
                .filter(l -> l.startsWith("PPid:")).map(l -> Long.parseLong(l.substring(5).strip())).findFirst().orElseThrow();
    }

    /** Processes whose command line mentions {@code s}: conmon (its -c ID) and runc calls for the test's containers. */
    static List<String> processesMentioning(String s) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))::iterator) {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                    if (cmd.contains(s)) found.add(p.getFileName() + ": " + cmd);
                } catch (IOException ignored) {
                    // exited meanwhile
                }
            }
        }
        return found;
    }
}
