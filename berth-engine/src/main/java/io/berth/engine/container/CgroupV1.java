package io.berth.engine.container;

import io.berth.api.container.ContainerStats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A container's cgroup on a v1 (or hybrid) host: one hierarchy per controller, the spec's
 * {@code linux.cgroupsPath} under each controller's mount ({@code /sys/fs/cgroup/memory/berth/ID}).
 */
final class CgroupV1 implements Cgroups {
    /** What cgroup v1 shows for "no limit" (PAGE_COUNTER_MAX rounded to pages), or above. */
    private static final long UNLIMITED = 0x7FFFFFFFFFFFF000L;

    private final Path root;
    private final String path;

    /** {@code cgroupsPath} as in the spec, e.g. "/berth/ID"; {@code root} holds one directory per controller. */
    CgroupV1(Path root, String cgroupsPath) {
        this.root = root;
        this.path = cgroupsPath.startsWith("/") ? cgroupsPath.substring(1) : cgroupsPath;
    }

    Path dir(String controller) { return root.resolve(controller).resolve(path); }

    @Override public ContainerStats sample(String id, String name) {
        Instant now = Instant.now();
        Path cpuacct = dir("cpuacct"), cpu = dir("cpu"), mem = dir("memory"), pids = dir("pids");
        Map<String, Long> cst = keyValues(cpuacct.resolve("cpuacct.stat"));
        Map<String, Long> thr = keyValues(cpu.resolve("cpu.stat"));
        List<Long> percpu = new ArrayList<>();
        for (String s : read(cpuacct.resolve("cpuacct.usage_percpu")).trim().split("\\s+")) if (!s.isEmpty()) percpu.add(Long.parseLong(s));
        long[] host = Cgroups.hostCpu();
        var c = new ContainerStats.Cpu(num(cpuacct.resolve("cpuacct.usage")), List.copyOf(percpu),
                cst.getOrDefault("system", 0L) * NS_PER_TICK, cst.getOrDefault("user", 0L) * NS_PER_TICK, host[0], (int) host[1],
                thr.getOrDefault("nr_periods", 0L), thr.getOrDefault("nr_throttled", 0L), thr.getOrDefault("throttled_time", 0L));
        long limit = num(mem.resolve("memory.limit_in_bytes"));
        if (limit <= 0 || limit >= UNLIMITED) limit = Cgroups.hostMemory();
        var m = new ContainerStats.Memory(num(mem.resolve("memory.usage_in_bytes")), num(mem.resolve("memory.max_usage_in_bytes")),
                limit, num(mem.resolve("memory.failcnt")), keyValues(mem.resolve("memory.stat")));
        Long pidsLimit = Cgroups.limit(read(pids.resolve("pids.max")));
        return new ContainerStats(id, name, now, null, num(pids.resolve("pids.current")), pidsLimit, c, ContainerStats.Cpu.EMPTY, m);
    }

    /** memory.oom_control's oom_kill (kernel 4.13+). */
    @Override public long oomKills() {
        return keyValues(dir("memory").resolve("memory.oom_control")).getOrDefault("oom_kill", 0L);
    }

    @Override public Set<Integer> pids() {
        Set<Integer> out = new HashSet<>();
        for (String l : read(dir("pids").resolve("cgroup.procs")).split("\n")) if (!l.isBlank()) out.add(Integer.parseInt(l.trim()));
        return out;
    }

    @Override public Limits limits() {
        long mem = num(dir("memory").resolve("memory.limit_in_bytes"));
        String quota = read(dir("cpu").resolve("cpu.cfs_quota_us")).trim();
        return new Limits(mem <= 0 || mem >= UNLIMITED ? null : mem,
                quota.isEmpty() || quota.startsWith("-") ? null : Long.parseLong(quota),
                num(dir("cpu").resolve("cpu.cfs_period_us")), Cgroups.limit(read(dir("pids").resolve("pids.max"))));
    }

    @Override public IoBytes io() {
        long r = 0, w = 0;
        // "MAJ:MIN Read N" lines per device, then a "Total N" line
        for (String l : read(dir("blkio").resolve("blkio.throttle.io_service_bytes")).split("\n")) {
            String[] f = l.trim().split("\\s+");
            if (f.length != 3) continue;
            if (f[1].equals("Read")) r += Long.parseLong(f[2]);
            else if (f[1].equals("Write")) w += Long.parseLong(f[2]);
        }
        return new IoBytes(r, w);
    }

    static long num(Path p) {
        String s = read(p).trim();
        return s.isEmpty() ? 0 : Long.parseLong(s);
    }

    static Map<String, Long> keyValues(Path p) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String l : read(p).split("\n")) {
            String[] f = l.trim().split("\\s+");
            if (f.length == 2) {
                try {
                    m.put(f[0], Long.parseLong(f[1]));
                } catch (NumberFormatException ignored) { // not a counter
                }
            }
        }
        return m;
    }

    /** A missing file (controller not mounted, container gone) reads as empty: stats show zeros. */
    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }
}
