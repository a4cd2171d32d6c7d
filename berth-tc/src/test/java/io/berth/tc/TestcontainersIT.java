package io.berth.tc;

import com.github.dockerjava.api.command.InspectContainerResponse;
import io.berth.it.fixture.BusyboxDaemon;
import io.berth.it.fixture.LogOnFailure;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame.OutputType;
import org.testcontainers.containers.output.ToStringConsumer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.images.PullPolicy;
import org.testcontainers.utility.MountableFile;
import org.testcontainers.utility.ResourceReaper;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Testcontainers' ordinary GenericContainer workflow against the real berthd: the image comes from the
 * local registry (already pulled), Ryuk is off (failsafe sets TESTCONTAINERS_RYUK_DISABLED), and the
 * daemon is reached over its unix socket. Scenarios that need container networking live in
 * {@link TestcontainersNetworkIT}.
 */
class TestcontainersIT {
    @RegisterExtension
    static final LogOnFailure LOGS = new LogOnFailure();
    @RegisterExtension
    static final SharedBerthd BERTHD = new SharedBerthd(LOGS);

    static BusyboxDaemon env;

    @BeforeAll
    static void up(BusyboxDaemon shared) {
        env = shared;
    }

    private static GenericContainer<?> busybox(String script) {
        return new GenericContainer<>(DockerImageName.parse(env.image)).withCommand("sh", "-c", script);
    }

    @Test
    void dockerClientFactoryFindsBerthdOverItsSocket() {
        DockerClientFactory f = DockerClientFactory.instance();
        assertThat(f.isDockerAvailable()).isTrue();
        assertThat(f.getTransportConfig().getDockerHost().toString()).isEqualTo(env.daemon.dockerHost());
        // Testcontainers pins 1.44 when the daemon accepts it (and falls back to 1.32 otherwise).
        assertThat(f.getActiveApiVersion()).isEqualTo("1.44");
        assertThat(f.getInfo().getOsType()).isEqualTo("linux");
    }

    @Test
    void logWaitStrategyExecAndLogs() throws Exception {
        try (GenericContainer<?> c = busybox("echo to-stderr >&2; echo ready; exec sleep 300")
                .withEnv("TC_GREETING", "hello")
                .waitingFor(Wait.forLogMessage(".*ready.*\\n", 1).withStartupTimeout(Duration.ofSeconds(30)))) {
            c.start();
            assertThat(c.isRunning()).isTrue();

            ExecResult r = c.execInContainer("sh", "-c", "echo out-$TC_GREETING; echo err-line >&2; exit 3");
            assertThat(r.getStdout()).isEqualTo("out-hello\n");
            assertThat(r.getStderr()).isEqualTo("err-line\n");
            assertThat(r.getExitCode()).isEqualTo(3);

            assertThat(c.execInContainer("true").getExitCode()).isZero();

            assertThat(c.getLogs()).contains("ready\n", "to-stderr\n");
            assertThat(c.getLogs(OutputType.STDOUT)).isEqualTo("ready\n");
            assertThat(c.getLogs(OutputType.STDERR)).isEqualTo("to-stderr\n");
        }
    }

    @Test
    void labelsAreOnTheContainerAndStopRemovesIt() {
        String id;
        try (GenericContainer<?> c = busybox("echo ready; exec sleep 300")
                .withLabel("io.berth.tc.scenario", "labels")
                .waitingFor(Wait.forLogMessage("ready\\n", 1))) {
            c.start();
            id = c.getContainerId();
            InspectContainerResponse info = c.getContainerInfo();
            assertThat(info.getConfig().getLabels())
                    .containsEntry("io.berth.tc.scenario", "labels")
                    .containsEntry("org.testcontainers", "true")
                    .containsEntry("org.testcontainers.lang", "java")
                    .containsEntry("org.testcontainers.sessionId", DockerClientFactory.SESSION_ID)
                    .containsKey("org.testcontainers.version");
            assertThat(info.getState().getRunning()).isTrue();
            assertThat(info.getName()).startsWith("/");
            // The same labels as the docker CLI sees them, and the label filter Testcontainers' reaper uses.
            assertThat(env.docker.ok("inspect", "-f", "{{index .Config.Labels \"org.testcontainers\"}}", id).out())
                    .isEqualTo("true");
            assertThat(env.docker.ok("ps", "-q", "--no-trunc", "--filter",
                    "label=org.testcontainers.sessionId=" + DockerClientFactory.SESSION_ID).lines()).contains(id);
            c.stop();
            assertThat(c.isRunning()).isFalse();
        }
        assertThat(env.docker.ok("ps", "-a", "-q", "--no-trunc").lines()).doesNotContain(id);
        assertThat(env.docker.run("inspect", id).exitCode()).isNotZero();
    }

