package io.berth.engine.container;

import io.berth.api.container.ContainerStats;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.berth.engine.container.CgroupV1.keyValues;
import static io.berth.engine.container.CgroupV1.num;
import static io.berth.engine.container.CgroupV1.read;

/**
 * A container's cgroup in the unified (v2) hierarchy: one directory, {@code root/cgroupsPath},
 * with every controller's files. Mapped to Docker's stats the way dockerd maps them on v2 hosts:
 * CPU from cpu.stat's {@code usage_usec}/{@code user_usec}/{@code system_usec} (µs, scaled to ns; no
 * per-CPU split exists in v2), throttling from {@code nr_periods}/{@code nr_throttled}/
 * {@code throttled_usec}; memory usage from memory.current, the limit from memory.max ("max" = the
 * host's memory), the peak from memory.peak where the kernel has it (5.19+), failcnt from
 * memory.events' {@code max} (times the limit was hit), the breakdown from memory.stat (the CLI
 * subtracts its {@code inactive_file}); OOM kills from memory.events' {@code oom_kill}.
 */
final class CgroupV2 implements Cgroups {
    private final Path dir;

    /** {@code root} is the cgroup2 mount, {@code cgroupsPath} as in the spec ("/berth/ID"). */
    CgroupV2(Path root, String cgroupsPath) {
        this.dir = root.resolve(cgroupsPath.startsWith("/") ? cgroupsPath.substring(1) : cgroupsPath);
    }

    Path dir() { return dir; }

    @Override public ContainerStats sample(String id, String name) {
        Instant now = Instant.now();
        Map<String, Long> cpu = keyValues(dir.resolve("cpu.stat"));
        long[] host = Cgroups.hostCpu();
        var c = new ContainerStats.Cpu(cpu.getOrDefault("usage_usec", 0L) * 1000, List.of(),
                cpu.getOrDefault("system_usec", 0L) * 1000, cpu.getOrDefault("user_usec", 0L) * 1000, host[0], (int) host[1],
                cpu.getOrDefault("nr_periods", 0L), cpu.getOrDefault("nr_throttled", 0L), cpu.getOrDefault("throttled_usec", 0L) * 1000);
        Long max = Cgroups.limit(read(dir.resolve("memory.max")));
        Map<String, Long> events = keyValues(dir.resolve("memory.events"));
        var m = new ContainerStats.Memory(num(dir.resolve("memory.current")), num(dir.resolve("memory.peak")),
                max == null ? Cgroups.hostMemory() : max, events.getOrDefault("max", 0L), keyValues(dir.resolve("memory.stat")));
        return new ContainerStats(id, name, now, null, num(dir.resolve("pids.current")), Cgroups.limit(read(dir.resolve("pids.max"))),
                c, ContainerStats.Cpu.EMPTY, m);
    }

    /** memory.events' oom_kill; the cgroup's own count (memory.events.local would exclude children, which a container has none of). */
    @Override public long oomKills() {
        return keyValues(dir.resolve("memory.events")).getOrDefault("oom_kill", 0L);
    }

    @Override public Set<Integer> pids() {
        Set<Integer> out = new HashSet<>();
        for (String l : read(dir.resolve("cgroup.procs")).split("\n")) if (!l.isBlank()) out.add(Integer.parseInt(l.trim()));
        return out;
    }

    /** memory.max, cpu.max ("QUOTA PERIOD", QUOTA "max" when unlimited) and pids.max, as runc update writes them. */
    @Override public Limits limits() {
        String[] cpu = read(dir.resolve("cpu.max")).trim().split("\\s+");
        Long quota = cpu.length == 2 ? Cgroups.limit(cpu[0]) : null;
        long period = cpu.length == 2 ? Long.parseLong(cpu[1]) : 0;
        return new Limits(Cgroups.limit(read(dir.resolve("memory.max"))), quota, period, Cgroups.limit(read(dir.resolve("pids.max"))));
    }

    /** io.stat: one line per device, "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N". */
    @Override public IoBytes io() {
        long r = 0, w = 0;
        for (String l : read(dir.resolve("io.stat")).split("\n")) {
            for (String f : l.trim().split("\\s+")) {
                int eq = f.indexOf('=');
                if (eq < 0) continue;
                switch (f.substring(0, eq)) {
                    case "rbytes" -> r += Long.parseLong(f.substring(eq + 1));
                    case "wbytes" -> w += Long.parseLong(f.substring(eq + 1));
                    default -> { }
                }
            }
        }
        return new IoBytes(r, w);
    }
}
