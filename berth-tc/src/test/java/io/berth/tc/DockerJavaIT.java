package io.berth.tc;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import io.berth.it.fixture.BusyboxDaemon;
import io.berth.it.fixture.LogOnFailure;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * docker-java's own client (the library Testcontainers is built on) against the real berthd, one
 * call at a time: create, start, logs, exec, archive copy both ways, inspect, attach, wait, stop,
 * remove. Pinned to API 1.44, which is what Testcontainers negotiates with berthd.
 */
class DockerJavaIT {
    @RegisterExtension
    static final LogOnFailure LOGS = new LogOnFailure();
    @RegisterExtension
    static final SharedBerthd BERTHD = new SharedBerthd(LOGS);

    static BusyboxDaemon env;
    static DockerClient docker;
    final List<String> created = new ArrayList<>();

    @BeforeAll
    static void up(BusyboxDaemon shared) {
        env = shared;
        docker = DockerJava.client(env, "1.44");
    }

    @AfterAll
    static void down() throws IOException {
        if (docker != null) docker.close();
    }

    @AfterEach
    void removeCreated() {
        for (String id : created) {
            try {
                docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
            } catch (NotFoundException gone) {
                // removed by the test itself
            }
        }
    }

    private String run(String script, Map<String, String> labels) {
        return run(docker, script, labels);
    }

    private String run(DockerClient docker, String script, Map<String, String> labels) {
        String id = docker.createContainerCmd(env.image)
                .withCmd("sh", "-c", script)
                .withEnv("DJ_GREETING=hi")
                .withLabels(labels)
                .exec().getId();
        created.add(id);
        docker.startContainerCmd(id).exec();
        return id;
    }

