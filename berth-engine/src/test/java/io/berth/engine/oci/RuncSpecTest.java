package io.berth.engine.oci;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.engine.oci.ContainerConfig.ResourceLimits;
import io.berth.engine.oci.ContainerConfig.Ulimit;
import io.berth.engine.sys.Syscalls;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Generated specs run by the real runc (no conmon): a busybox rootfs, {@code runc run} with the
 * container's stdout captured, and the process itself reports what applied: user and groups,
 * capabilities, seccomp, masked and read-only paths, read-only root, tmpfs, env, cwd, rlimits,
 * cgroup limits and --init.
 */
class RuncSpecTest {
    private static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path tmp;
    static Path rootfs;

    @BeforeAll
    static void busyboxRootfs() throws IOException {
        assumeTrue(Syscalls.geteuid() == 0, "needs root");
        assumeTrue(Files.isExecutable(BUSYBOX), "needs busybox-static");
        assumeTrue(which("runc") != null, "needs runc");
        rootfs = tmp.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(BUSYBOX, rootfs.resolve("bin/busybox"));
        for (String applet : List.of("sh", "id", "cat", "ls", "grep", "touch", "echo", "pwd", "env", "head", "sed", "wc", "unshare")) {
            Files.createSymbolicLink(rootfs.resolve("bin/" + applet), Path.of("busybox"));
        }
        for (String d : List.of("etc", "work", "proc", "sys", "dev", "tmp")) Files.createDirectories(rootfs.resolve(d));
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/work:/bin/sh\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\napp:x:1000:\nextra:x:2000:app\n");
    }

