package io.berth.engine.container;

import io.berth.api.BerthException;
import io.berth.api.container.ContainerStats;
import io.berth.api.container.ContainerUpdate;
import io.berth.api.container.HostSpec;
import io.berth.api.container.ProcessList;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A container's cgroup (v1 hierarchy, one directory per controller) read for {@code stats},
 * {@code top} and the OOM verdict. The path is the spec's {@code linux.cgroupsPath} under each
 * controller's mount; on a unified (v2) host the same relative path is read from the unified tree.
 */
final class Cgroups {
    /** USER_HZ: cpuacct.stat counts in ticks of 10 ms on every Linux Docker supports. */
    private static final long NS_PER_TICK = 10_000_000L;
    /** What cgroup v1 shows for "no limit" (PAGE_COUNTER_MAX rounded to pages), or above. */
    private static final long UNLIMITED = 0x7FFFFFFFFFFFF000L;

    private final Path root;
    private final String path;

    /** {@code cgroupsPath} as in the spec, e.g. "/berth/ID". */
    Cgroups(Path root, String cgroupsPath) {
        this.root = root;
        this.path = cgroupsPath.startsWith("/") ? cgroupsPath.substring(1) : cgroupsPath;
    }

    static Cgroups of(String cgroupsPath) { return new Cgroups(Path.of("/sys/fs/cgroup"), cgroupsPath); }

    Path dir(String controller) { return root.resolve(controller).resolve(path); }

    /** One sample (precpu left empty: see {@link ContainerStats#withPrevious}). */
    ContainerStats sample(String id, String name) {
        Instant now = Instant.now();
        Path cpuacct = dir("cpuacct"), cpu = dir("cpu"), mem = dir("memory"), pids = dir("pids");
        Map<String, Long> cst = keyValues(cpuacct.resolve("cpuacct.stat"));
        Map<String, Long> thr = keyValues(cpu.resolve("cpu.stat"));
        List<Long> percpu = new ArrayList<>();
        for (String s : read(cpuacct.resolve("cpuacct.usage_percpu")).trim().split("\\s+")) if (!s.isEmpty()) percpu.add(Long.parseLong(s));
        long[] host = hostCpu();
        var c = new ContainerStats.Cpu(num(cpuacct.resolve("cpuacct.usage")), List.copyOf(percpu),
                cst.getOrDefault("system", 0L) * NS_PER_TICK, cst.getOrDefault("user", 0L) * NS_PER_TICK, host[0], (int) host[1],
                thr.getOrDefault("nr_periods", 0L), thr.getOrDefault("nr_throttled", 0L), thr.getOrDefault("throttled_time", 0L));
        long limit = num(mem.resolve("memory.limit_in_bytes"));
        if (limit <= 0 || limit >= UNLIMITED) limit = hostMemory();
        var m = new ContainerStats.Memory(num(mem.resolve("memory.usage_in_bytes")), num(mem.resolve("memory.max_usage_in_bytes")),
                limit, num(mem.resolve("memory.failcnt")), keyValues(mem.resolve("memory.stat")));
        String max = read(pids.resolve("pids.max")).trim();
        Long pidsLimit = max.isEmpty() || max.equals("max") ? null : Long.parseLong(max);
        return new ContainerStats(id, name, now, null, num(pids.resolve("pids.current")), pidsLimit, c, ContainerStats.Cpu.EMPTY, m);
    }

    /** Times the OOM killer killed a process of this cgroup (memory.oom_control's oom_kill, kernel 4.13+). */
    long oomKills() {
        return keyValues(dir("memory").resolve("memory.oom_control")).getOrDefault("oom_kill", 0L);
    }

    Set<Integer> pids() {
        Set<Integer> out = new HashSet<>();
        for (String l : read(dir("pids").resolve("cgroup.procs")).split("\n")) if (!l.isBlank()) out.add(Integer.parseInt(l.trim()));
        return out;
    }

    /**
     * Runs the host's ps and keeps the rows whose PID is in the container's cgroup, as Docker does.
     * Rows are split on whitespace into as many columns as there are titles, the last keeping the rest
     * (the command line with its spaces).
     */
    ProcessList top(String psArgs) {
        List<String> cmd = new ArrayList<>(List.of("ps"));
        cmd.addAll(Arrays.asList((psArgs == null || psArgs.isBlank() ? "-ef" : psArgs).trim().split("\\s+")));
        String out;
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0)
                throw new BerthException(BerthException.Kind.INTERNAL, "running ps " + String.join(" ", cmd.subList(1, cmd.size())) + ": " + out.strip());
        } catch (IOException e) {
            throw BerthException.unavailable("running ps: %s", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BerthException(BerthException.Kind.INTERNAL, "running ps: interrupted");
        }
        String[] lines = out.split("\n");
        List<String> titles = Arrays.asList(lines[0].trim().split("\\s+"));
        int pidCol = titles.indexOf("PID");
        if (pidCol < 0) throw BerthException.invalid("Couldn't find PID field in ps output");
        Set<Integer> pids = pids();
        List<List<String>> rows = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) continue;
            String[] f = lines[i].trim().split("\\s+", titles.size());
            if (f.length <= pidCol) continue;
            try {
                if (pids.contains(Integer.parseInt(f[pidCol]))) rows.add(List.of(f));
            } catch (NumberFormatException ignored) { // not a process row
            }
        }
        return new ProcessList(List.copyOf(titles), List.copyOf(rows));
    }

    /** The stored limits with the update's non-null fields laid over them. */
    static HostSpec.Resources merge(HostSpec.Resources old, ContainerUpdate u) {
        HostSpec.Resources o = old == null ? HostSpec.Resources.NONE : old, n = u.resources();
        if (n == null) return o;
        return new HostSpec.Resources(pick(n.memory(), o.memory()), pick(n.memorySwap(), o.memorySwap()),
                pick(n.memoryReservation(), o.memoryReservation()), pick(n.nanoCpus(), o.nanoCpus()), pick(n.cpuShares(), o.cpuShares()),
                pick(n.cpuQuota(), o.cpuQuota()), pick(n.cpuPeriod(), o.cpuPeriod()), pick(n.cpusetCpus(), o.cpusetCpus()),
                pick(n.cpusetMems(), o.cpusetMems()), pick(n.pidsLimit(), o.pidsLimit()), pick(n.blkioWeight(), o.blkioWeight()));
    }

    private static <T> T pick(T n, T o) {
        if (n == null) return o;
        if (n instanceof Number x && x.longValue() == 0) return o; // Docker: 0 means "unchanged"
        if (n instanceof String s && s.isEmpty()) return o;
        return n;
    }

    /** {host CPU time in ns since boot, online CPUs}, from /proc/stat as Docker computes system_cpu_usage. */
    static long[] hostCpu() {
        long total = 0;
        int cpus = 0;
        for (String l : read(Path.of("/proc/stat")).split("\n")) {
            if (l.startsWith("cpu ")) {
                String[] f = l.trim().split("\\s+");
                for (int i = 1; i < Math.min(f.length, 8); i++) total += Long.parseLong(f[i]); // user..softirq, as Docker
            } else if (l.startsWith("cpu")) cpus++;
        }
        return new long[]{total * NS_PER_TICK, cpus};
    }

    static long hostMemory() {
        for (String l : read(Path.of("/proc/meminfo")).split("\n"))
            if (l.startsWith("MemTotal:")) return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
        return 0;
    }

    private static long num(Path p) {
        String s = read(p).trim();
        return s.isEmpty() ? 0 : Long.parseLong(s);
    }

    private static Map<String, Long> keyValues(Path p) {
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
    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }
}