    @Test
    void pingVersionInfoAndImages() {
        docker.pingCmd().exec();
        assertThat(docker.versionCmd().exec().getApiVersion()).isEqualTo("1.44");
        assertThat(docker.infoCmd().exec().getOsType()).isEqualTo("linux");
        assertThat(docker.listImagesCmd().exec()).anySatisfy(i -> assertThat(i.getRepoTags()).contains(env.image));
        assertThat(docker.inspectImageCmd(env.image).exec().getConfig().getCmd()).containsExactly("sh");
        // Testcontainers falls back to 1.32 when 1.44 is refused; an unpinned client sends no version prefix.
        try (DockerClient old = DockerJava.client(env, "1.32"); DockerClient unpinned = DockerJava.client(env, null)) {
            old.pingCmd().exec();
            assertThat(old.listContainersCmd().withShowAll(true).exec()).isNotNull();
            assertThat(unpinned.versionCmd().exec().getApiVersion()).isEqualTo("1.44");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** At 1.44 (what Testcontainers 2 negotiates) and 1.32 (Testcontainers' fallback, and all that 1.21.3 and older send). */
    @ParameterizedTest
    @ValueSource(strings = {"1.44", "1.32"})
    void lifecycleWithLogsExecInspectStopAndRemove(String apiVersion) throws Exception {
        DockerClient docker = DockerJava.client(env, apiVersion);
        String id = run(docker, "echo started; echo warn >&2; exec sleep 300", Map.of("io.berth.dj", "yes"));

        Frames logs = new Frames("started");
        docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withFollowStream(true).exec(logs);
        assertThat(logs.seen.await(20, TimeUnit.SECONDS)).as("log line 'started' within 20 s").isTrue();
        logs.close();

        Frames all = docker.logContainerCmd(id).withStdOut(true).withStdErr(true).exec(new Frames(null));
        all.awaitCompletion(20, TimeUnit.SECONDS);
        assertThat(all.text(StreamType.STDOUT)).isEqualTo("started\n");
        assertThat(all.text(StreamType.STDERR)).isEqualTo("warn\n");

        String exec = docker.execCreateCmd(id).withAttachStdout(true).withAttachStderr(true)
                .withCmd("sh", "-c", "echo out-$DJ_GREETING; echo err >&2; exit 7").exec().getId();
        Frames out = docker.execStartCmd(exec).exec(new Frames(null));
        assertThat(out.awaitCompletion(20, TimeUnit.SECONDS)).isTrue();
        assertThat(out.text(StreamType.STDOUT)).isEqualTo("out-hi\n");
        assertThat(out.text(StreamType.STDERR)).isEqualTo("err\n");
        var ei = docker.inspectExecCmd(exec).exec();
        assertThat(ei.getExitCodeLong()).isEqualTo(7L);
        assertThat(ei.isRunning()).isFalse();

        InspectContainerResponse info = docker.inspectContainerCmd(id).exec();
        assertThat(info.getId()).isEqualTo(id);
        assertThat(info.getState().getRunning()).isTrue();
        assertThat(info.getState().getPaused()).isFalse();
        assertThat(info.getState().getStatus()).isEqualTo("running");
        assertThat(info.getState().getStartedAt()).isNotBlank();
        assertThat(info.getConfig().getLabels()).containsEntry("io.berth.dj", "yes");
        assertThat(info.getConfig().getEnv()).contains("DJ_GREETING=hi");
        assertThat(info.getConfig().getImage()).isEqualTo(env.image);
        assertThat(docker.listContainersCmd().withLabelFilter(Map.of("io.berth.dj", "yes")).exec())
                .extracting(c -> c.getId()).containsExactly(id);

        docker.stopContainerCmd(id).withTimeout(2).exec();
        InspectContainerResponse stopped = docker.inspectContainerCmd(id).exec();
        assertThat(stopped.getState().getRunning()).isFalse();
        assertThat(stopped.getState().getStatus()).isEqualTo("exited");
        assertThat(stopped.getState().getFinishedAt()).isNotBlank();

        docker.removeContainerCmd(id).withRemoveVolumes(true).exec();
        assertThatThrownBy(() -> docker.inspectContainerCmd(id).exec()).isInstanceOf(NotFoundException.class);
        docker.close();
    }

    @Test
    void archiveCopyRoundTrip() throws Exception {
        String id = run("exec sleep 300", Map.of());
        docker.copyArchiveToContainerCmd(id).withRemotePath("/tmp")
                .withTarInputStream(new ByteArrayInputStream(tar("dj/hello.txt", "from docker-java\n", 0640))).exec();

        var r = exec(id, "stat", "-c", "%a %s", "/tmp/dj/hello.txt");
        assertThat(r).isEqualTo("640 17\n");

        try (InputStream in = docker.copyArchiveFromContainerCmd(id, "/tmp/dj/hello.txt").exec();
             TarArchiveInputStream t = new TarArchiveInputStream(in)) {
            TarArchiveEntry e = t.getNextEntry();
            assertThat(e.getName()).isEqualTo("hello.txt");
            assertThat(new String(t.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("from docker-java\n");
        }
        assertThatThrownBy(() -> docker.copyArchiveFromContainerCmd(id, "/no/such/file").exec().close())
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void attachBeforeStartCarriesStdinAndWaitReturnsTheExitCode() throws Exception {
        String id = docker.createContainerCmd(env.image).withCmd("sh", "-c", "read line; echo got-$line; exit 4")
                .withStdinOpen(true).withStdInOnce(true).withAttachStdin(true).withAttachStdout(true).exec().getId();
        created.add(id);
        Frames out = docker.attachContainerCmd(id).withStdIn(new ByteArrayInputStream("berth\n".getBytes(StandardCharsets.UTF_8)))
                .withStdOut(true).withStdErr(true).withFollowStream(true).exec(new Frames(null));
        docker.startContainerCmd(id).exec();
        int code = docker.waitContainerCmd(id).exec(new WaitContainerResultCallback())
                .awaitStatusCode(30, TimeUnit.SECONDS);
        assertThat(code).isEqualTo(4);
        out.awaitCompletion(10, TimeUnit.SECONDS);
        assertThat(out.text(StreamType.STDOUT)).isEqualTo("got-berth\n");
    }

    private static String exec(String id, String... cmd) throws InterruptedException {
        String exec = docker.execCreateCmd(id).withAttachStdout(true).withAttachStderr(true).withCmd(cmd).exec().getId();
        Frames f = docker.execStartCmd(exec).exec(new Frames(null));
        f.awaitCompletion(20, TimeUnit.SECONDS);
        return f.text(StreamType.STDOUT) + f.text(StreamType.STDERR);
    }

    static byte[] tar(String name, String content, int mode) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
            byte[] data = content.getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(data.length);
            e.setMode(mode);
            t.putArchiveEntry(e);
            t.write(data);
            t.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    /** Collects frames by stream; {@link #seen} opens when a line containing {@code marker} arrives. */
    static final class Frames extends ResultCallback.Adapter<Frame> {
        final CountDownLatch seen = new CountDownLatch(1);
        private final String marker;
        private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        private final ByteArrayOutputStream raw = new ByteArrayOutputStream();

        Frames(String marker) {
            this.marker = marker;
        }

        @Override
        public synchronized void onNext(Frame f) {
            (switch (f.getStreamType()) {
                case STDOUT -> stdout;
                case STDERR -> stderr;
                default -> raw;
            }).writeBytes(f.getPayload());
            if (marker != null && stdout.toString(StandardCharsets.UTF_8).contains(marker)) {
                seen.countDown();
            }
        }

        synchronized String text(StreamType type) {
            return (type == StreamType.STDOUT ? stdout : type == StreamType.STDERR ? stderr : raw).toString(StandardCharsets.UTF_8);
        }
    }

    /** The rest of the container verbs docker-java exposes: top, stats, pause/unpause, rename, kill with a signal, restart. */
    @Test
    void topStatsPauseRenameKillAndRestart() throws Exception {
        String id = run("trap 'echo got-usr1' USR1; echo up; while true; do sleep 0.2; done", Map.of());
        var top = docker.topContainerCmd(id).exec();
        assertThat(top.getTitles()).contains("PID");
        assertThat(top.getProcesses()).isNotEmpty();

        var stats = docker.statsCmd(id).withNoStream(true).exec(new ResultCallback.Adapter<com.github.dockerjava.api.model.Statistics>() {
            final java.util.concurrent.CompletableFuture<com.github.dockerjava.api.model.Statistics> first = new java.util.concurrent.CompletableFuture<>();
            @Override public void onNext(com.github.dockerjava.api.model.Statistics s) { first.complete(s); }
        });
        var s = stats.first.get(20, TimeUnit.SECONDS);
        assertThat(s.getMemoryStats().getUsage()).isPositive();
        assertThat(s.getPidsStats().getCurrent()).isPositive();
        stats.close();

        docker.pauseContainerCmd(id).exec();
        assertThat(docker.inspectContainerCmd(id).exec().getState().getPaused()).isTrue();
        docker.unpauseContainerCmd(id).exec();
        assertThat(docker.inspectContainerCmd(id).exec().getState().getStatus()).isEqualTo("running");

        docker.renameContainerCmd(id).withName("berth-dj-renamed").exec();
        assertThat(docker.inspectContainerCmd("berth-dj-renamed").exec().getName()).isEqualTo("/berth-dj-renamed");

        docker.killContainerCmd(id).withSignal("USR1").exec();
        Frames logs = new Frames("got-usr1");
        docker.logContainerCmd(id).withStdOut(true).withFollowStream(true).exec(logs);
        assertThat(logs.seen.await(10, TimeUnit.SECONDS)).as("trap output after kill -s USR1").isTrue();
        logs.close();

        String started = docker.inspectContainerCmd(id).exec().getState().getStartedAt();
        docker.restartContainerCmd(id).withTimeout(1).exec();
        var after = docker.inspectContainerCmd(id).exec().getState();
        assertThat(after.getRunning()).isTrue();
        assertThat(after.getStartedAt()).isNotEqualTo(started);
    }

    /** Pull (progress stream), tag, inspect by the new tag, remove the tag. */
    @Test
    void pullTagAndRemoveAnImage() throws Exception {
        String repo = env.image.substring(0, env.image.lastIndexOf(':'));
        docker.pullImageCmd(repo).withTag("1").exec(new com.github.dockerjava.api.command.PullImageResultCallback())
                .awaitCompletion(60, TimeUnit.SECONDS);
        String id = docker.inspectImageCmd(env.image).exec().getId();
        docker.tagImageCmd(env.image, "berth-tc/retagged", "v1").exec();
        assertThat(docker.inspectImageCmd("berth-tc/retagged:v1").exec().getId()).isEqualTo(id);
        docker.removeImageCmd("berth-tc/retagged:v1").exec();
        assertThatThrownBy(() -> docker.inspectImageCmd("berth-tc/retagged:v1").exec()).isInstanceOf(NotFoundException.class);
        assertThat(docker.inspectImageCmd(env.image).exec().getId()).isEqualTo(id);
        assertThatThrownBy(() -> docker.pullImageCmd(repo).withTag("no-such-tag")
                .exec(new com.github.dockerjava.api.command.PullImageResultCallback()).awaitCompletion(60, TimeUnit.SECONDS))
                .isInstanceOf(RuntimeException.class);
    }

    /** A TTY exec answers a raw stream (docker-java hands it on as RAW frames); logs honour tail and timestamps. */
    @Test
    void ttyExecAndLogOptions() throws Exception {
        String id = run("echo one; echo two; echo three; exec sleep 300", Map.of());
        String exec = docker.execCreateCmd(id).withTty(true).withAttachStdout(true).withAttachStderr(true)
                .withCmd("sh", "-c", "echo tty-out; test -t 1 && echo is-a-tty").exec().getId();
        Frames tty = docker.execStartCmd(exec).withTty(true).exec(new Frames(null));
        assertThat(tty.awaitCompletion(20, TimeUnit.SECONDS)).isTrue();
        assertThat(tty.text(StreamType.RAW) + tty.text(StreamType.STDOUT)).isEqualTo("tty-out\r\nis-a-tty\r\n");

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Frames tail;
        do {
            tail = docker.logContainerCmd(id).withStdOut(true).withTail(1).withTimestamps(true).exec(new Frames(null));
            tail.awaitCompletion(10, TimeUnit.SECONDS);
        } while (!tail.text(StreamType.STDOUT).contains("three") && System.nanoTime() < deadline);
        assertThat(tail.text(StreamType.STDOUT)).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+Z three\n");
    }
}
