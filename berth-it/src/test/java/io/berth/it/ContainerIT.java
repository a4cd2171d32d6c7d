package io.berth.it;

import io.berth.it.fixture.CommandResult;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real containers: runc through conmon under the real berthd, driven by the real docker CLI and the
 * berth CLI, from a busybox image pulled from a real registry.
 */
class ContainerIT extends OnBusyboxDaemon {
    @Test
    void runRemovesAndPrintsOutput() {
        CommandResult r = docker.ok("run", "--rm", image, "echo", "hello-rm");
        assertThat(r.stdout()).isEqualTo("hello-rm\n");
        assertThat(docker.ok("ps", "-a", "-q").lines()).isEmpty();
    }

    @Test
    void exitCodesAreDockers() {
        assertThat(docker.run("run", "--rm", image, "sh", "-c", "exit 3").exitCode()).isEqualTo(3);
        CommandResult missing = docker.run("run", "--rm", image, "/nonexistent-cmd");
        assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(127);
        assertThat(missing.stderr()).containsAnyOf("no such file or directory", "executable file not found");
    }

    @Test
    void pipedStdinReachesTheProcessAndEofEndsIt() {
        CommandResult r = docker.runWithStdin("one\ntwo\n".getBytes(StandardCharsets.UTF_8), "run", "--rm", "-i", image, "cat");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).isEqualTo("one\ntwo\n");
    }

    @Test
    void detachedLifecycleThroughTheDockerCli() {
        String id = docker.ok("run", "-d", "--name", "it-life", image, "sh", "-c", "echo started; exec sleep 1000").out();
        assertThat(id).matches("[0-9a-f]{64}");
        try {
            assertThat(docker.ok("inspect", "-f", "{{.State.Running}}", "it-life").out()).isEqualTo("true");
            assertThat(docker.ok("ps", "--format", "{{.Names}} {{.Status}}").lines()).anyMatch(l -> l.startsWith("it-life Up"));
            awaitLog("it-life", "started");
            CommandResult exec = docker.ok("exec", "it-life", "sh", "-c", "echo from-exec; exit 0");
            assertThat(exec.stdout()).isEqualTo("from-exec\n");
            assertThat(docker.run("exec", "it-life", "sh", "-c", "exit 4").exitCode()).isEqualTo(4);
            docker.ok("pause", "it-life");
            assertThat(docker.ok("inspect", "-f", "{{.State.Status}}", "it-life").out()).isEqualTo("paused");
            docker.ok("unpause", "it-life");
            docker.ok("stop", "-t", "1", "it-life");
            assertThat(docker.ok("inspect", "-f", "{{.State.Running}} {{.State.ExitCode}}", "it-life").out()).isEqualTo("false 137");
            assertThat(docker.ok("wait", "it-life").out()).isEqualTo("137");
        } finally {
            docker.run("rm", "-f", "it-life");
        }
        assertThat(docker.run("inspect", "it-life").stderr()).contains("No such");
    }

    @Test
    void berthCliRunsContainersToo() {
        CommandResult r = berth.run("run", "--rm", image, "echo", "from-berth");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).isEqualTo("from-berth\n");
    }

    @Test
    void noMountsLeakAfterRemoval() throws Exception {
        for (int i = 0; i < 5; i++) docker.ok("run", "--rm", image, "true");
        String mountinfo = Files.readString(Path.of("/proc/self/mountinfo"));
        long rootfsMounts = mountinfo.lines().filter(l -> l.contains(daemon.root().toString()) && l.contains("/containers/")).count();
        assertThat(rootfsMounts).isZero();
    }

    private static void awaitLog(String name, String text) {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            if (docker.run("logs", name).stdout().contains(text)) return;
            try { Thread.sleep(100); } catch (InterruptedException e) { Thread.currentThread().interrupt(); return; }
        }
        assertThat(docker.run("logs", name).stdout()).contains(text);
    }
}
