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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A running container's cgroup, read for {@code stats}, {@code top}, the OOM verdict and to check
 * limits after {@code update} (runc itself writes them, in either hierarchy). Two layouts:
 * {@link CgroupV1} (a hierarchy per controller, this host's hybrid setup) and {@link CgroupV2} (the
 * unified tree), chosen by {@link #of} from the host. The path is the spec's
 * {@code linux.cgroupsPath}. A missing file reads as empty, so a stopped container or an absent
 * controller shows zeros rather than an error.
 *
 * <pre>{@code
 * Cgroups cg = Cgroups.of("/berth/" + id);
 * ContainerStats s = cg.sample(id, name);   // precpu empty: see ContainerStats#withPrevious
 * }</pre>
 */
sealed interface Cgroups permits CgroupV1, CgroupV2 {
    /** USER_HZ: cpuacct.stat (and /proc/stat) count in ticks of 10 ms on every Linux Docker supports. */
    long NS_PER_TICK = 10_000_000L;
    Path MOUNT = Path.of("/sys/fs/cgroup");

    /** One sample (precpu left empty: see {@link ContainerStats#withPrevious}). */
    ContainerStats sample(String id, String name);

    /** Times the OOM killer killed a process of this cgroup. */
    long oomKills();

    /** The pids in the cgroup (cgroup.procs). */
    Set<Integer> pids();

    /** The limits in force; null where there is none. */
    Limits limits();

    /** Bytes read and written by the cgroup's block I/O, over all devices. */
    IoBytes io();

    /**
     * @param memory   bytes; null = unlimited
     * @param cpuQuota CFS quota in µs per {@code cpuPeriod}; null = unlimited
     * @param pids     pids.max; null = unlimited
     */
    record Limits(Long memory, Long cpuQuota, long cpuPeriod, Long pids) {}

    record IoBytes(long read, long written) {}

    /** The container's cgroup on this host: unified when /sys/fs/cgroup is a cgroup2 mount. */
    static Cgroups of(String cgroupsPath) { return of(MOUNT, cgroupsPath); }

    /**
     * The cgroup {@code cgroupsPath} under the mount {@code root}: the v2 layout when {@code root}
     * has cgroup.controllers (only the root of a cgroup2 mount does), else v1.
     */
    static Cgroups of(Path root, String cgroupsPath) {
        return Files.exists(root.resolve("cgroup.controllers")) ? new CgroupV2(root, cgroupsPath) : new CgroupV1(root, cgroupsPath);
    }

    /** "max" (or nothing) as null, a number as itself: pids.max, memory.max. */
    static Long limit(String text) {
        String t = text.trim();
        return t.isEmpty() || t.equals("max") ? null : Long.parseLong(t);
    }

    /**
     * Runs the host's ps and keeps the rows whose PID is in the container's cgroup, as Docker does.
     * Rows are split on whitespace into as many columns as there are titles, the last keeping the rest
     * (the command line with its spaces).
     */
    default ProcessList top(String psArgs) {
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
        for (String l : CgroupV1.read(Path.of("/proc/stat")).split("\n")) {
            if (l.startsWith("cpu ")) {
                String[] f = l.trim().split("\\s+");
                for (int i = 1; i < Math.min(f.length, 8); i++) total += Long.parseLong(f[i]); // user..softirq, as Docker
            } else if (l.startsWith("cpu")) cpus++;
        }
        return new long[]{total * NS_PER_TICK, cpus};
    }

    static long hostMemory() {
        for (String l : CgroupV1.read(Path.of("/proc/meminfo")).split("\n"))
            if (l.startsWith("MemTotal:")) return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
        return 0;
    }
}
