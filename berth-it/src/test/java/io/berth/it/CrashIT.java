package io.berth.it;

import io.berth.it.fixture.BusyboxDaemon;
import io.berth.it.fixture.CommandResult;
import io.berth.it.fixture.DockerCli;
import io.berth.it.fixture.HostTraces;
import io.berth.it.fixture.LogOnFailure;
import io.berth.it.fixture.TempDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of the real berthd with containers in every situation at once, then a restart on the same
 * root: one container logging, one being started at the moment of the kill, an exec streaming,
 * containers that exit while no daemon runs (one plain with code 7, one {@code on-failure:3}, one
 * {@code always}, one {@code --rm}), a paused one, and two stopped ones whose policies apply at daemon
 * start. The crash and restart
 * happen once in {@link #crashWhileEverythingHappens()}; each test checks one promise afterwards.
 *
 * <p>The containers that exit during the downtime wait for a file in a bind-mounted directory, which
 * the test creates only once the daemon is dead: the exits happen while nobody watches, by design
 * rather than by timing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashIT {
    @RegisterExtension
    static final LogOnFailure LOGS = new LogOnFailure();
    /** Blocks until the test opens the gate (after the kill). */
    static final String GATE = "while [ ! -e /gate/go ]; do sleep 0.05; done; ";

    static BusyboxDaemon env;
    static DockerCli docker;
    static Path root;
    static Path gate;
    static Path scratch;
    /** name to id, of everything created before the crash */
    static final Map<String, String> ids = new LinkedHashMap<>();
    static int loggerPid;
    static int alwaysPidBefore;
    static int logLinesBeforeCrash;
    static Instant restartedAt;
    static Process execClient;
    static Process startClient;
    static long oldDaemonPid;
    static int pausedPid;
    /** the --rm container that exits during the downtime: removed after the restart */
    static String autormId;

    @BeforeAll
    static void crashWhileEverythingHappens() throws Exception {
        env = BusyboxDaemon.start(LOGS);
        docker = env.docker;
        root = env.daemon.root();
        gate = TempDirs.create("crashit-gate-");
        scratch = TempDirs.create("crashit-out-");
        String img = env.image;
        String bind = gate + ":/gate";

        run("logger", img, "sh", "-c", "i=0; while :; do echo line$i; i=$((i+1)); sleep 0.2; done");
        run("exit7", "-v", bind, img, "sh", "-c", GATE + "exit 7");
        run("onfail", "--restart", "on-failure:3", "-v", bind, img, "sh", "-c", GATE + "exit 3");
        run("always", "--restart", "always", "-v", bind, img, "sh", "-c",
                GATE + "[ -e /gate/always-again ] && exec sleep 1000; touch /gate/always-again; exit 0");
        run("stopped-always", "--restart", "always", img, "sleep", "1000");
        run("stopped-unless", "--restart", "unless-stopped", img, "sleep", "1000");
        docker.ok("stop", "-t", "0", "stopped-always", "stopped-unless");
        run("autorm", "--rm", "-v", bind, img, "sh", "-c", GATE + "exit 0");
        run("paused", img, "sleep", "1000");
        docker.ok("pause", "paused");
        pausedPid = pid("paused");

        loggerPid = pid("logger");
        alwaysPidBefore = pid("always");
        for (String n : List.of("logger", "exit7", "onfail", "always", "autorm"))
            assertThat(docker.ok("inspect", "-f", "{{.State.Running}}", n).out()).as(n + " runs before the crash").isEqualTo("true");

        Path execOut = scratch.resolve("exec.out");
        execClient = docker.start(execOut, "exec", "logger", "sh", "-c", "i=0; while [ $i -lt 30 ]; do echo ex$i; i=$((i+1)); sleep 0.1; done");
        await("the exec streams", () -> read(execOut).contains("ex2"));
        logLinesBeforeCrash = docker.ok("logs", "logger").lines().size();

        // The container being started: kill the daemon the moment its conmon exists, before the
        // daemon could have recorded it as running.
        Set<String> known = new HashSet<>(ids.values());
        startClient = docker.start(scratch.resolve("start.out"), "run", "-d", "--name", "starting", img, "sleep", "1000");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (HostTraces.conmonsOf(root).values().stream().allMatch(known::contains)) {
            assertThat(System.nanoTime()).as("a conmon for the container being started appears").isLessThan(deadline);
            Thread.sleep(2);
        }
        oldDaemonPid = env.daemon.pid();
        env.daemon.kill9();

        assertThat(execClient.waitFor(30, TimeUnit.SECONDS)).as("exec client ends with the daemon").isTrue();
        assertThat(startClient.waitFor(30, TimeUnit.SECONDS)).as("run client ends with the daemon").isTrue();
        Files.writeString(gate.resolve("go"), "");
        for (String n : List.of("exit7", "onfail", "always", "autorm")) {
            Path exit = root.resolve("run/exits").resolve(ids.get(n));
            await(n + " exits while the daemon is down (conmon writes " + exit + ")", () -> Files.exists(exit));
        }
        assertThat(ProcessHandle.of(loggerPid)).as("logger survives the daemon").isPresent();

        restartedAt = Instant.now();
        env.daemon.restart();
        autormId = ids.remove("autorm");
        String startedId = docker.ok("inspect", "-f", "{{.Id}}", "starting").out();
        assertThat(startedId).as("the container being started is known after the restart").matches("[0-9a-f]{64}");
        ids.put("starting", startedId);
    }

    @AfterAll
    static void down() {
        try {
            if (env != null && env.daemon.isAlive()) for (String id : docker.run("ps", "-aq").lines()) docker.run("rm", "-f", id);
        } finally {
            if (execClient != null) execClient.destroyForcibly();
            if (startClient != null) startClient.destroyForcibly();
            if (root != null) HostTraces.reap(root);
            if (env != null) env.close();
            TempDirs.deleteTree(gate);
            TempDirs.deleteTree(scratch);
        }
    }

    @Test
    @Order(1)
    void runningContainerIsReadoptedAndKeepsItsPid() {
        assertThat(docker.ok("inspect", "-f", "{{.State.Status}} {{.State.Pid}}", "logger").out()).isEqualTo("running " + loggerPid);
        assertThat(docker.ok("ps", "--format", "{{.Names}} {{.Status}}").lines()).anyMatch(l -> l.startsWith("logger Up"));
        assertThat(HostTraces.conmonsOf(root).values()).containsOnlyOnce(ids.get("logger"));
        CommandResult exec = docker.ok("exec", "logger", "echo", "after-restart");
        assertThat(exec.stdout()).isEqualTo("after-restart\n");
    }

    @Test
    @Order(1)
    void pausedContainerStaysPausedAndUnpauses() {
        assertThat(docker.ok("inspect", "-f", "{{.State.Status}} {{.State.Pid}}", "paused").out()).isEqualTo("paused " + pausedPid);
        docker.ok("unpause", "paused");
        assertThat(docker.ok("exec", "paused", "echo", "unpaused").stdout()).isEqualTo("unpaused\n");
    }

    @Test
    @Order(1)
    void autoRemoveContainerThatExitedDuringTheDowntimeIsRemoved() {
        await("--rm container is removed", () -> docker.run("inspect", autormId).exitCode() != 0);
        assertThat(docker.run("inspect", autormId).stderr()).contains("No such");
        assertThat(TempDirs.mountsUnder(root.resolve("containers").resolve(autormId))).isEmpty();
        assertThat(HostTraces.of(root, List.of(autormId)).cgroups()).isEmpty();
    }

    @Test
    @Order(2)
    void logsKeepTheOldOutputAndContinue() throws Exception {
        List<String> lines = docker.ok("logs", "logger").lines();
        assertThat(lines).startsWith("line0", "line1");
        // written while no daemon ran, and after the restart
        await("the log grows past " + logLinesBeforeCrash + " lines", () -> docker.ok("logs", "logger").lines().size() > logLinesBeforeCrash + 10);
        lines = docker.ok("logs", "logger").lines();
        for (int i = 0; i < lines.size(); i++) assertThat(lines.get(i)).as("log line %d (nothing lost or doubled)", i).isEqualTo("line" + i);

        // logs -f of the re-adopted container follows new output
        Path out = scratch.resolve("follow.out");
        Process follow = docker.start(out, "logs", "-f", "--tail", "1", "logger");
        try {
            int last = lines.size() - 1;
            await("logs -f shows new lines", () -> read(out).contains("line" + (last + 3) + "\n"));
        } finally {
            follow.destroyForcibly();
            follow.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(3)
    void exitsDuringTheDowntimeAreRecordedWithTheirCodes() {
        assertThat(docker.ok("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}} {{.State.Pid}}", "exit7").out()).isEqualTo("exited 7 0");
        Instant finished = Instant.parse(docker.ok("inspect", "-f", "{{.State.FinishedAt}}", "exit7").out());
        assertThat(finished).as("FinishedAt is when it exited, not when the daemon noticed").isBefore(restartedAt);
        assertThat(docker.ok("wait", "exit7").out()).isEqualTo("7");
        assertThat(docker.ok("ps", "-a", "--filter", "exited=7", "--format", "{{.Names}}").lines()).containsExactly("exit7");
    }

    @Test
    @Order(4)
    void restartPoliciesApplyToExitsDuringTheDowntime() {
        await("on-failure:3 gives up after 3 restarts", () ->
                docker.ok("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}", "onfail").out().equals("exited 3 3"));
        await("always is running again", () -> docker.ok("inspect", "-f", "{{.State.Status}}", "always").out().equals("running"));
        assertThat(docker.ok("inspect", "-f", "{{.RestartCount}}", "always").out()).isEqualTo("1");
        assertThat(pid("always")).isNotEqualTo(alwaysPidBefore);
    }

    @Test
    @Order(5)
    void policiesApplyAtDaemonStartToStoppedContainers() {
        // Docker's documented rule: "always" is started again when the daemon starts even after a
        // manual stop; "unless-stopped" stays stopped.
        await("stopped always-container runs again", () -> docker.ok("inspect", "-f", "{{.State.Status}}", "stopped-always").out().equals("running"));
        assertThat(docker.ok("inspect", "-f", "{{.State.Status}}", "stopped-unless").out()).isEqualTo("exited");
    }

    @Test
    @Order(6)
    void containerStartingAtTheCrashIsConsistent() {
        String id = ids.get("starting");
        String status = docker.ok("inspect", "-f", "{{.State.Status}}", "starting").out();
        List<Path> mounts = TempDirs.mountsUnder(root.resolve("containers").resolve(id));
        if (status.equals("running")) {
            assertThat(HostTraces.conmonsOf(root).values()).containsOnlyOnce(id);
            assertThat(mounts).hasSize(1);
        } else {
            assertThat(status).isEqualTo("created");
            assertThat(HostTraces.conmonsOf(root).values()).doesNotContain(id);
            assertThat(mounts).as("rootfs of a container that does not run").isEmpty();
            assertThat(runtimeKnows(id)).as("runc state of a container that does not run").isFalse();
            docker.ok("start", "starting");
        }
        assertThat(docker.ok("inspect", "-f", "{{.State.Status}}", "starting").out()).isEqualTo("running");
        assertThat(HostTraces.conmonsOf(root).values()).containsOnlyOnce(id);
    }

    @Test
    @Order(7)
    void execStreamingAtTheCrashEndsAndExecStillWorks() {
        assertThat(execClient.exitValue()).as("the exec client lost its daemon").isNotZero();
        // the exec's shell (3 s of output) finishes on its own; conmon reaps it
        await("the exec's process ends", () -> docker.ok("top", "logger").stdout().lines().noneMatch(l -> l.contains("while [")));
        CommandResult r = docker.run("exec", "logger", "sh", "-c", "echo ok; exit 5");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(5);
        assertThat(r.stdout()).isEqualTo("ok\n");
    }

    @Test
    @Order(8)
    void noContainerIsDuplicatedLostOrZombie() {
        List<String> names = docker.ok("ps", "-a", "--format", "{{.Names}}").lines();
        assertThat(names).containsExactlyInAnyOrder("logger", "exit7", "onfail", "always", "stopped-always", "stopped-unless", "paused", "starting");
        assertThat(docker.ok("ps", "-aq", "--no-trunc").lines()).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids.values());
        Set<String> running = new HashSet<>(docker.ok("ps", "-q", "--no-trunc").lines());
        assertThat(running).containsExactlyInAnyOrder(ids.get("logger"), ids.get("always"), ids.get("stopped-always"), ids.get("paused"),
                ids.get("starting"));
        await("one conmon per running container, no other", () -> HostTraces.conmonsOf(root).values().stream().sorted().toList()
                .equals(running.stream().sorted().toList()));
        assertThat(HostTraces.lastingZombies(root, List.of(env.daemon.pid(), oldDaemonPid), Duration.ofSeconds(15))).isEmpty();
    }

    @Test
    @Order(9)
    void removingEverythingAfterTheCrashLeavesNoTraces() {
        for (String id : ids.values()) docker.ok("rm", "-f", id);
        assertThat(docker.ok("ps", "-aq").lines()).isEmpty();
        await("no trace of the containers is left", () -> {
            List<String> all = new ArrayList<>(ids.values());
            all.add(autormId);
            HostTraces t = HostTraces.of(root, all);
            return t.mounts().stream().noneMatch(m -> m.startsWith("containers/")) && t.conmons().isEmpty() && t.runtimeState().isEmpty()
                    && t.files().isEmpty() && t.cgroups().isEmpty() && t.snapshots().stream().noneMatch(s -> s.contains("container-"));
        });
        assertThat(HostTraces.lastingZombies(root, List.of(env.daemon.pid(), oldDaemonPid), Duration.ofSeconds(15))).isEmpty();
    }

    // ---- helpers --------------------------------------------------------------------------------------

    private static void run(String name, String... args) {
        List<String> a = new ArrayList<>(List.of("run", "-d", "--network", "none", "--name", name));
        a.addAll(List.of(args));
        ids.put(name, docker.ok(a.toArray(String[]::new)).out());
    }

    private static int pid(String name) {
        return Integer.parseInt(docker.ok("inspect", "-f", "{{.State.Pid}}", name).out());
    }

    private static boolean runtimeKnows(String id) {
        return Files.exists(root.resolve("run/runtime/runc").resolve(id));
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Polls {@code cond} for up to 30 s (the machine may be slow); fails naming {@code what}. */
    private static void await(String what, Supplier<Boolean> cond) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!cond.get()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting until " + what);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what);
            }
        }
    }
}
