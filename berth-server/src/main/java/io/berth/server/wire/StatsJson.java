package io.berth.server.wire;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.api.container.ContainerStats;
import io.berth.api.container.ContainerUpdate;
import io.berth.api.container.HostSpec;
import io.berth.api.container.ProcessList;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Docker's JSON for {@code stats} (cgroup v1 shape, lower-case keys), {@code top} and the {@code update} body. */
public final class StatsJson {
    private static final String ZERO_TIME = "0001-01-01T00:00:00Z";
    private static final List<String> BLKIO = List.of("io_service_bytes_recursive", "io_serviced_recursive", "io_queue_recursive",
            "io_service_time_recursive", "io_wait_time_recursive", "io_merged_recursive", "io_time_recursive", "sectors_recursive");

    private StatsJson() {}

    /** {@code networks} is left out: Berth containers have network none or host (Docker omits it for none). */
    public static Map<String, Object> stats(ContainerStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("read", time(s.read()));
        m.put("preread", time(s.preread()));
        Map<String, Object> pids = new LinkedHashMap<>();
        pids.put("current", s.pidsCurrent());
        if (s.pidsLimit() != null) pids.put("limit", s.pidsLimit());
        m.put("pids_stats", pids);
        Map<String, Object> blkio = new LinkedHashMap<>();
        for (String k : BLKIO) blkio.put(k, List.of());
        m.put("blkio_stats", blkio);
        m.put("num_procs", 0);
        m.put("storage_stats", Map.of());
        m.put("cpu_stats", cpu(s.cpu()));
        m.put("precpu_stats", cpu(s.precpu()));
        Map<String, Object> mem = new LinkedHashMap<>();
        mem.put("usage", s.memory().usage());
        mem.put("max_usage", s.memory().maxUsage());
        mem.put("stats", s.memory().stats());
        if (s.memory().failcnt() > 0) mem.put("failcnt", s.memory().failcnt());
        mem.put("limit", s.memory().limit());
        m.put("memory_stats", mem);
        m.put("name", "/" + s.name());
        m.put("id", s.id());
        return m;
    }

    private static Map<String, Object> cpu(ContainerStats.Cpu c) {
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("total_usage", c.totalUsage());
        if (!c.perCpuUsage().isEmpty()) usage.put("percpu_usage", c.perCpuUsage());
        usage.put("usage_in_kernelmode", c.kernelUsage());
        usage.put("usage_in_usermode", c.userUsage());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu_usage", usage);
        if (c.systemUsage() > 0) m.put("system_cpu_usage", c.systemUsage());
        if (c.onlineCpus() > 0) m.put("online_cpus", c.onlineCpus());
        m.put("throttling_data", Map.of("periods", c.throttlingPeriods(), "throttled_periods", c.throttledPeriods(),
                "throttled_time", c.throttledTime()));
        return m;
    }

    public static Map<String, Object> top(ProcessList p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Titles", p.titles());
        m.put("Processes", p.processes());
        return m;
    }

    /** The body of POST /containers/{id}/update: Docker's Resources fields plus RestartPolicy. */
    public static ContainerUpdate update(JsonNode b) {
        HostSpec.Resources res = new HostSpec.Resources(ContainerJson.lng(b, "Memory"), ContainerJson.lng(b, "MemorySwap"),
                ContainerJson.lng(b, "MemoryReservation"), ContainerJson.lng(b, "NanoCpus"), ContainerJson.lng(b, "CpuShares"),
                ContainerJson.lng(b, "CpuQuota"), ContainerJson.lng(b, "CpuPeriod"), ContainerJson.str(b, "CpusetCpus"),
                ContainerJson.str(b, "CpusetMems"), ContainerJson.lng(b, "PidsLimit"), ContainerJson.integer(b, "BlkioWeight"));
        JsonNode rp = b.path("RestartPolicy");
        String policy = ContainerJson.str(rp, "Name");
        return new ContainerUpdate(res, policy == null || policy.isEmpty() ? null : policy,
                rp.has("MaximumRetryCount") ? rp.path("MaximumRetryCount").asInt() : null);
    }

    private static String time(Instant t) { return t == null ? ZERO_TIME : t.toString(); }
}