    private static String which(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, name))) return Path.of(dir, name).toString();
        }
        return null;
    }

    /** Runs the generated spec to completion; returns stdout (stderr is appended on failure). */
    private static String run(ContainerConfig c) throws Exception {
        SpecGenerator gen = new SpecGenerator(HostInfo.detect(), DaemonDefaults.standard());
        SpecGenerator.Generated g = gen.generate(c, rootfs);
        Path bundle = Files.createDirectories(tmp.resolve("bundle-" + c.id()));
        Files.write(bundle.resolve("config.json"), JSON.writeValueAsBytes(g.spec()));
        try {
            java.lang.Process p = new ProcessBuilder("runc", "run", "--bundle", bundle.toString(), c.id())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectError(bundle.resolve("stderr").toFile())
                    .start();
            byte[] out = p.getInputStream().readAllBytes();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("runc run finished").isTrue();
            String stdout = new String(out, StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as("runc exit; stdout:\n%s\nstderr:\n%s", stdout, Files.readString(bundle.resolve("stderr"))).isZero();
            return stdout;
        } finally {
            new ProcessBuilder("runc", "delete", "-f", c.id()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String id() { return "berth-oci-test-" + UUID.randomUUID().toString().substring(0, 12); }

    private static String line(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).findFirst().orElse("<no line " + prefix + ">");
    }

    @Test
    void rootContainerWithDockerDefaults() throws Exception {
        String script = String.join("; ",
                "id", "pwd", "echo FOO=$FOO", "echo HOSTNAME=$HOSTNAME",
                "grep -E '^(CapEff|CapBnd|CapPrm|NoNewPrivs|Seccomp):' /proc/self/status",
                "echo timer_list=$(head -c 50 /proc/timer_list | wc -c) firmware=$(ls /sys/firmware | wc -l)",
                "touch /rootfile 2>/dev/null && echo rootfs=rw || echo rootfs=ro",
                "touch /scratch/f && echo tmpfs=rw || echo tmpfs=ro",
                "(echo 1 > /proc/sys/kernel/ns_last_pid) 2>/dev/null && echo procsys=rw || echo procsys=ro",
                "grep ' /dev/shm ' /proc/mounts",
                "echo dev=$(ls /dev | sed -n '1,200p' | grep -cE '^(null|zero|full|random|urandom|tty|pts|shm|mqueue)$')");
        var c = ContainerConfig.builder(id()).cmd("sh", "-c", script)
                .env(List.of("FOO=bar")).workingDir("/work").hostname("box")
                .readOnlyRootfs(true).tmpfs(Map.of("/scratch", "size=1m"))
                .securityOpt(List.of("no-new-privileges")).build();
        String out = run(c);
        assertThat(out).contains("uid=0(root) gid=0(root)");
        assertThat(out).contains("/work\n");
        assertThat(out).contains("FOO=bar", "HOSTNAME=box");
        assertThat(line(out, "CapEff:")).endsWith("00000000a80425fb");
        assertThat(line(out, "CapBnd:")).endsWith("00000000a80425fb");
        assertThat(line(out, "NoNewPrivs:")).endsWith("1");
        assertThat(line(out, "Seccomp:")).endsWith("2"); // filter mode
        // masked: /dev/null over a file, an empty read-only tmpfs over a directory (both exist on the host)
        assertThat(out).contains("timer_list=0 firmware=0");
        assertThat(out).contains("rootfs=ro", "tmpfs=rw", "procsys=ro");
        assertThat(line(out, "shm ")).contains("size=65536k");
        assertThat(out).contains("dev=9");
    }

    @Test
    void userGroupsRlimitsCgroupsAndInit() throws Exception {
        String script = String.join("; ",
                "id", "grep -E '^(CapEff|CapBnd):' /proc/self/status",
                "grep 'Max open files' /proc/self/limits",
                "echo mem=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)",
                "echo pids=$(cat /sys/fs/cgroup/pids/pids.max)",
                "echo pid1=$(cat /proc/1/comm)");
        var c = ContainerConfig.builder(id()).cmd("sh", "-c", script)
                .user("app").groupAdd(List.of("root")).init(true)
                .ulimits(List.of(new Ulimit("nofile", 1048576, 1048576)))
                .resources(ResourceLimits.NONE.withMemory(64L << 20, null).withPidsLimit(50L)).build();
        String out = run(c);
        assertThat(line(out, "uid=")).startsWith("uid=1000(app) gid=1000(app)").contains("2000(extra)").contains("0(root)");
        // a non-root process keeps the bounding set but the kernel clears effective caps on exec
        assertThat(line(out, "CapEff:")).endsWith("0000000000000000");
        assertThat(line(out, "CapBnd:")).endsWith("00000000a80425fb");
        long hostHard = HostInfo.detect().hardLimit("RLIMIT_NOFILE");
        assertThat(line(out, "Max open files").split("\\s+")).contains(Long.toString(hostHard));
        assertThat(line(out, "Max open files")).doesNotContain("1048576");
        assertThat(out).contains("mem=" + (64L << 20), "pids=50");
        assertThat(out).contains("pid1=docker-init");
    }

    /** The default filter blocks namespace creation; CAP_SYS_ADMIN re-enables it (filter and capability agree). */
    @Test
    void seccompFollowsCapabilities() throws Exception {
        String script = "unshare -u true 2>/dev/null && echo unshare=ok || echo unshare=denied";
        assertThat(run(ContainerConfig.builder(id()).cmd("sh", "-c", script).build())).contains("unshare=denied");
        assertThat(run(ContainerConfig.builder(id()).cmd("sh", "-c", script).capAdd(List.of("SYS_ADMIN")).build())).contains("unshare=ok");
    }

    /** --privileged: every capability the daemon holds, no masks, writable /proc/sys, host devices. */
    @Test
    void privilegedRuns() throws Exception {
        String script = String.join("; ",
                "grep -E '^(CapEff|Seccomp):' /proc/self/status",
                "echo timer_list=$(head -c 50 /proc/timer_list | wc -c)",
                "(echo 0 > /proc/sys/kernel/ns_last_pid) 2>/dev/null && echo procsys=rw || echo procsys=ro",
                "ls /dev | grep -c . ");
        String out = run(ContainerConfig.builder(id()).cmd("sh", "-c", script).privileged(true).build());
        long expected = Caps.toMask(HostInfo.detect().capabilities());
        assertThat(line(out, "CapEff:")).endsWith(String.format("%016x", expected));
        assertThat(line(out, "Seccomp:")).endsWith("0");
        assertThat(out).contains("timer_list=50", "procsys=rw");
    }
}
