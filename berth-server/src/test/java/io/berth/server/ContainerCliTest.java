package io.berth.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.wire.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real docker CLI against the container routes, with {@link FakeContainers} behind them: the
 * CLI's run/attach/wait choreography, hijacked streams with half-close, exit codes, and the JSON the
 * CLI reads (ps table, inspect templates).
 */
class ContainerCliTest {
    static final String DOCKER = "/usr/local/bin/docker";
    static final String BUSYBOX = "127.0.0.1:5055/rsch/busybox:1";

    @TempDir static Path tmp;
    static FakeContainers containers;
    static BerthServer.Handle server;
    static Map<String, String> env;

    @BeforeAll static void start() throws Exception {
        FakeEngine engine = new FakeEngine();
        containers = new FakeContainers();
        Path sock = tmp.resolve("run/berth.sock");
        server = new BerthServer(ServerConfig.of(sock, "0.1.0-test"), engine, engine, containers).start();
        Files.createDirectories(tmp.resolve("dockercfg"));
        env = Map.of("DOCKER_HOST", "unix://" + sock, "DOCKER_CONFIG", tmp.resolve("dockercfg").toString(),
                "DOCKER_CLI_HINTS", "false");
    }

    @AfterAll static void stop() { if (server != null) server.close(); }

    static Proc docker(String... args) { return Proc.run(env, null, Proc.args(DOCKER, args).toArray(String[]::new)); }

    static Proc dockerIn(Path stdin, String... args) { return Proc.run(env, stdin, Proc.args(DOCKER, args).toArray(String[]::new)); }

    static Proc ok(String... args) {
        Proc p = docker(args);
        assertThat(p.exit()).as("docker %s\n%s", String.join(" ", args), p).isZero();
        return p;
    }

    static String running(String name) { return ok("inspect", "-f", "{{.State.Running}}", name).out().strip(); }

