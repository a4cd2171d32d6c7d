package io.berth.engine.container;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.api.BerthException;
import io.berth.api.container.AttachOptions;
import io.berth.api.container.AttachSession;
import io.berth.api.container.ContainerDetails;
import io.berth.api.container.ContainerEngine;
import io.berth.api.container.ContainerListOptions;
import io.berth.api.container.ContainerSpec;
import io.berth.api.container.ContainerState.Status;
import io.berth.api.container.ContainerSummary;
import io.berth.api.container.ExecSpec;
import io.berth.api.container.HostSpec;
import io.berth.api.container.LogEntry;
import io.berth.api.container.LogOptions;
import io.berth.api.container.LogStream;
import io.berth.api.container.StdStream;
import io.berth.api.container.WaitCondition;
import io.berth.api.image.PullOptions;
import io.berth.engine.Engine;
import io.berth.engine.EngineConfig;
import io.berth.engine.NativeEngine;
import io.berth.engine.registry.TestRegistry;
import io.berth.engine.snapshot.Mounter;
import io.berth.spec.image.Descriptor;
import io.berth.spec.image.Digest;
import io.berth.spec.image.MediaTypes;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Containers end to end: a busybox image pulled from a real registry, run by runc under conmon. */
class ContainerServiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> APPLETS = List.of("sh", "echo", "cat", "sleep", "true", "false", "id", "ls", "stty", "pwd");
    @TempDir static Path shared;
    static TestRegistry registry;
    static String image;

    Path root;
    Engine engine;
    ContainerEngine ctr;

    @BeforeAll
    static void pushBusybox() throws IOException {
        registry = TestRegistry.start(shared.resolve("registry"));
        byte[] layer = busyboxLayer();
        String repo = "test/busybox";
        Descriptor l = registry.pushBlob(repo, gzip(layer), MediaTypes.OCI_LAYER_GZIP);
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("created", "2026-01-02T03:04:05Z");
        cfg.put("architecture", "amd64");
        cfg.put("os", "linux");
        cfg.put("config", Map.of("Cmd", List.of("sh"), "Env", List.of("PATH=/bin"), "Labels", Map.of("from", "image")));
        cfg.put("rootfs", Map.of("type", "layers", "diff_ids", List.of(Digest.sha256(layer).toString())));
        Descriptor config = registry.pushBlob(repo, JSON.writeValueAsBytes(cfg), MediaTypes.OCI_CONFIG);
        registry.pushManifestFor(repo, "1", TestRegistry.Flavor.OCI, config, List.of(l));
        image = registry.host() + "/" + repo + ":1";
    }

    /** Pushes a one-layer busybox image (Cmd sh, PATH=/bin) to {@code registry}; returns its reference. */
    static String pushBusyboxImage(TestRegistry registry) throws IOException {
        byte[] layer = busyboxLayer();
        String repo = "test/busybox";
        Descriptor l = registry.pushBlob(repo, gzip(layer), MediaTypes.OCI_LAYER_GZIP);
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("architecture", "amd64");
        cfg.put("os", "linux");
        cfg.put("config", Map.of("Cmd", List.of("sh"), "Env", List.of("PATH=/bin")));
        cfg.put("rootfs", Map.of("type", "layers", "diff_ids", List.of(Digest.sha256(layer).toString())));
        Descriptor config = registry.pushBlob(repo, JSON.writeValueAsBytes(cfg), MediaTypes.OCI_CONFIG);
        registry.pushManifestFor(repo, "1", TestRegistry.Flavor.OCI, config, List.of(l));
        return registry.host() + "/" + repo + ":1";
    }

    @AfterAll
    static void stopRegistry() { registry.close(); }

    static byte[] busyboxLayer() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (String d : List.of("bin", "etc", "proc", "sys", "dev", "tmp")) {
                TarArchiveEntry e = new TarArchiveEntry(d + "/");
                e.setMode(040755);
                t.putArchiveEntry(e);
                t.closeArchiveEntry();
            }
            file(t, "bin/busybox", Files.readAllBytes(Path.of("/bin/busybox")), 0100755);
            file(t, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n".getBytes(StandardCharsets.UTF_8), 0100644);
            file(t, "etc/group", "root:x:0:\nnogroup:x:65534:\n".getBytes(StandardCharsets.UTF_8), 0100644);
            for (String a : APPLETS) {
                TarArchiveEntry e = new TarArchiveEntry("bin/" + a, TarArchiveEntry.LF_SYMLINK);
                e.setLinkName("busybox");
                t.putArchiveEntry(e);
                t.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    private static void file(TarArchiveOutputStream t, String name, byte[] body, int mode) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(mode);
        e.setSize(body.length);
        t.putArchiveEntry(e);
        t.write(body);
        t.closeArchiveEntry();
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) { g.write(b); }
        return out.toByteArray();
    }

    @BeforeEach
    void open() {
        // Short: conmon's attach socket SOCKETDIR/64-hex-ID/attach must fit in sun_path (108 bytes).
        root = Path.of("/tmp", "bc-" + java.util.HexFormat.of().toHexDigits(java.util.concurrent.ThreadLocalRandom.current().nextInt()));
        openEngine();
        engine.images().pull(PullOptions.of(image), e -> { });
    }

    void openEngine() {
        // its own default bridge and subnet: a berthd on this host may use the stock berth0/172.30.0.0/16
        engine = NativeEngine.open(EngineConfig.defaults(root).withNetwork(
                new io.berth.engine.network.NetworkConfig("berthct0", "172.29.8.1/24", "172.29.128.0/18", 24, false, 1)));
        ctr = engine.containers();
    }

    @AfterEach
    void cleanUp() throws IOException, InterruptedException {
        List<ContainerSummary> left = ctr.list(ContainerListOptions.ALL);
        for (ContainerSummary s : left) ctr.remove(s.id(), true, false);
        engine.close();
        assertThat(Mounter.mountPointsUnder(root)).as("mounts left under the engine root").isEmpty();
        // conmon writes the exit file and lingers a moment (syncing the log) before it exits
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!conmonsUnder(root).isEmpty() && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(conmonsUnder(root)).as("conmon processes left").isEmpty();
        try (var w = Files.walk(root)) {
            for (Path p : w.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** conmon processes whose command line names this engine's root. */
    static List<Long> conmonsUnder(Path root) {
        List<Long> out = new ArrayList<>();
        String r = root.toAbsolutePath().toString();
        ProcessHandle.allProcesses().forEach(p -> {
            try {
                String cmd = new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")), StandardCharsets.UTF_8);
                if (cmd.contains("conmon") && cmd.contains(r)) out.add(p.pid());
            } catch (IOException ignored) {
                // exited meanwhile
            }
        });
        return out;
    }

    /** Without a network: these tests are about the container lifecycle (NetworkedContainersTest covers networks). */
    static ContainerSpec spec(String... cmd) { return ContainerSpec.of(image, List.of(cmd)).withHost(host("none", "no", 0)); }

    static HostSpec host(String network, String policy, int max) {
        return new HostSpec(List.of(), List.of(), Map.of(), network, false, false, List.of(), List.of(), List.of(), false, null,
                List.of(), null, policy, max, HostSpec.Resources.NONE, null, List.of(), Map.of(), null, null, null, null, null);
    }

    static String drain(AttachSession s) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (AttachSession.Frame f; (f = s.read()) != null; ) sb.append(f.stream() == StdStream.STDERR ? "E:" : "").append(new String(f.data(), StandardCharsets.UTF_8));
        return sb.toString();
    }

    static <T> T within(Duration d, java.util.concurrent.Callable<T> c) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try { return c.call(); } catch (Exception e) { throw new RuntimeException(e); }
        }).get(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void runsEchoAndShowsOutputThroughAttachAndLogs() throws Exception {
        String id = ctr.create(spec("echo", "hi")).id();
        assertThat(id).matches("[0-9a-f]{64}");
        assertThat(ctr.inspect(id).state().status()).isEqualTo(Status.CREATED);
        try (AttachSession a = ctr.attach(id, AttachOptions.OUTPUT)) {
            ctr.start(id);
            assertThat(within(Duration.ofSeconds(10), () -> drain(a))).isEqualTo("hi\n");
            assertThat(a.exitCode()).isZero();
        }
        assertThat(ctr.wait(id, WaitCondition.NOT_RUNNING).statusCode()).isZero();
        try (LogStream logs = ctr.logs(id, LogOptions.ALL)) {
            LogEntry e = logs.next();
            assertThat(new String(e.data(), StandardCharsets.UTF_8)).isEqualTo("hi\n");
            assertThat(e.stream()).isEqualTo(StdStream.STDOUT);
            assertThat(logs.next()).isNull();
        }
        ContainerDetails d = ctr.inspect(id);
        assertThat(d.state().status()).isEqualTo(Status.EXITED);
        assertThat(d.state().exitCode()).isZero();
        assertThat(d.state().startedAt()).isNotNull();
        assertThat(d.state().finishedAt()).isAfterOrEqualTo(d.state().startedAt());
        assertThat(d.path()).isEqualTo("echo");
        assertThat(d.args()).containsExactly("hi");
        assertThat(d.name()).matches("[a-z]+_[a-z]+\\d?");
        assertThat(d.labels()).containsEntry("from", "image");
        assertThat(Mounter.isMountPoint(Path.of(d.rootfs()))).as("rootfs unmounted after exit").isFalse();

        try (LogStream none = ctr.logs(id, new LogOptions(true, true, false, false, Instant.now().plusSeconds(60), null, -1))) {
            assertThat(none.next()).as("since in the future").isNull();
        }
        try (LogStream none = ctr.logs(id, new LogOptions(true, true, false, false, null, d.state().startedAt().minusSeconds(60), -1))) {
            assertThat(none.next()).as("until before the start").isNull();
        }

        // attach with logs replays the log; without stream it ends there
        try (AttachSession replay = ctr.attach(id, new AttachOptions(false, true, true, true, false))) {
            assertThat(drain(replay)).isEqualTo("hi\n");
        }

        // started again, it runs again and its log grows
        ctr.start(id);
        assertThat(ctr.wait(id, WaitCondition.NOT_RUNNING).statusCode()).isZero();
        assertThat(ctr.logs(id, new LogOptions(true, true, false, false, null, null, 1)).next().data()).asString().isEqualTo("hi\n");
        try (LogStream all = ctr.logs(id, LogOptions.ALL)) {
            int n = 0;
            while (all.next() != null) n++;
            assertThat(n).isEqualTo(2);
        }
    }

    @Test
    void exitCodesAndWaitConditions() throws Exception {
        String three = ctr.create(spec("sh", "-c", "echo oops >&2; exit 3")).id();
        assertThat(ctr.wait(three, WaitCondition.NOT_RUNNING).statusCode()).as("created: not running at once").isZero();
        ctr.start(three);
        assertThat(within(Duration.ofSeconds(10), () -> ctr.wait(three, WaitCondition.NOT_RUNNING).statusCode())).isEqualTo(3);
        assertThat(ctr.logs(three, new LogOptions(false, true, false, false, null, null, -1)).next().stream()).isEqualTo(StdStream.STDERR);
        assertThat(ctr.list(new ContainerListOptions(true, -1, Map.of("exited", List.of("3"))))).extracting(ContainerSummary::id).containsExactly(three);

        String sleeper = ctr.create(spec("sleep", "1000")).id();
        ctr.start(sleeper);
        CompletableFuture<Integer> next = CompletableFuture.supplyAsync(() -> ctr.wait(sleeper, WaitCondition.NEXT_EXIT).statusCode());
        CompletableFuture<Integer> removed = CompletableFuture.supplyAsync(() -> ctr.wait(sleeper, WaitCondition.REMOVED).statusCode());
        Thread.sleep(200);
        assertThat(next).isNotDone();
        ctr.kill(sleeper, "KILL");
        assertThat(next.get(10, TimeUnit.SECONDS)).isEqualTo(137);
        assertThat(removed).isNotDone();
        ctr.remove(sleeper, false, false);
        assertThat(removed.get(10, TimeUnit.SECONDS)).isEqualTo(137);
        assertThatThrownBy(() -> ctr.inspect(sleeper)).isInstanceOfSatisfying(BerthException.class,
                e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.NOT_FOUND));
    }

    @Test
    void missingCommandFailsWithTheWordsDockerClientsTurnInto127() throws Exception {
        String id = ctr.create(spec("nope")).id();
        assertThatThrownBy(() -> ctr.start(id)).isInstanceOfSatisfying(BerthException.class, e -> {
            assertThat(e.kind()).isEqualTo(BerthException.Kind.INVALID_ARGUMENT);
            assertThat(e.getMessage()).containsAnyOf("executable file not found", "no such file or directory");
        });
        ContainerDetails d = ctr.inspect(id);
        assertThat(d.state().status()).isEqualTo(Status.CREATED);
        assertThat(d.state().exitCode()).isEqualTo(127);
        assertThat(d.state().error()).isNotBlank();

        // with --rm the container that cannot start goes away
        String rm = ctr.create(spec("nope").withHost(HostSpec.DEFAULT.withAutoRemove(true))).id();
        CompletableFuture<Integer> removed = CompletableFuture.supplyAsync(() -> ctr.wait(rm, WaitCondition.REMOVED).statusCode());
        assertThatThrownBy(() -> ctr.start(rm)).isInstanceOf(BerthException.class);
        assertThat(removed.get(10, TimeUnit.SECONDS)).isEqualTo(127);
    }

    @Test
    void refusesUnknownNetworksAndMissingImages() {
        assertThatThrownBy(() -> ctr.create(spec("true").withHost(host("nosuchnet", "no", 0))))
                .isInstanceOfSatisfying(BerthException.class, e -> {
                    assertThat(e.kind()).isEqualTo(BerthException.Kind.NOT_FOUND);
                    assertThat(e.getMessage()).isEqualTo("network nosuchnet not found");
                });
        assertThatThrownBy(() -> ctr.create(ContainerSpec.of("nope:1", List.of("true"))))
                .isInstanceOfSatisfying(BerthException.class, e -> {
                    assertThat(e.kind()).isEqualTo(BerthException.Kind.NOT_FOUND);
                    assertThat(e.getMessage()).isEqualTo("No such image: nope:1");
                });
        String id = ctr.create(spec("true").withHost(host("host", "no", 0))).id();
        ctr.start(id);
        assertThat(ctr.wait(id, WaitCondition.NOT_RUNNING).statusCode()).isZero();
    }

    @Test
    void stopEscalatesToSigkillWhenPid1IgnoresSigterm() throws Exception {
        String id = ctr.create(spec("sleep", "1000")).id();
        ctr.start(id);
        assertThat(ctr.inspect(id).state().running()).isTrue();
        assertThat(ctr.inspect(id).state().pid()).isPositive();
        long t0 = System.nanoTime();
        ctr.stop(id, 1, null);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).isBetween(900L, 8000L);
        ContainerDetails d = ctr.inspect(id);
        assertThat(d.state().status()).isEqualTo(Status.EXITED);
        assertThat(d.state().exitCode()).isEqualTo(137);
        assertThatThrownBy(() -> ctr.stop(id, 1, null)).isInstanceOfSatisfying(BerthException.class,
                e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.NOT_MODIFIED));
        assertThatThrownBy(() -> ctr.kill(id, null)).isInstanceOfSatisfying(BerthException.class,
                e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.CONFLICT));

        // a process with a handler stops at once on SIGTERM
        String polite = ctr.create(spec("sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done")).id();
        ctr.start(polite);
        Thread.sleep(300);
        t0 = System.nanoTime();
        ctr.stop(polite, 10, null);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(3000);
        assertThat(ctr.inspect(polite).state().exitCode()).isZero();
        assertThatThrownBy(() -> ctr.kill(polite, "SIGNOPE")).isInstanceOfSatisfying(BerthException.class,
                e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.INVALID_ARGUMENT));
    }

    @Test
    void pauseUnpauseAndImpossibleTransitions() throws Exception {
        String id = ctr.create(spec("sleep", "1000")).id();
        assertThatThrownBy(() -> ctr.pause(id)).isInstanceOfSatisfying(BerthException.class,
                e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.CONFLICT));
        ctr.start(id);
        assertThatThrownBy(() -> ctr.start(id)).isInstanceOfSatisfying(BerthException.class,
                e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.NOT_MODIFIED));
        ctr.pause(id);
        assertThat(ctr.inspect(id).state().status()).isEqualTo(Status.PAUSED);
        assertThat(ctr.list(ContainerListOptions.RUNNING)).singleElement().satisfies(s -> assertThat(s.status()).endsWith("(Paused)"));
        assertThatThrownBy(() -> ctr.pause(id)).isInstanceOfSatisfying(BerthException.class,
                e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.CONFLICT));
        assertThatThrownBy(() -> ctr.execCreate(id, ExecSpec.of(List.of("true")))).isInstanceOfSatisfying(BerthException.class,
                e -> assertThat(e.getMessage()).contains("paused"));
        ctr.unpause(id);
        assertThat(ctr.inspect(id).state().status()).isEqualTo(Status.RUNNING);
        assertThatThrownBy(() -> ctr.unpause(id)).isInstanceOfSatisfying(BerthException.class,
                e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.CONFLICT));
        ctr.kill(id, "9");
        assertThat(ctr.wait(id, WaitCondition.NOT_RUNNING).statusCode()).isEqualTo(137);
        assertThatThrownBy(() -> Transitions.check(id, Status.EXITED, Status.PAUSED)).hasMessage("Container " + id + " is exited: cannot become paused");

        // a paused container can be stopped (it is thawed to receive the signal) and force-removed
        ctr.start(id);
        ctr.pause(id);
        ctr.stop(id, 1, null);
        assertThat(ctr.inspect(id).state().status()).isEqualTo(Status.EXITED);
        assertThat(ctr.inspect(id).state().exitCode()).isEqualTo(137);
        ctr.start(id);
        ctr.pause(id);
        assertThatThrownBy(() -> ctr.remove(id, false, false)).isInstanceOfSatisfying(BerthException.class,
                e -> assertThat(e.getMessage()).startsWith("You cannot remove a paused container"));
        ctr.remove(id, true, false);
        assertThat(ctr.list(ContainerListOptions.ALL)).isEmpty();
    }

    @Test
    void namesRenameRemoveAndListFilters() {
        String a = ctr.create(spec("sleep", "1000").withName("web")).id();
        assertThatThrownBy(() -> ctr.create(spec("true").withName("web"))).isInstanceOfSatisfying(BerthException.class, e -> {
            assertThat(e.kind()).isEqualTo(BerthException.Kind.CONFLICT);
            assertThat(e.getMessage()).isEqualTo("Conflict. The container name \"/web\" is already in use by container \"" + a
                    + "\". You have to remove (or rename) that container to be able to reuse that name.");
        });
        ContainerSpec labelled = new ContainerSpec("db", image, List.of("true"), null, null, null, null, null, Map.of("tier", "data"),
                false, false, false, null, null, HostSpec.DEFAULT);
        String b = ctr.create(labelled).id();
        ctr.start(a);
        assertThat(ctr.inspect("/web").id()).isEqualTo(a);
        assertThat(ctr.inspect(a.substring(0, 10)).id()).isEqualTo(a);

        assertThat(ids(ContainerListOptions.RUNNING)).containsExactly(a);
        assertThat(ids(ContainerListOptions.ALL)).containsExactlyInAnyOrder(a, b);
        assertThat(ids(filter("label", "tier=data"))).containsExactly(b);
        assertThat(ids(filter("label", "tier"))).containsExactly(b);
        assertThat(ids(filter("label", "from=image"))).containsExactlyInAnyOrder(a, b);
        assertThat(ids(filter("status", "created"))).containsExactly(b);
        assertThat(ids(filter("status", "running"))).containsExactly(a);
        assertThat(ids(filter("name", "we"))).containsExactly(a);
        assertThat(ids(filter("id", b.substring(0, 8)))).containsExactly(b);
        assertThat(ids(filter("ancestor", image))).containsExactlyInAnyOrder(a, b);
        assertThat(ids(filter("ancestor", "other:1"))).isEmpty();
        assertThat(ctr.list(ContainerListOptions.RUNNING).getFirst().status()).startsWith("Up ");

        ctr.rename(a, "api");
        assertThat(ctr.inspect(a).name()).isEqualTo("api");
        assertThatThrownBy(() -> ctr.inspect("web")).isInstanceOfSatisfying(BerthException.class,
                e -> assertThat(e.getMessage()).isEqualTo("No such container: web"));
        assertThatThrownBy(() -> ctr.rename(b, "api")).isInstanceOfSatisfying(BerthException.class,
                e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.CONFLICT));
        String c = ctr.create(spec("true").withName("web")).id(); // the old name is free again

        assertThatThrownBy(() -> ctr.remove(a, false, false)).isInstanceOfSatisfying(BerthException.class, e -> {
            assertThat(e.kind()).isEqualTo(BerthException.Kind.CONFLICT);
            assertThat(e.getMessage()).startsWith("You cannot remove a running container " + a);
        });
        ctr.remove("api", true, false);
        ctr.remove(b, false, false);
        ctr.remove(c, false, false);
        assertThat(ctr.list(ContainerListOptions.ALL)).isEmpty();
        assertThat(root.resolve("containers").resolve(a)).doesNotExist();
    }

    private List<String> ids(ContainerListOptions o) { return ctr.list(o).stream().map(ContainerSummary::id).toList(); }

    private static ContainerListOptions filter(String k, String v) { return new ContainerListOptions(true, -1, Map.of(k, List.of(v))); }

    @Test
    void execRunsInTheContainerWithItsExitCode() throws Exception {
        String id = ctr.create(spec("sleep", "1000")).id();
        ctr.start(id);
        String x = ctr.execCreate(id, ExecSpec.of(List.of("echo", "from exec")));
        assertThat(x).matches("[0-9a-f]{64}");
        assertThat(ctr.execInspect(x).running()).isFalse();
        try (AttachSession s = ctr.execStart(x, false, false)) {
            assertThat(within(Duration.ofSeconds(10), () -> drain(s))).isEqualTo("from exec\n");
            assertThat(s.exitCode()).isZero();
        }
        assertThat(ctr.execInspect(x).exitCode()).isZero();
        assertThat(ctr.inspect(id).execIds()).contains(x);

        String five = ctr.execCreate(id, new ExecSpec(List.of("sh", "-c", "echo $GREETING >&2; exit 5"), List.of("GREETING=hello"),
                null, null, false, false, true, true, false, null));
        try (AttachSession s = ctr.execStart(five, false, false)) {
            assertThat(within(Duration.ofSeconds(10), () -> drain(s))).isEqualTo("E:hello\n");
            assertThat(s.exitCode()).isEqualTo(5);
        }
        assertThat(ctr.execInspect(five).exitCode()).isEqualTo(5);
        assertThat(ctr.execInspect(five).running()).isFalse();
        assertThatThrownBy(() -> ctr.execStart(five, false, false)).isInstanceOfSatisfying(BerthException.class,
                e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.CONFLICT));
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (Files.exists(root.resolve("s").resolve(five)) && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(root.resolve("s").resolve(five)).as("exec socket link removed after the exit").doesNotExist();
        assertThat(root.resolve("run/containers").resolve(id).resolve("exec").resolve(five)).doesNotExist();
        assertThat(ctr.inspect(id).execIds()).containsExactly(x, five);

        // created while running, started while paused: Docker's "paused" conflict, and it can still run later
        String later = ctr.execCreate(id, ExecSpec.of(List.of("true")));
        ctr.pause(id);
        assertThatThrownBy(() -> ctr.execStart(later, false, false)).isInstanceOfSatisfying(BerthException.class,
                e -> assertThat(e.getMessage()).isEqualTo("Container " + id + " is paused, unpause the container before exec"));
        ctr.unpause(id);
        try (AttachSession s = ctr.execStart(later, false, false)) {
            assertThat(within(Duration.ofSeconds(10), () -> drain(s))).isEmpty();
        }

        // removal ends the container's execs: their IDs are gone with it
        ctr.remove(id, true, false);
        for (String e : List.of(x, five, later)) {
            assertThatThrownBy(() -> ctr.execInspect(e)).isInstanceOfSatisfying(BerthException.class,
                    ex -> assertThat(ex.kind()).isEqualTo(BerthException.Kind.NOT_FOUND));
        }
    }

    @Test
    void attachWithStdinEchoesAndEndsAtStdinClose() throws Exception {
        String id = ctr.create(spec("cat").withTty(false, true)).id();
        try (AttachSession a = ctr.attach(id, AttachOptions.ALL)) {
            ctr.start(id);
            a.stdin().write("ping\n".getBytes(StandardCharsets.UTF_8));
            a.stdin().flush();
            AttachSession.Frame f = within(Duration.ofSeconds(10), a::read);
            assertThat(new String(f.data(), StandardCharsets.UTF_8)).isEqualTo("ping\n");
            a.stdin().close();
            assertThat(within(Duration.ofSeconds(10), () -> drain(a))).isEmpty();
        }
        assertThat(within(Duration.ofSeconds(10), () -> ctr.wait(id, WaitCondition.NOT_RUNNING).statusCode())).isZero();
    }

    @Test
    void followedLogsEndWhenTheContainerStops() throws Exception {
        String id = ctr.create(spec("sh", "-c", "echo one; sleep 0.5; echo two")).id();
        ctr.start(id);
        List<String> lines = within(Duration.ofSeconds(15), () -> {
            List<String> out = new ArrayList<>();
            try (LogStream l = ctr.logs(id, new LogOptions(true, true, true, false, null, null, -1))) {
                for (LogEntry e; (e = l.next()) != null; ) out.add(new String(e.data(), StandardCharsets.UTF_8));
            }
            return out;
        });
        assertThat(lines).containsExactly("one\n", "two\n");
    }

    @Test
    void autoRemoveAndRestartPolicies() throws Exception {
        String gone = ctr.create(spec("true").withName("rm-me").withHost(HostSpec.DEFAULT.withAutoRemove(true))).id();
        CompletableFuture<Integer> removed = CompletableFuture.supplyAsync(() -> ctr.wait(gone, WaitCondition.REMOVED).statusCode());
        ctr.start(gone);
        assertThat(removed.get(10, TimeUnit.SECONDS)).isZero();
        assertThatThrownBy(() -> ctr.inspect(gone)).isInstanceOf(BerthException.class);
        // removed means removed for the next command at once: the name is free
        String again = ctr.create(spec("true").withName("rm-me")).id();
        ctr.remove(again, true, false);
        // and its files follow a moment later (the clean-up runs after the answer)
        Path bundle = root.resolve("containers").resolve(gone);
        long cleanDeadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (Files.exists(bundle) && System.nanoTime() < cleanDeadline) Thread.sleep(20);
        assertThat(bundle).as("bundle directory of the removed --rm container").doesNotExist();
        assertThat(Mounter.mountPointsUnder(root.resolve("containers"))).as("mounts of the removed --rm container").isEmpty();
        try (var snaps = Files.walk(root, 3)) {
            assertThat(snaps.map(Path::toString).filter(x -> x.contains(gone)).toList()).as("files naming the removed container").isEmpty();
        }

        String failing = ctr.create(spec("sh", "-c", "exit 1").withHost(host(null, "on-failure", 2))).id();
        ctr.start(failing);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && !(ctr.inspect(failing).state().restartCount() == 2
                && ctr.inspect(failing).state().status() == Status.EXITED)) Thread.sleep(50);
        ContainerDetails d = ctr.inspect(failing);
        assertThat(d.state().restartCount()).isEqualTo(2);
        assertThat(d.state().status()).isEqualTo(Status.EXITED);
        assertThat(d.state().exitCode()).isEqualTo(1);
    }

    @Test
    void runningContainersSurviveTheEngineAndAreReadopted() throws Exception {
        String runner = ctr.create(spec("sleep", "1000")).id();
        String quick = ctr.create(spec("sh", "-c", "sleep 1; exit 4")).id();
        String always = ctr.create(spec("sh", "-c", "sleep 1; exit 2").withHost(host(null, "always", 0))).id();
        ctr.start(runner);
        ctr.start(quick);
        ctr.start(always);
        engine.close();
        Thread.sleep(1500); // quick exits while no engine watches
        openEngine();
        ContainerDetails r = ctr.inspect(runner);
        assertThat(r.state().status()).isEqualTo(Status.RUNNING);
        assertThat(ProcessHandle.of(r.state().pid())).isPresent();
        ContainerDetails q = ctr.inspect(quick);
        assertThat(q.state().status()).isEqualTo(Status.EXITED);
        assertThat(q.state().exitCode()).isEqualTo(4);
        assertThat(Mounter.isMountPoint(Path.of(q.rootfs()))).isFalse();
        // the exit while no engine watched is seen at open, and the restart policy applies
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && ctr.inspect(always).state().restartCount() < 1) Thread.sleep(50);
        assertThat(ctr.inspect(always).state().restartCount()).isGreaterThanOrEqualTo(1);

        String x = ctr.execCreate(runner, ExecSpec.of(List.of("echo", "still here")));
        try (AttachSession s = ctr.execStart(x, false, false)) {
            assertThat(within(Duration.ofSeconds(10), () -> drain(s))).isEqualTo("still here\n");
        }
        ctr.stop(runner, 1, null);
        assertThat(ctr.inspect(runner).state().exitCode()).isEqualTo(137);
    }

    @Test
    void ttyResizeAndExecOptions() throws Exception {
        String id = ctr.create(spec("sh", "-c", "sleep 1; stty size").withTty(true, true)).id();
        try (AttachSession a = ctr.attach(id, AttachOptions.ALL)) {
            assertThat(a.tty()).isTrue();
            ctr.start(id);
            ctr.resize(id, 40, 100);
            assertThat(within(Duration.ofSeconds(10), () -> drain(a))).contains("40 100");
        }
        assertThat(ctr.wait(id, WaitCondition.NOT_RUNNING).statusCode()).isZero();

        String sleeper = ctr.create(spec("sleep", "1000")).id();
        ctr.start(sleeper);
        String asNobody = ctr.execCreate(sleeper, new ExecSpec(List.of("sh", "-c", "id -u; pwd"), List.of(), "nobody", "/tmp",
                false, false, true, true, false, null));
        try (AttachSession s = ctr.execStart(asNobody, false, false)) {
            assertThat(within(Duration.ofSeconds(10), () -> drain(s))).isEqualTo("65534\n/tmp\n");
        }
        String detached = ctr.execCreate(sleeper, ExecSpec.of(List.of("sh", "-c", "exit 7")));
        ctr.execStart(detached, true, false).close();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (ctr.execInspect(detached).exitCode() == null && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(ctr.execInspect(detached).exitCode()).isEqualTo(7);
        assertThatThrownBy(() -> ctr.execInspect("nope")).isInstanceOfSatisfying(BerthException.class,
                e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.NOT_FOUND));
    }

    @Test
    void createStartRemoveCyclesLeaveNothingBehind() throws Exception {
        for (int i = 0; i < 10; i++) {
            String id = ctr.create(spec("true")).id();
            ctr.start(id);
            assertThat(ctr.wait(id, WaitCondition.NOT_RUNNING).statusCode()).isZero();
            ctr.remove(id, false, false);
        }
        try (var l = Files.list(root.resolve("containers"))) {
            assertThat(l.toList()).as("bundles left").isEmpty();
        }
        try (var l = Files.list(root.resolve("run").resolve("containers"))) {
            assertThat(l.toList()).as("runtime directories left").isEmpty();
        }
        try (var l = Files.list(root.resolve("run").resolve("exits"))) {
            assertThat(l.toList()).as("exit files left").isEmpty();
        }
        Process p = new ProcessBuilder("runc", "--root", root.resolve("run/runtime/runc").toString(), "list", "-q").start();
        assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip()).as("runc containers left").isEmpty();
    }

    @Test
    void parallelRunsDoNotTripOverEachOther() throws Exception {
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            List<java.util.concurrent.Future<Integer>> runs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int n = i;
                runs.add(pool.submit(() -> {
                    String id = ctr.create(spec("sh", "-c", "exit " + n).withName("par" + n)).id();
                    ctr.start(id);
                    int code = ctr.wait(id, WaitCondition.NOT_RUNNING).statusCode();
                    ctr.remove(id, false, false);
                    return code;
                }));
            }
            for (int i = 0; i < runs.size(); i++) assertThat(runs.get(i).get(60, TimeUnit.SECONDS)).isEqualTo(i);
        }
        assertThat(ctr.list(ContainerListOptions.ALL)).isEmpty();
    }
}
