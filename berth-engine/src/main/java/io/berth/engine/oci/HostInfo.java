package io.berth.engine.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The host facts spec generation depends on, read once and passed in (tests build their own).
 *
 * @param cgroupV2       /sys/fs/cgroup is the unified hierarchy: containers get a cgroup namespace
 * @param swapAccounting the memory controller can limit memory+swap (memsw files / memory.swap.max)
 * @param blkioWeight    the block controller has a weight knob (needs BFQ/CFQ on v1)
 * @param cpus           online CPUs, the ceiling for {@code --cpus}
 * @param capabilities   the capability bounding set of this process: a container can get no more
 * @param hardLimits     this process's hard rlimits by spec name (RLIMIT_NOFILE → 20000), unlimited = -1
 * @param hostname       the host's name, used as the container's under {@code --uts host}-like modes
 */
public record HostInfo(boolean cgroupV2, boolean swapAccounting, boolean blkioWeight, int cpus,
                       Set<String> capabilities, Map<String, Long> hardLimits, String hostname) {

    public HostInfo {
        capabilities = Set.copyOf(capabilities);
        hardLimits = Map.copyOf(hardLimits);
    }

    /** The hard limit for an rlimit type, or -1 (unlimited) when unknown. */
    public long hardLimit(String type) { return hardLimits.getOrDefault(type, -1L); }

    public HostInfo withHardLimits(Map<String, Long> l) { return new HostInfo(cgroupV2, swapAccounting, blkioWeight, cpus, capabilities, l, hostname); }
    public HostInfo withCapabilities(Set<String> c) { return new HostInfo(cgroupV2, swapAccounting, blkioWeight, cpus, c, hardLimits, hostname); }
    public HostInfo withCgroupV2(boolean v2) { return new HostInfo(v2, swapAccounting, blkioWeight, cpus, capabilities, hardLimits, hostname); }

    /** Reads this host and this process. */
    public static HostInfo detect() {
        Path cg = Path.of("/sys/fs/cgroup");
        boolean v2 = Files.exists(cg.resolve("cgroup.controllers"));
        boolean swap = v2 ? hasSwapMaxAnywhere(cg) : Files.exists(cg.resolve("memory/memory.memsw.limit_in_bytes"));
        boolean blkio = v2 ? Files.exists(cg.resolve("io.bfq.weight")) || controllersInclude(cg, "io")
                : Files.exists(cg.resolve("blkio/blkio.weight")) || Files.exists(cg.resolve("blkio/blkio.bfq.weight"));
        String hostname;
        try {
            hostname = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            hostname = "localhost";
        }
        return new HostInfo(v2, swap, blkio, Runtime.getRuntime().availableProcessors(),
                boundingSet(), readHardLimits(Path.of("/proc/self/limits")), hostname);
    }

    private static boolean hasSwapMaxAnywhere(Path cg) {
        // memory.swap.max exists only in child cgroups; the root shows swap support via the controller list.
        return controllersInclude(cg, "memory") && Files.exists(Path.of("/proc/swaps"));
    }

    private static boolean controllersInclude(Path cg, String controller) {
        try {
            return List.of(Files.readString(cg.resolve("cgroup.controllers")).strip().split("\\s+")).contains(controller);
        } catch (IOException e) {
            return false;
        }
    }

    /** The names of the capabilities in this process's bounding set (CapBnd in /proc/self/status). */
    static Set<String> boundingSet() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapBnd:")) return Caps.fromMask(Long.parseUnsignedLong(line.substring(7).strip(), 16));
            }
        } catch (IOException | RuntimeException e) {
            // fall through: assume everything Berth knows
        }
        return new LinkedHashSet<>(Caps.ALL);
    }

    /**
     * Parses the kernel's /proc/PID/limits table. Reading it rather than calling getrlimit(2) gives
     * all limits in one read and needs no native binding; the column positions are fixed by the
     * kernel's format string ("%-25s %-20s %-20s %-10s").
     */
    static Map<String, Long> readHardLimits(Path limits) {
        Map<String, Long> out = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(limits)) {
                String name = line.length() > 25 ? line.substring(0, 25).strip() : "";
                String type = LIMIT_NAMES.get(name);
                if (type == null || line.length() < 67) continue;
                String hard = line.substring(46, 67).strip();
                out.put(type, "unlimited".equals(hard) ? -1L : Long.parseLong(hard));
            }
        } catch (IOException | RuntimeException e) {
            // unknown limits are treated as unlimited; runc will report the real error if any
        }
        return out;
    }

    private static final Map<String, String> LIMIT_NAMES = Map.ofEntries(
            Map.entry("Max cpu time", "RLIMIT_CPU"), Map.entry("Max file size", "RLIMIT_FSIZE"),
            Map.entry("Max data size", "RLIMIT_DATA"), Map.entry("Max stack size", "RLIMIT_STACK"),
            Map.entry("Max core file size", "RLIMIT_CORE"), Map.entry("Max resident set", "RLIMIT_RSS"),
            Map.entry("Max processes", "RLIMIT_NPROC"), Map.entry("Max open files", "RLIMIT_NOFILE"),
            Map.entry("Max locked memory", "RLIMIT_MEMLOCK"), Map.entry("Max address space", "RLIMIT_AS"),
            Map.entry("Max file locks", "RLIMIT_LOCKS"), Map.entry("Max pending signals", "RLIMIT_SIGPENDING"),
            Map.entry("Max msgqueue size", "RLIMIT_MSGQUEUE"), Map.entry("Max nice priority", "RLIMIT_NICE"),
            Map.entry("Max realtime priority", "RLIMIT_RTPRIO"), Map.entry("Max realtime timeout", "RLIMIT_RTTIME"));
}
