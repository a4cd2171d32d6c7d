package io.berth.engine.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.api.BerthException;
import io.berth.engine.oci.ContainerConfig.MountRequest;
import io.berth.engine.oci.ContainerConfig.NamespaceMode;
import io.berth.engine.oci.ContainerConfig.ResourceLimits;
import io.berth.engine.oci.ContainerConfig.Ulimit;
import io.berth.spec.runtime.Hooks;
import io.berth.spec.runtime.Linux;
import io.berth.spec.runtime.Mount;
import io.berth.spec.runtime.Process;
import io.berth.spec.runtime.Resources;
import io.berth.spec.runtime.Seccomp;
import io.berth.spec.runtime.Spec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpecGeneratorTest {
    @TempDir Path root;
    final SpecGenerator gen = new SpecGenerator(TestHosts.likeThisMachine(),
            DaemonDefaults.standard().withInitPath("/usr/bin/catatonit"));

    ContainerConfig.Builder base() {
        return ContainerConfig.builder(TestHosts.ID).image(TestHosts.image(null, List.of("sh"), List.of("PATH=/bin"), null, null));
    }

    SpecGenerator.Generated gen(ContainerConfig c) { return gen.generate(c, root); }

    Spec spec(ContainerConfig.Builder b) { return gen(b.build()).spec(); }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The whole default spec, except the long seccomp list, against a hand-written expectation. */
    @Test
    void defaultSpecIsDockers() throws Exception {
        var g = gen(base().build());
        assertThat(g.warnings()).isEmpty();
        JsonNode actual = JSON.readTree(JSON.writeValueAsString(g.spec().withLinux(g.spec().linux().withSeccomp(null))));
        String expected = """
                {"ociVersion":"1.0.2-dev",
                 "process":{"terminal":false,"user":{"uid":0,"gid":0},"args":["sh"],
                   "env":["PATH=/bin","HOSTNAME=0123456789ab"],"cwd":"/",
                   "capabilities":{
                     "bounding":["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_FSETID","CAP_KILL","CAP_SETGID","CAP_SETUID","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_NET_RAW","CAP_SYS_CHROOT","CAP_MKNOD","CAP_AUDIT_WRITE","CAP_SETFCAP"],
                     "effective":["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_FSETID","CAP_KILL","CAP_SETGID","CAP_SETUID","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_NET_RAW","CAP_SYS_CHROOT","CAP_MKNOD","CAP_AUDIT_WRITE","CAP_SETFCAP"],
                     "permitted":["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_FSETID","CAP_KILL","CAP_SETGID","CAP_SETUID","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_NET_RAW","CAP_SYS_CHROOT","CAP_MKNOD","CAP_AUDIT_WRITE","CAP_SETFCAP"]}},
                 "root":{"path":"%s"},
                 "hostname":"0123456789ab",
                 "mounts":[
                   {"destination":"/proc","type":"proc","source":"proc","options":["nosuid","noexec","nodev"]},
                   {"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]},
                   {"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","noexec","nodev","ro"]},
                   {"destination":"/dev/pts","type":"devpts","source":"devpts","options":["nosuid","noexec","newinstance","ptmxmode=0666","mode=0620","gid=5"]},
                   {"destination":"/dev/mqueue","type":"mqueue","source":"mqueue","options":["nosuid","noexec","nodev"]},
                   {"destination":"/dev/shm","type":"tmpfs","source":"shm","options":["nosuid","noexec","nodev","mode=1777","size=67108864"]},
                   {"destination":"/sys/fs/cgroup","type":"cgroup","source":"cgroup","options":["ro","nosuid","noexec","nodev"]}],
                 "linux":{
                   "resources":{"devices":[
                     {"allow":false,"access":"rwm"},
                     {"allow":true,"type":"c","access":"m"},{"allow":true,"type":"b","access":"m"},
                     {"allow":true,"type":"c","major":1,"minor":3,"access":"rwm"},{"allow":true,"type":"c","major":1,"minor":8,"access":"rwm"},
                     {"allow":true,"type":"c","major":1,"minor":7,"access":"rwm"},{"allow":true,"type":"c","major":5,"minor":0,"access":"rwm"},
                     {"allow":true,"type":"c","major":1,"minor":5,"access":"rwm"},{"allow":true,"type":"c","major":1,"minor":9,"access":"rwm"},
                     {"allow":true,"type":"c","major":5,"minor":1,"access":"rwm"},{"allow":true,"type":"c","major":136,"access":"rwm"},
                     {"allow":true,"type":"c","major":5,"minor":2,"access":"rwm"},{"allow":true,"type":"c","major":10,"minor":200,"access":"rwm"}]},
                   "cgroupsPath":"/berth/%s",
                   "namespaces":[{"type":"mount"},{"type":"pid"},{"type":"network"},{"type":"ipc"},{"type":"uts"}],
                   "maskedPaths":["/proc/asound","/proc/acpi","/proc/kcore","/proc/keys","/proc/latency_stats","/proc/timer_list",
                                  "/proc/timer_stats","/proc/sched_debug","/proc/scsi","/sys/firmware","/sys/devices/virtual/powercap"],
                   "readonlyPaths":["/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"]}}
                """.formatted(root.toAbsolutePath(), TestHosts.ID);
        assertThat(actual).isEqualTo(JSON.readTree(expected));
    }

    @Test
    void defaultSeccompIsAnAllowlistReturningEperm() {
        Seccomp sc = spec(base()).linux().seccomp();
        assertThat(sc.defaultAction()).isEqualTo("SCMP_ACT_ERRNO");
        assertThat(sc.defaultErrnoRet()).isEqualTo(1);
        assertThat(sc.architectures()).containsExactly("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32");
        List<String> allowedUnconditionally = sc.syscalls().stream()
                .filter(r -> r.action().equals("SCMP_ACT_ALLOW") && r.args() == null).flatMap(r -> r.names().stream()).toList();
        assertThat(allowedUnconditionally).contains("read", "openat", "execve", "futex", "socket", "chroot", "ptrace")
                .doesNotContain("mount", "umount2", "unshare", "setns", "kexec_load", "init_module", "reboot", "bpf",
                        "keyctl", "add_key", "userfaultfd", "clone", "clone3", "io_uring_setup", "open_by_handle_at",
                        "settimeofday", "acct", "swapon", "personality")
                .doesNotHaveDuplicates();
        // clone only without namespace flags; clone3 says ENOSYS so libc falls back to clone
        assertThat(sc.syscalls()).anySatisfy(r -> {
            assertThat(r.names()).containsExactly("clone");
            assertThat(r.args()).containsExactly(new Seccomp.Arg(0, 0x7E020000L, 0L, "SCMP_CMP_MASKED_EQ"));
        });
        assertThat(sc.syscalls()).anySatisfy(r -> {
            assertThat(r.names()).containsExactly("clone3");
            assertThat(r.action()).isEqualTo("SCMP_ACT_ERRNO");
            assertThat(r.errnoRet()).isEqualTo(38);
        });
        assertThat(sc.syscalls()).filteredOn(r -> r.names().equals(List.of("personality"))).hasSize(5);
    }

    @Test
    void capabilitiesReEnableTheirSyscalls() {
        Seccomp sc = spec(base().capAdd(List.of("SYS_ADMIN", "sys_time")).capDrop(List.of("SYS_CHROOT"))).linux().seccomp();
        List<String> allowed = sc.syscalls().stream().filter(r -> r.action().equals("SCMP_ACT_ALLOW") && r.args() == null)
                .flatMap(r -> r.names().stream()).toList();
        assertThat(allowed).contains("mount", "unshare", "setns", "clone", "clone3", "settimeofday", "clock_settime")
                .doesNotContain("chroot", "reboot", "init_module");
        assertThat(sc.syscalls()).noneSatisfy(r -> assertThat(r.names()).containsExactly("clone3"));
    }

    @Test
    void securityOpts() {
        Spec s = spec(base().securityOpt(List.of("no-new-privileges", "seccomp=unconfined", "apparmor=unconfined")));
        assertThat(s.process().noNewPrivileges()).isTrue();
        assertThat(s.linux().seccomp()).isNull();
        assertThat(s.process().apparmorProfile()).isEqualTo("unconfined");
        assertThat(spec(base().securityOpt(List.of("no-new-privileges:false"))).process().noNewPrivileges()).isNull();
        assertThatThrownBy(() -> spec(base().securityOpt(List.of("seccomp"))))
                .isInstanceOf(BerthException.class).hasMessageContaining("invalid --security-opt");
        assertThatThrownBy(() -> spec(base().securityOpt(List.of("magic=1")))).hasMessageContaining("invalid --security-opt: \"magic=1\"");
    }

    @Test
    void seccompProfileInDockersFormatIsResolvedForTheCapabilities() throws Exception {
        Path profile = root.resolve("profile.json");
        Files.writeString(profile, """
                {"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,
                 "archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86"]},
                            {"architecture":"SCMP_ARCH_AARCH64","subArchitectures":["SCMP_ARCH_ARM"]}],
                 "syscalls":[{"names":["read","write","exit_group"],"action":"SCMP_ACT_ALLOW"},
                             {"names":["mount"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN"]}},
                             {"names":["chroot"],"action":"SCMP_ACT_ALLOW","excludes":{"caps":["CAP_SYS_ADMIN"]}},
                             {"names":["arm_fadvise64_64"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["arm"]}}]}
                """);
        Seccomp sc = spec(base().securityOpt(List.of("seccomp=" + profile))).linux().seccomp();
        assertThat(sc.architectures()).containsExactly("SCMP_ARCH_X86_64", "SCMP_ARCH_X86");
        assertThat(sc.syscalls()).flatExtracting(Seccomp.Syscall::names).containsExactly("read", "write", "exit_group", "chroot");
        assertThatThrownBy(() -> spec(base().securityOpt(List.of("seccomp=" + root.resolve("missing.json")))))
                .hasMessageContaining("loading seccomp profile");
    }

    @Test
    void privilegedGetsEverythingTheDaemonHas() {
        var g = gen(base().privileged(true).build());
        Spec s = g.spec();
        assertThat(s.process().capabilities().bounding()).hasSize(40).doesNotContain("CAP_SYS_RESOURCE");
        assertThat(g.warnings()).anyMatch(w -> w.contains("CAP_SYS_RESOURCE"));
        assertThat(s.linux().seccomp()).isNull();
        assertThat(s.linux().maskedPaths()).isNull();
        assertThat(s.linux().readonlyPaths()).isNull();
        assertThat(s.linux().resources().devices()).containsExactly(new Resources.DeviceRule(true, "a", null, null, "rwm"));
        assertThat(s.linux().devices()).anySatisfy(d -> assertThat(d.path()).isEqualTo("/dev/null"));
        assertThat(s.mounts()).filteredOn(m -> m.destination().equals("/sys")).singleElement()
                .satisfies(m -> assertThat(m.options()).doesNotContain("ro"));
    }

    @Test
    void capAddOfACapabilityTheDaemonLacksWarnsInsteadOfFailing() {
        var g = gen(base().capAdd(List.of("CAP_SYS_RESOURCE", "NET_ADMIN")).build());
        assertThat(g.spec().process().capabilities().effective()).contains("CAP_NET_ADMIN").doesNotContain("CAP_SYS_RESOURCE");
        assertThat(g.warnings()).singleElement().asString().contains("CAP_SYS_RESOURCE");
    }

    @Test
    void ttyAddsTermAndConsoleSize() {
        Spec s = spec(base().tty(true).consoleSize(new ContainerConfig.ConsoleSize(30, 100)));
        assertThat(s.process().terminal()).isTrue();
        assertThat(s.process().consoleSize()).isEqualTo(new Process.ConsoleSize(30, 100));
        assertThat(s.process().env()).contains("TERM=xterm");
        assertThat(spec(base().consoleSize(new ContainerConfig.ConsoleSize(30, 100))).process().consoleSize()).isNull();
    }

    @Test
    void namespacesFollowTheModes() {
        Spec s = spec(base().network(NamespaceMode.HOST).pid(NamespaceMode.join("/proc/1/ns/pid")).uts(NamespaceMode.HOST));
        assertThat(s.linux().namespaces()).containsExactly(Linux.Namespace.of("mount"), new Linux.Namespace("pid", "/proc/1/ns/pid"),
                Linux.Namespace.of("ipc"));
        assertThat(s.hostname()).isNull();
        assertThat(s.process().env()).contains("HOSTNAME=testhost");
        Spec v2 = new SpecGenerator(TestHosts.likeThisMachine().withCgroupV2(true), DaemonDefaults.standard()).generate(base().build(), root).spec();
        assertThat(v2.linux().namespaces()).contains(Linux.Namespace.of("cgroup"));
        assertThat(spec(base().cgroupns(NamespaceMode.PRIVATE)).linux().namespaces()).contains(Linux.Namespace.of("cgroup"));
    }

    @Test
    void ipcHostSharesTheHostShm() {
        Spec s = spec(base().ipc(NamespaceMode.HOST));
        assertThat(s.mounts()).filteredOn(m -> m.destination().equals("/dev/shm")).singleElement()
                .satisfies(m -> assertThat(m.source()).isEqualTo("/dev/shm"));
    }

    @Test
    void mountsTmpfsAndShm() {
        Spec s = spec(base().shmSize(1L << 20).readOnlyRootfs(true)
                .tmpfs(Map.of("/run", "", "/scratch", "size=10m,exec"))
                .mounts(List.of(MountRequest.bind("/srv/data", "/data/", true),
                        MountRequest.volume("/var/lib/berth/volumes/v/_data", "/var/lib/db", false).withPropagation("rslave"))));
        assertThat(s.root().readonly()).isTrue();
        assertThat(s.mounts()).contains(
                new Mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=1048576")),
                new Mount("/run", "tmpfs", "tmpfs", List.of("nosuid", "nodev", "noexec")),
                new Mount("/scratch", "tmpfs", "tmpfs", List.of("size=10m", "exec", "nosuid", "nodev")),
                new Mount("/data", "bind", "/srv/data", List.of("rbind", "ro", "rprivate")),
                new Mount("/var/lib/db", "bind", "/var/lib/berth/volumes/v/_data", List.of("rbind", "rslave")));
        assertThat(s.linux().rootfsPropagation()).isEqualTo("rslave");
        // parents before children
        List<String> dest = s.mounts().stream().map(Mount::destination).toList();
        assertThat(dest.indexOf("/dev")).isLessThan(dest.indexOf("/dev/shm"));
        assertThat(dest.indexOf("/sys")).isLessThan(dest.indexOf("/sys/fs/cgroup"));
    }

    @Test
    void userMountReplacesTheDefaultAtTheSameDestination() {
        Spec s = spec(base().mounts(List.of(MountRequest.bind("/host/shm", "/dev/shm", false))));
        assertThat(s.mounts()).filteredOn(m -> m.destination().equals("/dev/shm")).singleElement()
                .satisfies(m -> assertThat(m.type()).isEqualTo("bind"));
    }

    @Test
    void badMountsAreRefused() {
        assertThatThrownBy(() -> spec(base().mounts(List.of(MountRequest.bind("/a", "/", false))))).hasMessageContaining("destination can't be '/'");
        assertThatThrownBy(() -> spec(base().mounts(List.of(MountRequest.bind("/a", "rel", false))))).hasMessageContaining("must be absolute");
        assertThatThrownBy(() -> spec(base().mounts(List.of(MountRequest.bind("a", "/x", false))))).hasMessageContaining("source must be an absolute");
        assertThatThrownBy(() -> spec(base().mounts(List.of(MountRequest.bind("/a", "/x", false), MountRequest.bind("/b", "/x/", false)))))
                .hasMessageContaining("Duplicate mount point: /x");
        assertThatThrownBy(() -> spec(base().mounts(List.of(MountRequest.bind("/a", "/x", false).withPropagation("weird")))))
                .hasMessageContaining("invalid propagation mode: weird");
    }

    @Test
    void initWrapsTheCommand() {
        Spec s = spec(base().init(true).cmd("sleep", "5"));
        assertThat(s.process().args()).containsExactly("/sbin/docker-init", "--", "sleep", "5");
        assertThat(s.mounts()).contains(new Mount("/sbin/docker-init", "bind", "/usr/bin/catatonit", List.of("bind", "ro")));
        var none = new SpecGenerator(TestHosts.likeThisMachine(), DaemonDefaults.standard().withInitPath(null));
        assertThatThrownBy(() -> none.generate(base().init(true).build(), root))
                .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.UNAVAILABLE));
    }

    @Test
    void rlimitsNeverExceedTheHostHardLimit() {
        var g = gen(base().ulimits(List.of(new Ulimit("nofile", 1048576, 1048576), new Ulimit("nproc", 100, 200),
                new Ulimit("core", -1, -1))).build());
        assertThat(g.spec().process().rlimits()).containsExactly(
                new Process.Rlimit("RLIMIT_NOFILE", 20000, 20000),
                new Process.Rlimit("RLIMIT_NPROC", 200, 100),
                // the host's core hard limit is unknown here (unlimited), so unlimited stays
                new Process.Rlimit("RLIMIT_CORE", Process.Rlimit.INFINITY, Process.Rlimit.INFINITY));
        assertThat(g.warnings()).containsExactly(
                "ulimit nofile: hard limit 1048576 lowered to the host's hard limit 20000",
                "ulimit nofile: soft limit 1048576 lowered to 20000");
    }

    @Test
    void unlimitedRequestIsClampedToo() {
        var g = gen(base().ulimits(List.of(new Ulimit("nofile", 1024, -1))).build());
        assertThat(g.spec().process().rlimits()).containsExactly(new Process.Rlimit("RLIMIT_NOFILE", 20000, 1024));
    }

    @Test
    void daemonDefaultUlimitsApplyUnlessTheContainerSetsTheSame() {
        var d = new SpecGenerator(TestHosts.likeThisMachine(), DaemonDefaults.standard()
                .withDefaultUlimits(List.of(new Ulimit("nofile", 1048576, 1048576), new Ulimit("nproc", 10, 10))));
        Spec s = d.generate(base().ulimits(List.of(new Ulimit("nproc", 50, 60))).build(), root).spec();
        assertThat(s.process().rlimits()).containsExactly(new Process.Rlimit("RLIMIT_NOFILE", 20000, 20000), new Process.Rlimit("RLIMIT_NPROC", 60, 50));
    }

    @Test
    void badUlimitsAreRefused() {
        assertThatThrownBy(() -> spec(base().ulimits(List.of(new Ulimit("nofile", 10, 5))))).hasMessageContaining("soft limit 10 must be less than or equal to hard limit 5");
        assertThatThrownBy(() -> spec(base().ulimits(List.of(new Ulimit("files", 1, 1))))).hasMessageContaining("invalid ulimit type: files");
    }

    @Test
    void hostLimitsAreReadFromProc() {
        Map<String, Long> limits = HostInfo.readHardLimits(Path.of("/proc/self/limits"));
        assertThat(limits).containsKeys("RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_CORE", "RLIMIT_STACK");
        assertThat(limits.get("RLIMIT_NOFILE")).isPositive();
    }

    @Test
    void memoryAndSwapFollowDocker() {
        long m = 256L << 20;
        assertThat(spec(base().resources(ResourceLimits.NONE.withMemory(m, null))).linux().resources().memory())
                .isEqualTo(new Resources.Memory(m, null, 2 * m, null, null, null));
        assertThat(spec(base().resources(ResourceLimits.NONE.withMemory(m, -1L))).linux().resources().memory().swap()).isEqualTo(-1);
        assertThat(spec(base().resources(ResourceLimits.NONE.withMemory(m, 3 * m))).linux().resources().memory().swap()).isEqualTo(3 * m);
        assertThatThrownBy(() -> spec(base().resources(ResourceLimits.NONE.withMemory(1L << 20, null)))).hasMessage("Minimum memory limit allowed is 6MB");
        assertThatThrownBy(() -> spec(base().resources(ResourceLimits.NONE.withMemory(m, m / 2)))).hasMessageContaining("Minimum memoryswap limit");
        assertThatThrownBy(() -> spec(base().resources(ResourceLimits.NONE.withMemory(null, m)))).hasMessageContaining("always set the Memory limit");
        var noSwap = new SpecGenerator(new HostInfo(false, false, false, 2, Caps.ALL.stream().collect(java.util.stream.Collectors.toSet()), Map.of(), "h"),
                DaemonDefaults.standard()).generate(base().resources(ResourceLimits.NONE.withMemory(m, null)).build(), root);
        assertThat(noSwap.spec().linux().resources().memory().swap()).isNull();
        assertThat(noSwap.warnings()).anyMatch(w -> w.contains("swap limit"));
    }

    @Test
    void cpusBecomeQuotaOverAHundredMillisecondPeriod() {
        Resources.Cpu cpu = spec(base().resources(ResourceLimits.NONE.withNanoCpus(1_500_000_000L).withCpuShares(512L).withCpuset("0-1", null)))
                .linux().resources().cpu();
        assertThat(cpu).isEqualTo(new Resources.Cpu(512L, 150_000L, 100_000L, "0-1", null));
        assertThatThrownBy(() -> spec(base().resources(ResourceLimits.NONE.withNanoCpus(3_000_000_000L))))
                .hasMessage("Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available");
        assertThatThrownBy(() -> spec(base().resources(ResourceLimits.NONE.withNanoCpus(1_000_000_000L).withCpuQuota(null, 50_000L))))
                .hasMessageContaining("Conflicting options");
        assertThatThrownBy(() -> spec(base().resources(ResourceLimits.NONE.withCpuset("0-3", null)))).hasMessageContaining("Requested CPUs are not available");
        assertThatThrownBy(() -> spec(base().resources(ResourceLimits.NONE.withCpuset("x", null)))).hasMessageContaining("Invalid value x for cpuset cpus");
    }

    @Test
    void pidsAndBlkio() {
        var g = gen(base().resources(ResourceLimits.NONE.withPidsLimit(100L).withBlkioWeight(300)).build());
        assertThat(g.spec().linux().resources().pids()).isEqualTo(new Resources.Pids(100));
        assertThat(g.spec().linux().resources().blockIO()).isNull(); // this host has no blkio weight
        assertThat(g.warnings()).anyMatch(w -> w.contains("Block I/O weight"));
        assertThatThrownBy(() -> spec(base().resources(ResourceLimits.NONE.withBlkioWeight(5)))).hasMessageContaining("blkio weight");
        assertThat(spec(base().resources(ResourceLimits.NONE.withPidsLimit(-1L))).linux().resources().pids()).isNull();
    }

    @Test
    void cgroupPathUsesTheParent() {
        assertThat(spec(base().cgroupParent("/custom/")).linux().cgroupsPath()).isEqualTo("/custom/" + TestHosts.ID);
        assertThat(spec(base().cgroupParent("nested")).linux().cgroupsPath()).isEqualTo("/nested/" + TestHosts.ID);
    }

    @Test
    void oomScoreSysctlsAnnotationsAndHooks() {
        var hook = new Hooks.Hook("/usr/local/bin/hook", List.of("hook", "poststop"), null, 10);
        var d = new SpecGenerator(TestHosts.likeThisMachine(), DaemonDefaults.standard().withHooks(new Hooks(null, null, null, null, null, List.of(hook))));
        Spec s = d.generate(base().oomScoreAdj(500).sysctls(Map.of("net.ipv4.ip_forward", "1")).annotations(Map.of("a", "b")).build(), root).spec();
        assertThat(s.process().oomScoreAdj()).isEqualTo(500);
        assertThat(s.linux().sysctl()).containsEntry("net.ipv4.ip_forward", "1");
        assertThat(s.annotations()).containsEntry("a", "b");
        assertThat(s.hooks().poststop()).containsExactly(hook);
        assertThat(spec(base()).hooks()).isNull();
        assertThatThrownBy(() -> spec(base().oomScoreAdj(2000))).hasMessageContaining("oom score adj");
        assertThatThrownBy(() -> spec(base().network(NamespaceMode.HOST).sysctls(Map.of("net.ipv4.ip_forward", "1"))))
                .hasMessageContaining("not allowed in host network namespace");
        assertThatThrownBy(() -> spec(base().sysctls(Map.of("vm.swappiness", "1")))).hasMessageContaining("not whitelisted");
    }

    @Test
    void optionsComposeAndAreIndependentlyUsable() {
        SpecContext ctx = new SpecContext("x", root, TestHosts.likeThisMachine());
        Spec s = SpecOpts.hostname("a").then(SpecOpts.cwd("/w")).apply(SpecGenerator.dockerDefaults(DaemonDefaults.DEFAULT_SHM_SIZE), ctx);
        assertThat(s.hostname()).isEqualTo("a");
        assertThat(s.process().cwd()).isEqualTo("/w");
        assertThat(SpecGenerator.dockerDefaults(DaemonDefaults.DEFAULT_SHM_SIZE).hostname()).isNull();
    }

    @Test
    void userComesFromTheImageUnlessOverridden() throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\napp:x:100:101::/app:/bin/sh\n");
        Files.writeString(root.resolve("etc/group"), "app:x:101:\nextra:x:500:app\n");
        var withUser = base().image(TestHosts.image(null, List.of("sh"), null, null, "app"));
        assertThat(spec(withUser).process().user()).isEqualTo(new Process.User(100, 101, null, List.of(500L), "app"));
        assertThat(spec(withUser.user("0")).process().user().uid()).isZero();
        assertThatThrownBy(() -> spec(base().user("nobody2"))).hasMessage("unable to find user nobody2: no matching entries in passwd file");
    }
}
