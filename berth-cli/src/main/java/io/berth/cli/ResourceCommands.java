package io.berth.cli;

import io.berth.api.container.ContainerListOptions;
import io.berth.api.container.ContainerStats;
import io.berth.api.container.ContainerSummary;
import io.berth.api.container.ContainerUpdate;
import io.berth.api.container.HostSpec;
import io.berth.api.container.ProcessList;
import io.berth.client.ContainerClient;
import io.berth.client.DaemonException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** {@code stats}, {@code top} and {@code update}, with docker's flags and output. */
final class ResourceCommands {
    private ResourceCommands() { }

    static final String STATS_TABLE = "{{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";
    static final Map<String, String> STATS_HEADERS = Map.of("ID", "CONTAINER ID", "Container", "CONTAINER", "Name", "NAME",
            "CPUPerc", "CPU %", "MemUsage", "MEM USAGE / LIMIT", "MemPerc", "MEM %", "NetIO", "NET I/O", "BlockIO", "BLOCK I/O", "PIDs", "PIDS");

    static int stats(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " [OPTIONS] [CONTAINER...]", "Display a live stream of container(s) resource usage statistics")
                .bool("all", 'a', "Show all containers (default shows just running)")
                .bool("no-stream", '\0', "Disable streaming stats and only pull the first result")
                .bool("no-trunc", '\0', "Do not truncate output")
                .value("format", '\0', "string", "Format output using a custom template");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        ContainerClient c = cli.client().containers();
        List<String> refs = p.args();
        if (refs.isEmpty()) {
            refs = new ArrayList<>();
            for (ContainerSummary s : c.list(p.bool("all") ? ContainerListOptions.ALL : ContainerListOptions.RUNNING)) refs.add(s.id());
        }
        String format = p.value("format");
        if (format == null || format.isEmpty() || format.equals("table")) format = "table " + STATS_TABLE;
        boolean trunc = !p.bool("no-trunc");
        int status = 0;
        do {
            List<Map<String, Object>> rows = new ArrayList<>();
            // Each sample takes a second (two readings for CPU %): take them side by side.
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<ContainerStats>> fs = new ArrayList<>();
                for (String ref : refs) fs.add(pool.submit(() -> c.stats(ref, false)));
                for (int i = 0; i < fs.size(); i++) {
                    try {
                        rows.add(row(fs.get(i).get(), trunc));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return status;
                    } catch (ExecutionException e) {
                        if (!(e.getCause() instanceof DaemonException d)) throw new CliException(String.valueOf(e.getCause().getMessage()));
                        cli.err.println("Error response from daemon: " + d.getMessage());
                        status = 1;
                    }
                }
            }
            if (!p.bool("no-stream")) cli.out.print("\033[2J\033[H"); // docker redraws the screen
            cli.out.print(Formatter.render(format, STATS_TABLE, rows, STATS_HEADERS));
            cli.out.flush();
        } while (!p.bool("no-stream") && status == 0 && !Thread.currentThread().isInterrupted());
        return status;
    }

    /** docker's numbers: CPU % over the sample's interval scaled to the online CPUs; memory without inactive file cache. */
    static Map<String, Object> row(ContainerStats s, boolean trunc) {
        double cpu = 0;
        long cpuDelta = s.cpu().totalUsage() - s.precpu().totalUsage(), sysDelta = s.cpu().systemUsage() - s.precpu().systemUsage();
        if (s.preread() != null && cpuDelta > 0 && sysDelta > 0) {
            int cpus = s.cpu().onlineCpus() > 0 ? s.cpu().onlineCpus() : Math.max(1, s.cpu().perCpuUsage().size());
            cpu = (double) cpuDelta / sysDelta * cpus * 100.0;
        }
        long inactive = s.memory().stats().getOrDefault("total_inactive_file", 0L);
        long used = s.memory().usage() > inactive ? s.memory().usage() - inactive : s.memory().usage();
        double memPerc = s.memory().limit() > 0 ? (double) used / s.memory().limit() * 100.0 : 0;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ID", trunc ? s.id().substring(0, Math.min(12, s.id().length())) : s.id());
        m.put("Container", trunc ? s.id().substring(0, Math.min(12, s.id().length())) : s.id());
        m.put("Name", s.name());
        m.put("CPUPerc", String.format(java.util.Locale.ROOT, "%.2f%%", cpu));
        m.put("MemUsage", Units.bytesSize(used) + " / " + Units.bytesSize(s.memory().limit()));
        m.put("MemPerc", String.format(java.util.Locale.ROOT, "%.2f%%", memPerc));
        m.put("NetIO", "0B / 0B");
        m.put("BlockIO", "0B / 0B");
        m.put("PIDs", Long.toString(s.pidsCurrent()));
        return m;
    }

    static int top(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " CONTAINER [ps OPTIONS]", "Display the running processes of a container").noInterspersed();
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 1, Integer.MAX_VALUE);
        List<String> a = p.args();
        ProcessList pl = cli.client().containers().top(a.getFirst(), a.size() > 1 ? String.join(" ", a.subList(1, a.size())) : null);
        TabWriter w = new TabWriter(20, 1);
        w.write(String.join("\t", pl.titles()) + "\n");
        for (List<String> r : pl.processes()) w.write(String.join("\t", r) + "\n");
        cli.out.print(w.render());
        return 0;
    }

    static int update(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " [OPTIONS] CONTAINER [CONTAINER...]", "Update configuration of one or more containers")
                .value("memory", 'm', "bytes", "Memory limit")
                .value("memory-swap", '\0', "bytes", "Swap limit equal to memory plus swap: -1 to enable unlimited swap")
                .value("memory-reservation", '\0', "bytes", "Memory soft limit")
                .value("cpus", '\0', "decimal", "Number of CPUs")
                .value("cpu-shares", 'c', "int", "CPU shares (relative weight)")
                .value("cpu-period", '\0', "int", "Limit CPU CFS (Completely Fair Scheduler) period")
                .value("cpu-quota", '\0', "int", "Limit CPU CFS (Completely Fair Scheduler) quota")
                .value("cpuset-cpus", '\0', "string", "CPUs in which to allow execution (0-3, 0,1)")
                .value("cpuset-mems", '\0', "string", "MEMs in which to allow execution (0-3, 0,1)")
                .value("pids-limit", '\0', "int", "Tune container pids limit (set -1 for unlimited)")
                .value("blkio-weight", '\0', "uint16", "Block IO (relative weight), between 10 and 1000, or 0 to disable")
                .value("restart", '\0', "string", "Restart policy to apply when a container exits");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 1, Integer.MAX_VALUE);
        ContainerUpdate u = updateOf(p);
        ContainerClient c = cli.client().containers();
        int status = 0;
        for (String ref : p.args()) {
            try {
                for (String w : c.update(ref, u)) cli.err.println("WARNING: " + w);
                cli.out.println(ref);
            } catch (DaemonException e) {
                cli.err.println("Error response from daemon: " + e.getMessage());
                status = 1;
            }
        }
        return status;
    }

    static ContainerUpdate updateOf(Flags.Parsed p) {
        String swap = p.value("memory-swap");
        HostSpec.Resources r = new HostSpec.Resources(bytes(p.value("memory"), "memory"),
                "-1".equals(swap) ? Long.valueOf(-1) : bytes(swap, "memory-swap"), bytes(p.value("memory-reservation"), "memory-reservation"),
                p.value("cpus") == null ? null : RunFlags.nanoCpus(p.value("cpus")), num(p.value("cpu-shares"), "cpu-shares"),
                num(p.value("cpu-quota"), "cpu-quota"), num(p.value("cpu-period"), "cpu-period"), p.value("cpuset-cpus"),
                p.value("cpuset-mems"), num(p.value("pids-limit"), "pids-limit"),
                p.value("blkio-weight") == null ? null : num(p.value("blkio-weight"), "blkio-weight").intValue());
        String policy = null;
        Integer retries = null;
        if (p.value("restart") != null) {
            String[] rp = RunFlags.restart(p.value("restart"));
            policy = rp[0];
            retries = Integer.parseInt(rp[1]);
        }
        return new ContainerUpdate(r, policy, retries);
    }

    private static Long bytes(String s, String flag) {
        if (s == null || s.isEmpty()) return null;
        try { return RunFlags.ramInBytes(s); }
        catch (NumberFormatException e) { throw new CliException("invalid argument \"" + s + "\" for \"--" + flag + "\" flag: invalid size: '" + s + "'"); }
    }

    private static Long num(String s, String flag) {
        if (s == null || s.isEmpty()) return null;
        try { return Long.parseLong(s); }
        catch (NumberFormatException e) { throw new UsageException("invalid argument \"" + s + "\" for \"--" + flag + "\" flag: strconv.ParseInt: parsing \"" + s + "\": invalid syntax"); }
    }
}