    @Test
    void copyFileToContainerAndBack(@TempDir Path tmp) throws Exception {
        Path host = tmp.resolve("from-host.txt");
        Files.writeString(host, "host file\n");
        try (GenericContainer<?> c = busybox("echo ready; exec sleep 300")
                .withCopyToContainer(Transferable.of("before start\n"), "/etc/tc-before.txt")
                .waitingFor(Wait.forLogMessage("ready\\n", 1))) {
            c.start();
            c.copyFileToContainer(Transferable.of("payload é\n", 0640), "/tmp/tc/deep/payload.txt");
            c.copyFileToContainer(MountableFile.forHostPath(host), "/root/from-host.txt");

            String back = c.copyFileFromContainer("/tmp/tc/deep/payload.txt",
                    in -> new String(in.readAllBytes(), StandardCharsets.UTF_8));
            assertThat(back).isEqualTo("payload é\n");
            assertThat(c.execInContainer("stat", "-c", "%a %u", "/tmp/tc/deep/payload.txt").getStdout()).isEqualTo("640 0\n");
            assertThat(c.execInContainer("cat", "/root/from-host.txt", "/etc/tc-before.txt").getStdout())
                    .isEqualTo("host file\nbefore start\n");

            Path out = tmp.resolve("back.txt");
            c.copyFileFromContainer("/root/from-host.txt", out.toString());
            assertThat(Files.readString(out)).isEqualTo("host file\n");
        }
    }

    @Test
    void oneShotContainerExitsSuccessfully() {
        try (GenericContainer<?> c = busybox("echo one-shot done")
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(30)))) {
            c.start();
            assertThat(c.getLogs()).isEqualTo("one-shot done\n");
            assertThat(c.getCurrentContainerInfo().getState().getExitCodeLong()).isZero();
        }
    }

    /**
     * Without Ryuk, Testcontainers cleans up at JVM exit: list the session's containers by label and remove
     * them, then prune networks, volumes and images by the same labels. Run here (the exit hook would find the
     * daemon already stopped) on a container deliberately left running.
     */
    @Test
    void jvmHookCleanupRemovesTheSessionsContainers() {
        // The hook also prunes networks and volumes: skipped until berthd serves /networks and /volumes.
        assumeTrue(SharedBerthd.answers(env, "/networks") && SharedBerthd.answers(env, "/volumes"),
                "berthd has no /networks or /volumes routes yet");
        @SuppressWarnings("resource")
        GenericContainer<?> leaked = busybox("echo ready; exec sleep 300").waitingFor(Wait.forLogMessage("ready\\n", 1));
        leaked.start();
        String id = leaked.getContainerId();
        ResourceReaper.instance().performCleanup();
        assertThat(env.docker.ok("ps", "-a", "-q", "--no-trunc").lines()).doesNotContain(id);
    }

    /** The other knobs of GenericContainer most suites use: tmpfs, working dir, user, log consumer, command wait. */
    @Test
    void tmpfsWorkdirUserLogConsumerAndCommandWait() throws Exception {
        ToStringConsumer consumer = new ToStringConsumer();
        try (GenericContainer<?> c = busybox("touch /tmp/marker; echo pwd=$(pwd) uid=$(id -u); exec sleep 300")
                .withTmpFs(Map.of("/scratch", "rw,size=1m"))
                .withWorkingDirectory("/tmp")
                .withCreateContainerCmdModifier(cmd -> cmd.withUser("65534"))
                .withLogConsumer(consumer)
                .waitingFor(Wait.forSuccessfulCommand("test -e /tmp/marker"))) {
            c.start();
            assertThat(c.execInContainer("sh", "-c", "grep ' /scratch ' /proc/mounts").getStdout()).contains("tmpfs");
            assertThat(c.execInContainerWithUser("0", "id", "-u").getStdout()).isEqualTo("0\n");
            assertThat(c.execInContainer("id", "-u").getStdout()).isEqualTo("65534\n");
            assertThat(c.getContainerName()).startsWith("/");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!consumer.toUtf8String().contains("uid=") && System.nanoTime() < deadline) Thread.sleep(50);
            assertThat(consumer.toUtf8String()).contains("pwd=/tmp uid=65534");
        }
    }

    /** An always-pull policy goes through POST /images/create and docker-java's pull-progress parsing. */
    @Test
    void alwaysPullPolicyPullsFromTheLocalRegistry() {
        try (GenericContainer<?> c = busybox("echo pulled-and-ran")
                .withImagePullPolicy(PullPolicy.alwaysPull())
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofSeconds(60)))) {
            c.start();
            assertThat(c.getLogs()).isEqualTo("pulled-and-ran\n");
        }
    }
}
