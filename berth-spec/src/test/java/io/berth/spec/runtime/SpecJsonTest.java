package io.berth.spec.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SpecJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Spec sample() {
        Map<String, String> ann = new LinkedHashMap<>();
        ann.put("org.opencontainers.image.title", "t");
        var caps = List.of("CAP_CHOWN", "CAP_KILL");
        var process = new Process(false, new Process.ConsoleSize(24, 80),
                new Process.User(1000, 1000, 18, List.of(10L, 4294967294L), "alice"),
                List.of("sh", "-c", "echo hi"), List.of("PATH=/bin", "TERM=xterm"), "/work",
                new Process.Capabilities(caps, caps, List.of(), caps, null),
                List.of(new Process.Rlimit("RLIMIT_NOFILE", 20000, 1024), new Process.Rlimit("RLIMIT_CORE", Process.Rlimit.INFINITY, 0)),
                true, null, 100, null);
        var resources = new Resources(
                List.of(new Resources.DeviceRule(false, null, null, null, "rwm"), new Resources.DeviceRule(true, "c", 1L, 3L, "rwm"),
                        new Resources.DeviceRule(true, "c", 136L, null, "rwm")),
                new Resources.Memory(268435456L, null, 536870912L, null, null, null),
                new Resources.Cpu(512L, 50000L, 100000L, "0-1", null),
                new Resources.Pids(100), new Resources.BlockIO(300), null, null);
        var seccomp = new Seccomp("SCMP_ACT_ERRNO", 1, List.of("SCMP_ARCH_X86_64"), null, List.of(
                new Seccomp.Syscall(List.of("read", "write"), "SCMP_ACT_ALLOW", null, null),
                new Seccomp.Syscall(List.of("clone"), "SCMP_ACT_ALLOW", null,
                        List.of(new Seccomp.Arg(0, 2114060288L, 0L, "SCMP_CMP_MASKED_EQ")))));
        var linux = new Linux(null, null, Map.of("net.ipv4.ip_forward", "1"), resources, "/berth/abc",
                List.of(Linux.Namespace.of("pid"), new Linux.Namespace("network", "/proc/1/ns/net")),
                null, seccomp, "rprivate", List.of("/proc/kcore"), List.of("/proc/sys"), null, null, null);
        var hooks = new Hooks(null, List.of(new Hooks.Hook("/usr/bin/hook", List.of("hook", "create"), List.of("A=b"), 5)),
                null, null, null, null);
        return new Spec(Spec.VERSION, process, new Root("rootfs", true), "box",
                List.of(new Mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev"))), hooks, ann, linux);
    }

    // Written by hand from config.md, so that a renamed property or a lost NON_NULL shows here.
    private static final String EXPECTED = """
            {"ociVersion":"1.0.2-dev",
             "process":{"terminal":false,"consoleSize":{"height":24,"width":80},
               "user":{"uid":1000,"gid":1000,"umask":18,"additionalGids":[10,4294967294],"username":"alice"},
               "args":["sh","-c","echo hi"],"env":["PATH=/bin","TERM=xterm"],"cwd":"/work",
               "capabilities":{"bounding":["CAP_CHOWN","CAP_KILL"],"effective":["CAP_CHOWN","CAP_KILL"],"inheritable":[],
                               "permitted":["CAP_CHOWN","CAP_KILL"]},
               "rlimits":[{"type":"RLIMIT_NOFILE","hard":20000,"soft":1024},
                          {"type":"RLIMIT_CORE","hard":18446744073709551615,"soft":0}],
               "noNewPrivileges":true,"oomScoreAdj":100},
             "root":{"path":"rootfs","readonly":true},
             "hostname":"box",
             "mounts":[{"destination":"/proc","type":"proc","source":"proc","options":["nosuid","noexec","nodev"]}],
             "hooks":{"createRuntime":[{"path":"/usr/bin/hook","args":["hook","create"],"env":["A=b"],"timeout":5}]},
             "annotations":{"org.opencontainers.image.title":"t"},
             "linux":{"sysctl":{"net.ipv4.ip_forward":"1"},
               "resources":{"devices":[{"allow":false,"access":"rwm"},{"allow":true,"type":"c","major":1,"minor":3,"access":"rwm"},
                                       {"allow":true,"type":"c","major":136,"access":"rwm"}],
                            "memory":{"limit":268435456,"swap":536870912},
                            "cpu":{"shares":512,"quota":50000,"period":100000,"cpus":"0-1"},
                            "pids":{"limit":100},"blockIO":{"weight":300}},
               "cgroupsPath":"/berth/abc",
               "namespaces":[{"type":"pid"},{"type":"network","path":"/proc/1/ns/net"}],
               "seccomp":{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"architectures":["SCMP_ARCH_X86_64"],
                          "syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"},
                                      {"names":["clone"],"action":"SCMP_ACT_ALLOW",
                                       "args":[{"index":0,"value":2114060288,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"}]}]},
               "rootfsPropagation":"rprivate","maskedPaths":["/proc/kcore"],"readonlyPaths":["/proc/sys"]}}
            """;

    @Test
    void serialisesToTheRuntimeSpecShape() throws Exception {
        JsonNode written = JSON.readTree(JSON.writeValueAsString(sample()));
        assertThat(written).isEqualTo(JSON.readTree(EXPECTED));
    }

    @Test
    void readsBackWhatItWrites() throws Exception {
        Spec back = JSON.readValue(JSON.writeValueAsString(sample()), Spec.class);
        assertThat(back).isEqualTo(sample());
        assertThat(back.process().rlimits().get(1).hard()).isEqualTo(Process.Rlimit.INFINITY);
        assertThat(back.process().user().additionalGids()).containsExactly(10L, 4294967294L);
    }

    @Test
    void absentAndEmptyStayDistinct() throws Exception {
        Spec back = JSON.readValue(EXPECTED, Spec.class);
        assertThat(back.process().capabilities().inheritable()).isEmpty();
        assertThat(back.process().capabilities().ambient()).isNull();
        assertThat(back.linux().devices()).isNull();
    }

    @Test
    void withCopiesChangeOneField() {
        Spec s = sample();
        Spec t = s.withHostname("other").withProcess(s.process().withCwd("/"));
        assertThat(t.hostname()).isEqualTo("other");
        assertThat(t.process().cwd()).isEqualTo("/");
        assertThat(t.process().args()).isEqualTo(s.process().args());
        assertThat(s.hostname()).isEqualTo("box");
    }

    @Test
    void hooksConcatenatePerPhase() {
        var a = new Hooks.Hook("/a", null, null, null);
        var b = new Hooks.Hook("/b", null, null, null);
        Hooks h = new Hooks(List.of(a), null, null, null, null, null).plus(new Hooks(List.of(b), null, null, null, List.of(b), null));
        assertThat(h.prestart()).containsExactly(a, b);
        assertThat(h.poststart()).containsExactly(b);
        assertThat(Hooks.NONE.isEmpty()).isTrue();
        assertThat(h.isEmpty()).isFalse();
    }

    /** runc's own template, generated now by the installed runc, must parse and survive a round trip. */
    @Test
    void parsesRuncsTemplate(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/runc")) || Files.isExecutable(Path.of("/usr/bin/runc")), "runc not installed");
        java.lang.Process p = new ProcessBuilder("runc", "spec").directory(dir.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        JsonNode original = JSON.readTree(dir.resolve("config.json").toFile());
        Spec spec = JSON.treeToValue(original, Spec.class);
        assertThat(spec.process().args()).containsExactly("sh");
        assertThat(spec.process().capabilities().bounding()).contains("CAP_KILL");
        assertThat(spec.process().rlimits().getFirst().type()).isEqualTo("RLIMIT_NOFILE");
        assertThat(spec.linux().namespaces()).extracting(Linux.Namespace::type).contains("pid", "mount");
        assertThat(spec.linux().maskedPaths()).contains("/proc/kcore");
        assertThat(spec.linux().resources().devices().getFirst().allow()).isFalse();
        assertThat(spec.mounts()).extracting(Mount::destination).contains("/proc", "/dev/pts", "/sys/fs/cgroup");
        // Every field runc writes is one we model: the round trip loses nothing.
        assertThat(JSON.readTree(JSON.writeValueAsString(spec))).isEqualTo(original);
    }
}
