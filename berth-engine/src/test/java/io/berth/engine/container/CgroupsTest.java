package io.berth.engine.container;

import io.berth.api.container.ContainerStats;
import io.berth.api.container.ProcessList;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Both cgroup layouts behind {@link Cgroups}: fixture trees written here in each layout (this host
 * has no v2 hierarchy with controllers), and the real v2 tree at /sys/fs/cgroup/unified of a hybrid
 * host for the files it has there (cgroup.procs, cpu.stat).
 */
class CgroupsTest {
    @TempDir Path tmp;

    private static void write(Path dir, String name, String text) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name), text);
    }

    @Test
    void theHostsLayoutIsDetectedFromCgroupControllers() {
        boolean unified = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
        assertThat(Cgroups.of("/berth/x")).isInstanceOf(unified ? CgroupV2.class : CgroupV1.class);
    }

    @Test
    void v2FilesMapToDockersStats() throws IOException {
        write(tmp, "cgroup.controllers", "cpuset cpu io memory pids\n");
        Path d = tmp.resolve("berth/abc");
        write(d, "cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 7\nnr_throttled 2\nthrottled_usec 30\n");
        write(d, "memory.current", "4096000\n");
        write(d, "memory.max", "67108864\n");
        write(d, "memory.peak", "5000000\n");
        write(d, "memory.stat", "anon 1000\nfile 2000\ninactive_file 300\n");
        write(d, "memory.events", "low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n");
        write(d, "pids.current", "3\n");
        write(d, "pids.max", "50\n");
        write(d, "io.stat", "8:0 rbytes=1024 wbytes=4096 rios=1 wios=2 dbytes=0 dios=0\n253:1 rbytes=1 wbytes=2 rios=1 wios=1 dbytes=0 dios=0\n");
        write(d, "cpu.max", "50000 100000\n");
        write(d, "cgroup.procs", "11\n12\n13\n");

        Cgroups cg = Cgroups.of(tmp, "/berth/abc");
        assertThat(cg).isInstanceOf(CgroupV2.class);
        ContainerStats s = cg.sample("abc", "web");
        assertThat(s.cpu().totalUsage()).isEqualTo(1_500_000);
        assertThat(s.cpu().userUsage()).isEqualTo(1_000_000);
        assertThat(s.cpu().kernelUsage()).isEqualTo(500_000);
        assertThat(s.cpu().perCpuUsage()).isEmpty();
        assertThat(s.cpu().throttlingPeriods()).isEqualTo(7);
        assertThat(s.cpu().throttledPeriods()).isEqualTo(2);
        assertThat(s.cpu().throttledTime()).isEqualTo(30_000);
        assertThat(s.cpu().systemUsage()).isPositive(); // the host's, from /proc/stat
        assertThat(s.memory().usage()).isEqualTo(4_096_000);
        assertThat(s.memory().limit()).isEqualTo(64L << 20);
        assertThat(s.memory().maxUsage()).isEqualTo(5_000_000);
        assertThat(s.memory().failcnt()).isEqualTo(4);
        assertThat(s.memory().stats()).containsEntry("inactive_file", 300L).containsEntry("anon", 1000L);
        assertThat(s.pidsCurrent()).isEqualTo(3);
        assertThat(s.pidsLimit()).isEqualTo(50L);
        assertThat(cg.oomKills()).isEqualTo(1);
        assertThat(cg.pids()).containsExactlyInAnyOrder(11, 12, 13);
        assertThat(cg.limits()).isEqualTo(new Cgroups.Limits(64L << 20, 50_000L, 100_000, 50L));
        assertThat(cg.io()).isEqualTo(new Cgroups.IoBytes(1025, 4098));

        // "max" everywhere: no limits, and the host's memory as the stats limit (as Docker shows it)
        write(d, "memory.max", "max\n");
        write(d, "pids.max", "max\n");
        write(d, "cpu.max", "max 100000\n");
        assertThat(cg.limits()).isEqualTo(new Cgroups.Limits(null, null, 100_000, null));
        assertThat(cg.sample("abc", "web").memory().limit()).isEqualTo(Cgroups.hostMemory());
        assertThat(cg.sample("abc", "web").pidsLimit()).isNull();
    }

    @Test
    void v1FilesStillReadTheSame() throws IOException {
        Path m = tmp.resolve("memory/berth/abc"), c = tmp.resolve("cpu/berth/abc"), p = tmp.resolve("pids/berth/abc");
        write(m, "memory.limit_in_bytes", Long.toString(32L << 20));
        write(m, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        write(c, "cpu.cfs_quota_us", "-1\n");
        write(c, "cpu.cfs_period_us", "100000\n");
        write(p, "pids.max", "max\n");
        write(p, "cgroup.procs", "7\n");
        write(tmp.resolve("blkio/berth/abc"), "blkio.throttle.io_service_bytes", "8:0 Read 10\n8:0 Write 20\n8:0 Total 30\nTotal 30\n");
        Cgroups cg = Cgroups.of(tmp, "/berth/abc");
        assertThat(cg).isInstanceOf(CgroupV1.class);
        assertThat(cg.limits()).isEqualTo(new Cgroups.Limits(32L << 20, null, 100_000, null));
        assertThat(cg.oomKills()).isEqualTo(2);
        assertThat(cg.pids()).containsExactly(7);
        assertThat(cg.io()).isEqualTo(new Cgroups.IoBytes(10, 20));
    }

    /** A hybrid host's unified tree has no controllers but does have cgroup.procs and cpu.stat: read those for real. */
    @Test
    void aRealV2CgroupOnTheUnifiedMount() throws Exception {
        Path unified = Path.of("/sys/fs/cgroup/unified");
        Assumptions.assumeTrue(Files.exists(unified.resolve("cgroup.controllers")), "no cgroup2 mount at " + unified);
        String name = "berth-cgtest-" + ProcessHandle.current().pid();
        Path dir = Files.createDirectories(unified.resolve(name));
        Process busy = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
        try {
            Files.writeString(dir.resolve("cgroup.procs"), Long.toString(busy.pid()));
            Cgroups cg = Cgroups.of(unified, "/" + name);
            assertThat(cg).isInstanceOf(CgroupV2.class);
            assertThat(cg.pids()).containsExactly((int) busy.pid());
            long deadline = System.nanoTime() + 5_000_000_000L;
            ContainerStats s;
            do {
                Thread.sleep(50);
                s = cg.sample("x", "x");
            } while (s.cpu().totalUsage() < 20_000_000L && System.nanoTime() < deadline);
            assertThat(s.cpu().totalUsage()).as("the busy loop's CPU time, ns").isGreaterThanOrEqualTo(20_000_000L);
            assertThat(s.cpu().userUsage() + s.cpu().kernelUsage()).isPositive();
            ProcessList top = cg.top("-o pid,args");
            assertThat(top.processes()).extracting(r -> r.getFirst()).containsExactly(Long.toString(busy.pid()));
            // no memory or pids controller here: zeros, and the host's memory as the limit
            assertThat(s.memory().limit()).isEqualTo(Cgroups.hostMemory());
            assertThat(cg.oomKills()).isZero();
        } finally {
            busy.destroyForcibly().waitFor();
            // the cgroup can be removed once empty; the kernel may take a moment to drop the exited task
            for (int i = 0; i < 100 && Files.exists(dir); i++) {
                try {
                    Files.delete(dir);
                } catch (IOException e) {
                    Thread.sleep(20);
                }
            }
        }
        assertThat(Files.exists(dir)).isFalse();
    }
}