    static Process background(String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Proc.args(DOCKER, args));
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return pb.start();
    }

    @Test void runRmPrintsOutputAndExitsZero() {
        Proc p = ok("run", "--rm", BUSYBOX, "echo", "hi");
        assertThat(p.out()).isEqualTo("hi\n");
        assertThat(ok("ps", "-a", "--format", "{{.Command}}").out()).doesNotContain("echo hi"); // auto-removed
    }

    @Test void runExitCodeIsTheContainers() {
        Proc p = docker("run", "--rm", BUSYBOX, "sh", "-c", "echo out; echoerr err; exit 3");
        assertThat(p.exit()).as(p.toString()).isEqualTo(3);
        assertThat(p.out()).isEqualTo("out\n");
        assertThat(p.err()).contains("err\n");
    }

    @Test void runInteractiveWithPipedStdinGetsOutputAfterHalfClose() throws Exception {
        Path in = tmp.resolve("stdin.txt");
        Files.writeString(in, "x\ny\n");
        Proc p = dockerIn(in, "run", "-i", "--rm", BUSYBOX, "cat");
        assertThat(p.exit()).as(p.toString()).isZero();
        assertThat(p.out()).isEqualTo("x\ny\n");
    }

    @Test void startFailureWithMissingExecutableExits127() {
        Proc p = docker("run", "--rm", BUSYBOX, "/nonexistent-cmd");
        assertThat(p.exit()).as(p.toString()).isEqualTo(127);
        assertThat(p.err()).contains("executable file not found");
    }

    @Test void createStartInspectStopKillRemove() throws Exception {
        String id = ok("create", "--name", "c1", "--label", "k=v", "-e", "A=B", BUSYBOX, "sleep", "100").out().strip();
        assertThat(id).matches("[0-9a-f]{64}");
        assertThat(ok("ps", "-a", "--filter", "name=c1", "--format", "{{.Status}}").out()).contains("Created");
        assertThat(running("c1")).isEqualTo("false");
        assertThat(ok("start", "c1").out().strip()).isEqualTo("c1");
        assertThat(running("c1")).isEqualTo("true");
        assertThat(ok("start", "c1").out().strip()).isEqualTo("c1"); // 304 counts as success

        JsonNode j = Json.MAPPER.readTree(ok("inspect", "c1").out()).get(0);
        assertThat(j.path("Id").asText()).isEqualTo(id);
        assertThat(j.path("Name").asText()).isEqualTo("/c1");
        assertThat(j.path("State").path("Status").asText()).isEqualTo("running");
        assertThat(j.path("State").path("FinishedAt").asText()).isEqualTo("0001-01-01T00:00:00Z");
        assertThat(j.path("Config").path("Cmd").toString()).isEqualTo("[\"sleep\",\"100\"]");
        assertThat(j.path("Config").path("Labels").path("k").asText()).isEqualTo("v");
        assertThat(j.path("Path").asText()).isEqualTo("sleep");
        assertThat(j.path("HostConfig").path("NetworkMode").asText()).isEqualTo("default");

        Proc ps = ok("ps");
        assertThat(ps.out()).contains("CONTAINER ID").contains(id.substring(0, 12)).contains("\"sleep 100\"").contains("c1");

        assertThat(ok("stop", "c1").out().strip()).isEqualTo("c1");
        assertThat(running("c1")).isEqualTo("false");
        assertThat(ok("inspect", "-f", "{{.State.ExitCode}}", "c1").out().strip()).isEqualTo("143");
        assertThat(ok("stop", "c1").out().strip()).isEqualTo("c1"); // 304: already stopped
        assertThat(ok("ps", "-a", "--format", "{{.Names}} {{.Status}}").out()).contains("c1 Exited (143)");

        Proc kill = docker("kill", "c1");
        assertThat(kill.exit()).isEqualTo(1);
        assertThat(kill.err()).contains("Cannot kill container: c1: Container " + id + " is not running");

        ok("rm", "c1");
        Proc missing = docker("rm", "c1");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("No such container: c1");
    }

    @Test void detachedRunExecLogsPauseRenameKillRm() throws Exception {
        String id = ok("run", "-d", "--name", "d1", BUSYBOX, "sh", "-c", "echo line1; echoerr err1; sleep 100").out().strip();
        assertThat(id).matches("[0-9a-f]{64}");
        assertThat(running("d1")).isEqualTo("true");

        Proc logs = ok("logs", "d1");
        assertThat(logs.out()).isEqualTo("line1\n");
        assertThat(logs.err()).isEqualTo("err1\n");
        Proc ts = ok("logs", "-t", "--tail", "1", "d1");
        assertThat(ts.err()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z err1\n");
        assertThat(ts.out()).isEmpty();

        Proc exec = ok("exec", "d1", "echo", "hello-exec");
        assertThat(exec.out()).isEqualTo("hello-exec\n");
        assertThat(docker("exec", "d1", "sh", "-c", "exit 5").exit()).isEqualTo(5);
        Path in = tmp.resolve("exec-stdin.txt");
        Files.writeString(in, "in-exec\n");
        Proc execI = dockerIn(in, "exec", "-i", "d1", "cat");
        assertThat(execI.exit()).as(execI.toString()).isZero();
        assertThat(execI.out()).isEqualTo("in-exec\n");

        assertThat(ok("exec", "-d", "d1", "sleep", "5").out()).isEmpty(); // detached: a plain 200, no stream
        assertThat(ok("inspect", "-f", "{{len .ExecIDs}}", "d1").out().strip()).isEqualTo("4");

        ok("pause", "d1");
        assertThat(ok("inspect", "-f", "{{.State.Paused}} {{.State.Status}}", "d1").out().strip()).isEqualTo("true paused");
        assertThat(ok("ps", "--filter", "name=d1", "--format", "{{.Status}}").out()).contains("(Paused)");
        ok("unpause", "d1");
        assertThat(ok("inspect", "-f", "{{.State.Paused}} {{.State.Status}}", "d1").out().strip()).isEqualTo("false running");

        ok("rename", "d1", "d1b");
        assertThat(ok("inspect", "-f", "{{.Name}}", "d1b").out().strip()).isEqualTo("/d1b");
        assertThat(docker("inspect", "d1").exit()).isEqualTo(1);

        Process follow = background("logs", "-f", "d1b");
        Process waiter = background("wait", "d1b");
        Thread.sleep(500);
        assertThat(follow.isAlive()).isTrue();
        assertThat(waiter.isAlive()).isTrue();
        ok("kill", "d1b");
        assertThat(follow.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(follow.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("line1\n");
        assertThat(waiter.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(waiter.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip()).isEqualTo("137");
        assertThat(ok("wait", "d1b").out().strip()).isEqualTo("137"); // already stopped: at once

        Proc execStopped = docker("exec", "d1b", "echo", "x");
        assertThat(execStopped.exit()).isNotZero();
        assertThat(execStopped.err()).contains("is not running");
        ok("rm", "d1b");
    }

    @Test void rmForceRemovesARunningContainer() {
        ok("run", "-d", "--name", "f1", BUSYBOX, "sleep", "100");
        Proc refused = docker("rm", "f1");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("You cannot remove a running container");
        ok("rm", "-f", "f1");
        assertThat(ok("ps", "-a", "--format", "{{.Names}}").out()).doesNotContain("f1");
    }

    @Test void startAttachedPrintsOutput() {
        ok("create", "--name", "sa", BUSYBOX, "echo", "attached");
        Proc p = ok("start", "-a", "sa");
        assertThat(p.out()).isEqualTo("attached\n");
        ok("rm", "sa");
    }

    /** `run -it` under a pty (script): raw bytes both ways, the terminal's size sent as a resize. */
    @Test void runInteractiveTtyUnderAPty() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("script", "-qec",
                "stty rows 30 cols 100; " + DOCKER + " run -it --rm --name t1 " + BUSYBOX + " sh", "/dev/null");
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try { return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8); }
            catch (java.io.IOException e) { return e.toString(); }
        });
        Thread.sleep(1500); // let the CLI attach and put the terminal in raw mode
        p.getOutputStream().write("echo tty-hi\r".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().flush();
        Thread.sleep(300);
        p.getOutputStream().write("exit\r".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().flush();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("docker run -it exits").isTrue();
        String text = out.get(5, TimeUnit.SECONDS);
        assertThat(p.exitValue()).as(text).isZero();
        assertThat(text).contains("ECHO TTY-HI"); // the fake's answer, not the local echo
        assertThat(containers.resizes).contains("t1:30x100");
    }

    /** `docker run -d` abandons its wait; the server must not keep that request alive. */
    @Test void abandonedWaitEndsTheRequest() throws Exception {
        ok("run", "-d", "--name", "aw", BUSYBOX, "sleep", "100");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.inflight() > 0 && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(server.inflight()).isZero();
        ok("rm", "-f", "aw");
    }

    /** `exec -it` under a pty: TTY exec, raw stream, the exec resized to the terminal. */
    @Test void execInteractiveTtyUnderAPty() throws Exception {
        ok("run", "-d", "--name", "et", BUSYBOX, "sleep", "100");
        ProcessBuilder pb = new ProcessBuilder("script", "-qec", "stty rows 31 cols 101; " + DOCKER + " exec -it et sh", "/dev/null");
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try { return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8); }
            catch (java.io.IOException e) { return e.toString(); }
        });
        Thread.sleep(1500);
        p.getOutputStream().write("echo in-exec-tty\r".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().flush();
        Thread.sleep(300);
        p.getOutputStream().write("exit\r".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().flush();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("docker exec -it exits").isTrue();
        String text = out.get(5, TimeUnit.SECONDS);
        assertThat(p.exitValue()).as(text).isZero();
        assertThat(text).contains("ECHO IN-EXEC-TTY");
        assertThat(containers.resizes).contains("exec:31x101");
        ok("rm", "-f", "et");
    }

    /** A TTY container's logs are raw bytes (no frame headers), all on stdout. */
    @Test void ttyLogsAreRaw() {
        ok("run", "-t", "--name", "tl", BUSYBOX, "sh", "-c", "echo tty-out; echoerr tty-err");
        Proc logs = ok("logs", "tl");
        assertThat(logs.out()).isEqualTo("tty-out\ntty-err\n");
        assertThat(logs.err()).isEmpty();
        ok("rm", "tl");
    }
}
