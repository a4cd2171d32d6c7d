package io.berth.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.api.container.ContainerStats;
import io.berth.api.container.ContainerUpdate;
import io.berth.api.container.HostSpec;
import io.berth.api.container.ProcessList;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Docker's stats and top JSON read into the API records, and the update body written from one. */
final class ResourceJson {
    private ResourceJson() {}

    static ContainerStats stats(JsonNode n) {
        JsonNode m = n.path("memory_stats");
        Map<String, Long> st = new LinkedHashMap<>();
        m.path("stats").properties().forEach(e -> st.put(e.getKey(), e.getValue().asLong()));
        String name = n.path("name").asText("");
        JsonNode pl = n.path("pids_stats").path("limit");
        return new ContainerStats(n.path("id").asText(), name.startsWith("/") ? name.substring(1) : name, time(n.path("read")),
                time(n.path("preread")), n.path("pids_stats").path("current").asLong(), pl.isNumber() ? pl.asLong() : null,
                cpu(n.path("cpu_stats")), cpu(n.path("precpu_stats")),
                new ContainerStats.Memory(m.path("usage").asLong(), m.path("max_usage").asLong(), m.path("limit").asLong(),
                        m.path("failcnt").asLong(), st));
    }

    private static ContainerStats.Cpu cpu(JsonNode c) {
        JsonNode u = c.path("cpu_usage"), t = c.path("throttling_data");
        List<Long> per = new ArrayList<>();
        u.path("percpu_usage").forEach(x -> per.add(x.asLong()));
        return new ContainerStats.Cpu(u.path("total_usage").asLong(), List.copyOf(per), u.path("usage_in_kernelmode").asLong(),
                u.path("usage_in_usermode").asLong(), c.path("system_cpu_usage").asLong(), c.path("online_cpus").asInt(),
                t.path("periods").asLong(), t.path("throttled_periods").asLong(), t.path("throttled_time").asLong());
    }

    /** Docker's zero time ("0001-01-01T00:00:00Z") means none. */
    private static Instant time(JsonNode n) {
        if (!n.isTextual() || n.asText().startsWith("0001-")) return null;
        return Instant.parse(n.asText());
    }

    static ProcessList top(JsonNode n) {
        List<List<String>> rows = new ArrayList<>();
        n.path("Processes").forEach(r -> rows.add(BerthClient.strings(r)));
        return new ProcessList(BerthClient.strings(n.path("Titles")), List.copyOf(rows));
    }

    static ObjectNode updateBody(ContainerUpdate u) {
        ObjectNode b = Json.mapper().createObjectNode();
        HostSpec.Resources r = u.resources() == null ? HostSpec.Resources.NONE : u.resources();
        put(b, "Memory", r.memory());
        put(b, "MemorySwap", r.memorySwap());
        put(b, "MemoryReservation", r.memoryReservation());
        put(b, "NanoCpus", r.nanoCpus());
        put(b, "CpuShares", r.cpuShares());
        put(b, "CpuQuota", r.cpuQuota());
        put(b, "CpuPeriod", r.cpuPeriod());
        if (r.cpusetCpus() != null) b.put("CpusetCpus", r.cpusetCpus());
        if (r.cpusetMems() != null) b.put("CpusetMems", r.cpusetMems());
        put(b, "PidsLimit", r.pidsLimit());
        if (r.blkioWeight() != null) b.put("BlkioWeight", r.blkioWeight());
        if (u.restartPolicy() != null) {
            ObjectNode p = b.putObject("RestartPolicy").put("Name", u.restartPolicy());
            if (u.restartMaxRetries() != null) p.put("MaximumRetryCount", u.restartMaxRetries());
        }
        return b;
    }

    private static void put(ObjectNode n, String f, Long v) { if (v != null) n.put(f, v); }
}
