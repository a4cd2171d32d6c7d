package io.berth.cli;

import io.berth.api.container.ContainerSpec;
import io.berth.api.container.HostSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunFlagsTest {
    @TempDir Path dir;

    private static ContainerSpec spec(Map<String, String> env, String... args) {
        Flags f = RunFlags.flags("berth run [OPTIONS] IMAGE [COMMAND] [ARG...]", "x", true).noInterspersed();
        Flags.Parsed p = f.parse(List.of(args));
        return RunFlags.spec(p, p.args(), env);
    }

    private static ContainerSpec spec(String... args) { return spec(Map.of(), args); }

    @Test void imageCommandAndFlagsStopAtTheImage() {
        ContainerSpec s = spec("--rm", "-it", "--name", "x", "-l", "a=b", "-l", "c", "busybox", "ls", "-l", "-e", "Z");
        assertThat(s.image()).isEqualTo("busybox");
        assertThat(s.cmd()).containsExactly("ls", "-l", "-e", "Z");
        assertThat(s.name()).isEqualTo("x");
        assertThat(s.tty()).isTrue();
        assertThat(s.openStdin()).isTrue();
        assertThat(s.stdinOnce()).isTrue();
        assertThat(s.host().autoRemove()).isTrue();
        assertThat(s.labels()).containsExactly(Map.entry("a", "b"), Map.entry("c", ""));
        assertThat(s.env()).isNull();
        assertThat(s.entrypoint()).isNull();
    }

    @Test void noCommandMeansTheImagesAndEmptyEntrypointResets() {
        ContainerSpec s = spec("--entrypoint", "", "busybox");
        assertThat(s.cmd()).isNull();
        assertThat(s.entrypoint()).containsExactly("");
        assertThat(spec("--entrypoint=/bin/sh", "busybox", "-c", "true").entrypoint()).containsExactly("/bin/sh");
    }

    @Test void cpusBecomeNanoCpus() {
        assertThat(spec("--cpus", "0.5", "i").host().resources().nanoCpus()).isEqualTo(500_000_000L);
        assertThat(spec("--cpus=1.25", "i").host().resources().nanoCpus()).isEqualTo(1_250_000_000L);
        assertThat(spec("--cpus", "2", "i").host().resources().nanoCpus()).isEqualTo(2_000_000_000L);
        assertThatThrownBy(() -> spec("--cpus", "x", "i")).hasMessageContaining("failed to parse x as a rational number");
    }

    @Test void memoryUnitsAreBinary() {
        assertThat(RunFlags.ramInBytes("64m")).isEqualTo(67108864L);
        assertThat(RunFlags.ramInBytes("1g")).isEqualTo(1073741824L);
        assertThat(RunFlags.ramInBytes("512k")).isEqualTo(524288L);
        assertThat(RunFlags.ramInBytes("1.5GiB")).isEqualTo(1610612736L);
        assertThat(RunFlags.ramInBytes("100")).isEqualTo(100L);
        assertThat(RunFlags.ramInBytes("10MB")).isEqualTo(10485760L);
        HostSpec h = spec("-m", "64m", "--memory-swap", "-1", "--shm-size", "32m", "--memory-reservation", "16M", "i").host();
        assertThat(h.resources().memory()).isEqualTo(67108864L);
        assertThat(h.resources().memorySwap()).isEqualTo(-1L);
        assertThat(h.resources().memoryReservation()).isEqualTo(16777216L);
        assertThat(h.shmSize()).isEqualTo(33554432L);
        assertThatThrownBy(() -> spec("-m", "lots", "i")).hasMessageContaining("invalid size: 'lots'");
    }

    @Test void volumesMountsTmpfs() {
        HostSpec h = spec("-v", "/srv:/data:ro", "-v", "named:/v", "-v", "/anon", "--mount", "type=bind,src=/a,dst=/b,readonly,bind-propagation=rshared",
                "--mount", "type=tmpfs,target=/t", "--tmpfs", "/run:size=1m", "--tmpfs", "/tmp", "i").host();
        assertThat(h.binds()).containsExactly("/srv:/data:ro", "named:/v");
        assertThat(h.mounts()).containsExactly(new HostSpec.MountSpec("volume", null, "/anon", false, null),
                new HostSpec.MountSpec("bind", "/a", "/b", true, "rshared"), new HostSpec.MountSpec("tmpfs", null, "/t", false, null));
        assertThat(h.tmpfs()).containsExactly(Map.entry("/run", "size=1m"), Map.entry("/tmp", ""));
        assertThatThrownBy(() -> spec("-v", "/a:rel", "i")).hasMessageContaining("invalid volume specification: '/a:rel'");
        assertThatThrownBy(() -> spec("-v", "/a:/b:bogus", "i")).hasMessageContaining("invalid mode: bogus");
        assertThatThrownBy(() -> spec("--mount", "type=bind,src=/a", "i")).hasMessageContaining("target is required");
    }

    @Test void restartPolicies() {
        assertThat(spec("--restart", "on-failure:3", "i").host()).satisfies(h -> {
            assertThat(h.restartPolicy()).isEqualTo("on-failure");
            assertThat(h.restartMaxRetries()).isEqualTo(3);
        });
        assertThat(spec("i").host().restartPolicy()).isEqualTo("no");
        assertThat(spec("--restart=unless-stopped", "i").host().restartPolicy()).isEqualTo("unless-stopped");
        assertThatThrownBy(() -> spec("--restart", "always:2", "i")).hasMessageContaining("only be used with 'on-failure'");
        assertThatThrownBy(() -> spec("--restart", "sometimes", "i")).hasMessageContaining("invalid restart policy");
    }

    @Test void envFileAndEnvFromTheEnvironment() throws IOException {
        Path file = dir.resolve("env");
        Files.writeString(file, "# comment\n\nA=1\n  B=two words\nHOME\nUNSET\n");
        ContainerSpec s = spec(Map.of("HOME", "/root", "C", "3"), "--env-file", file.toString(), "-e", "C", "-e", "D=4", "-e", "NOPE", "i");
        assertThat(s.env()).containsExactly("A=1", "B=two words", "HOME=/root", "C=3", "D=4");
        assertThatThrownBy(() -> spec("--env-file", dir.resolve("missing").toString(), "i")).hasMessageContaining("no such file or directory");
    }

    @Test void securityAndRuntimeFlags() {
        ContainerSpec s = spec("--privileged", "--cap-add", "net_admin", "--cap-drop", "ALL", "--cap-add", "CAP_SYS_TIME",
                "--security-opt", "no-new-privileges", "--read-only", "--init", "--network", "host", "--runtime", "runc",
                "--ulimit", "nofile=1024:2048", "--ulimit", "nproc=64", "--pids-limit", "50", "--cpu-shares", "512",
                "--cpuset-cpus", "0-1", "--stop-signal", "SIGINT", "--stop-timeout", "3", "-w", "/w", "-u", "1000:1000",
                "-h", "box", "i");
        HostSpec h = s.host();
        assertThat(h.privileged()).isTrue();
        assertThat(h.capAdd()).containsExactly("CAP_NET_ADMIN", "CAP_SYS_TIME");
        assertThat(h.capDrop()).containsExactly("ALL");
        assertThat(h.securityOpt()).containsExactly("no-new-privileges");
        assertThat(h.readOnlyRootfs()).isTrue();
        assertThat(h.init()).isTrue();
        assertThat(h.networkMode()).isEqualTo("host");
        assertThat(h.runtime()).isEqualTo("runc");
        assertThat(h.ulimits()).containsExactly(new HostSpec.Ulimit("nofile", 1024, 2048), new HostSpec.Ulimit("nproc", 64, 64));
        assertThat(h.resources().pidsLimit()).isEqualTo(50L);
        assertThat(h.resources().cpuShares()).isEqualTo(512L);
        assertThat(h.resources().cpusetCpus()).isEqualTo("0-1");
        assertThat(s.stopSignal()).isEqualTo("SIGINT");
        assertThat(s.stopTimeout()).isEqualTo(3);
        assertThat(s.workingDir()).isEqualTo("/w");
        assertThat(s.user()).isEqualTo("1000:1000");
        assertThat(s.hostname()).isEqualTo("box");
        assertThat(spec("i").host().init()).isNull();
        assertThatThrownBy(() -> spec("--ulimit", "nofile=10:5", "i")).hasMessageContaining("soft limit must be less than or equal");
    }
}
