package io.berth.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.api.container.ContainerDetails;
import io.berth.api.container.ContainerSpec;
import io.berth.api.container.ContainerState;
import io.berth.api.container.ContainerSummary;
import io.berth.api.container.ExecDetails;
import io.berth.api.container.ExecSpec;
import io.berth.api.container.HostSpec;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place the client translates containers between Berth's records and Docker's JSON:
 * the create body (Config + HostConfig as the docker CLI sends it), inspect, list and exec
 * inspect back into records.
 */
final class ContainerJson {
    private ContainerJson() { }

    /** {@code POST /containers/create}: the fields the docker CLI sends, nulls where it sends null. */
    static ObjectNode createBody(ContainerSpec s, boolean attachOutput) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("Hostname", s.hostname() == null ? "" : s.hostname());
        n.put("Domainname", "");
        n.put("User", s.user() == null ? "" : s.user());
        n.put("AttachStdin", s.openStdin() && attachOutput);
        n.put("AttachStdout", attachOutput);
        n.put("AttachStderr", attachOutput);
        n.put("Tty", s.tty());
        n.put("OpenStdin", s.openStdin());
        n.put("StdinOnce", s.stdinOnce());
        strings(n, "Env", s.env());
        strings(n, "Cmd", s.cmd());
        n.put("Image", s.image());
        n.put("WorkingDir", s.workingDir() == null ? "" : s.workingDir());
        strings(n, "Entrypoint", s.entrypoint());
        map(n.putObject("Labels"), s.labels());
        if (s.stopSignal() != null) n.put("StopSignal", s.stopSignal());
        if (s.stopTimeout() != null) n.put("StopTimeout", s.stopTimeout());
        hostConfig(n.putObject("HostConfig"), s.host() == null ? HostSpec.DEFAULT : s.host());
        NetworkWire.createBody(n, s); // ports, DNS, endpoints
        return n;
    }

    private static void hostConfig(ObjectNode h, HostSpec hs) {
        strings(h, "Binds", hs.binds() == null || hs.binds().isEmpty() ? null : hs.binds());
        h.put("NetworkMode", hs.networkMode() == null ? "default" : hs.networkMode());
        h.putObject("PortBindings");
        h.putObject("RestartPolicy").put("Name", hs.restartPolicy() == null ? "no" : hs.restartPolicy())
                .put("MaximumRetryCount", hs.restartMaxRetries());
        h.put("AutoRemove", hs.autoRemove());
        strings(h, "CapAdd", empty(hs.capAdd()));
        strings(h, "CapDrop", empty(hs.capDrop()));
        strings(h, "GroupAdd", empty(hs.groupAdd()));
        h.put("IpcMode", nz(hs.ipcMode()));
        h.put("PidMode", nz(hs.pidMode()));
        h.put("UTSMode", nz(hs.utsMode()));
        if (hs.oomScoreAdj() != null) h.put("OomScoreAdj", hs.oomScoreAdj());
        h.put("Privileged", hs.privileged());
        h.put("ReadonlyRootfs", hs.readOnlyRootfs());
        strings(h, "SecurityOpt", empty(hs.securityOpt()));
        if (hs.tmpfs() != null && !hs.tmpfs().isEmpty()) map(h.putObject("Tmpfs"), hs.tmpfs());
        if (hs.sysctls() != null && !hs.sysctls().isEmpty()) map(h.putObject("Sysctls"), hs.sysctls());
        if (hs.shmSize() != null) h.put("ShmSize", hs.shmSize());
        if (hs.runtime() != null) h.put("Runtime", hs.runtime());
        ArrayNode cs = h.putArray("ConsoleSize");
        List<Integer> size = hs.consoleSize() == null ? List.of(0, 0) : hs.consoleSize();
        size.forEach(cs::add);
        HostSpec.Resources r = hs.resources() == null ? HostSpec.Resources.NONE : hs.resources();
        putLong(h, "Memory", r.memory());
        putLong(h, "MemorySwap", r.memorySwap());
        putLong(h, "MemoryReservation", r.memoryReservation());
        putLong(h, "NanoCpus", r.nanoCpus());
        putLong(h, "CpuShares", r.cpuShares());
        putLong(h, "CpuQuota", r.cpuQuota());
        putLong(h, "CpuPeriod", r.cpuPeriod());
        h.put("CpusetCpus", nz(r.cpusetCpus()));
        h.put("CpusetMems", nz(r.cpusetMems()));
        putLong(h, "PidsLimit", r.pidsLimit());
        if (r.blkioWeight() != null) h.put("BlkioWeight", r.blkioWeight());
        if (hs.ulimits() != null && !hs.ulimits().isEmpty()) {
            ArrayNode u = h.putArray("Ulimits");
            for (HostSpec.Ulimit l : hs.ulimits()) u.addObject().put("Name", l.name()).put("Hard", l.hard()).put("Soft", l.soft());
        }
        if (hs.mounts() != null && !hs.mounts().isEmpty()) {
            ArrayNode m = h.putArray("Mounts");
            for (HostSpec.MountSpec ms : hs.mounts()) {
                ObjectNode o = m.addObject().put("Type", ms.type());
                if (ms.source() != null) o.put("Source", ms.source());
                o.put("Target", ms.target());
                if (ms.readOnly()) o.put("ReadOnly", true);
                if (ms.propagation() != null) o.putObject("BindOptions").put("Propagation", ms.propagation());
                if (ms.noCopy()) o.putObject("VolumeOptions").put("NoCopy", true);
            }
        }
        if (hs.init() != null) h.put("Init", hs.init());
    }

    // ------------------------------------------------------------------ back into records

    static ContainerDetails details(JsonNode n) {
        JsonNode c = n.path("Config"), st = n.path("State");
        ContainerState state = state(st);
        ContainerSpec spec = new ContainerSpec(trimSlash(BerthClient.text(n, "Name")), BerthClient.text(c, "Image"),
                listOrNull(c.get("Cmd")), listOrNull(c.get("Entrypoint")), listOrNull(c.get("Env")), emptyToNull(BerthClient.text(c, "WorkingDir")),
                emptyToNull(BerthClient.text(c, "User")), emptyToNull(BerthClient.text(c, "Hostname")), strMap(c.path("Labels")),
                c.path("Tty").asBoolean(), c.path("OpenStdin").asBoolean(), c.path("StdinOnce").asBoolean(),
                emptyToNull(BerthClient.text(c, "StopSignal")), c.hasNonNull("StopTimeout") ? c.get("StopTimeout").asInt() : null,
                host(n.path("HostConfig")));
        List<String> execIds = n.path("ExecIDs").isArray() ? BerthClient.strings(n.path("ExecIDs")) : List.of();
        return new ContainerDetails(n.path("Id").asText(), trimSlash(BerthClient.text(n, "Name")), BerthClient.instant(BerthClient.text(n, "Created")),
                BerthClient.text(n, "Image"), BerthClient.text(c, "Image"), BerthClient.text(n, "Path"),
                n.path("Args").isArray() ? BerthClient.strings(n.path("Args")) : List.of(), state, spec,
                c.path("Env").isArray() ? BerthClient.strings(c.path("Env")) : List.of(), BerthClient.text(c, "WorkingDir"),
                BerthClient.text(c, "User"), n.path("GraphDriver").path("Data").path("MergedDir").asText(null),
                emptyToNull(BerthClient.text(n, "LogPath")), strMap(c.path("Labels")), execIds, BerthClient.text(n, "Driver"));
    }

    static ContainerState state(JsonNode st) {
        ContainerState.Status status = status(st.path("Status").asText("created"));
        return new ContainerState(status, st.path("Pid").asInt(), st.path("ExitCode").asInt(), emptyToNull(st.path("Error").asText("")),
                st.path("OOMKilled").asBoolean(), BerthClient.instant(BerthClient.text(st, "StartedAt")),
                BerthClient.instant(BerthClient.text(st, "FinishedAt")), st.path("RestartCount").asInt());
    }

    static ContainerState.Status status(String word) {
        for (ContainerState.Status s : ContainerState.Status.values()) if (s.word().equals(word)) return s;
        return ContainerState.Status.DEAD;
    }

    static HostSpec host(JsonNode h) {
        List<HostSpec.MountSpec> mounts = new ArrayList<>();
        for (JsonNode m : h.path("Mounts")) mounts.add(new HostSpec.MountSpec(m.path("Type").asText(), BerthClient.text(m, "Source"),
                BerthClient.text(m, "Target"), m.path("ReadOnly").asBoolean(), BerthClient.text(m.path("BindOptions"), "Propagation"),
                m.path("VolumeOptions").path("NoCopy").asBoolean(false)));
        List<HostSpec.Ulimit> ulimits = new ArrayList<>();
        for (JsonNode u : h.path("Ulimits")) ulimits.add(new HostSpec.Ulimit(u.path("Name").asText(), u.path("Soft").asLong(), u.path("Hard").asLong()));
        HostSpec.Resources r = new HostSpec.Resources(lng(h, "Memory"), lng(h, "MemorySwap"), lng(h, "MemoryReservation"), lng(h, "NanoCpus"),
                lng(h, "CpuShares"), lng(h, "CpuQuota"), lng(h, "CpuPeriod"), emptyToNull(BerthClient.text(h, "CpusetCpus")),
                emptyToNull(BerthClient.text(h, "CpusetMems")), lng(h, "PidsLimit"), h.hasNonNull("BlkioWeight") && h.get("BlkioWeight").asInt() != 0 ? h.get("BlkioWeight").asInt() : null);
        List<Integer> console = null;
        if (h.path("ConsoleSize").isArray()) { console = new ArrayList<>(); for (JsonNode x : h.path("ConsoleSize")) console.add(x.asInt()); }
        return new HostSpec(h.path("Binds").isArray() ? BerthClient.strings(h.path("Binds")) : List.of(), List.copyOf(mounts),
                strMap(h.path("Tmpfs")), emptyToNull(BerthClient.text(h, "NetworkMode")), h.path("AutoRemove").asBoolean(),
                h.path("Privileged").asBoolean(), strs(h.path("CapAdd")), strs(h.path("CapDrop")), strs(h.path("SecurityOpt")),
                h.path("ReadonlyRootfs").asBoolean(), h.hasNonNull("Init") ? h.get("Init").asBoolean() : null, List.copyOf(ulimits),
                lng(h, "ShmSize"), h.path("RestartPolicy").path("Name").asText("no").isEmpty() ? "no" : h.path("RestartPolicy").path("Name").asText("no"),
                h.path("RestartPolicy").path("MaximumRetryCount").asInt(), r, emptyToNull(BerthClient.text(h, "Runtime")),
                strs(h.path("GroupAdd")), strMap(h.path("Sysctls")), h.hasNonNull("OomScoreAdj") ? h.get("OomScoreAdj").asInt() : null,
                emptyToNull(BerthClient.text(h, "PidMode")), emptyToNull(BerthClient.text(h, "IpcMode")), emptyToNull(BerthClient.text(h, "UTSMode")),
                console);
    }

    static ContainerSummary summary(JsonNode i) {
        return new ContainerSummary(i.path("Id").asText(), strs(i.path("Names")), BerthClient.text(i, "Image"), BerthClient.text(i, "ImageID"),
                i.path("Command").asText(""), Instant.ofEpochSecond(i.path("Created").asLong()), status(i.path("State").asText("created")),
                i.path("Status").asText(""), strMap(i.path("Labels")));
    }

    static ExecDetails exec(JsonNode n) {
        JsonNode p = n.path("ProcessConfig");
        List<String> cmd = new ArrayList<>();
        if (p.hasNonNull("entrypoint")) cmd.add(p.get("entrypoint").asText());
        p.path("arguments").forEach(a -> cmd.add(a.asText()));
        ExecSpec spec = new ExecSpec(List.copyOf(cmd), List.of(), emptyToNull(BerthClient.text(p, "user")), null, p.path("tty").asBoolean(),
                n.path("OpenStdin").asBoolean(), n.path("OpenStdout").asBoolean(), n.path("OpenStderr").asBoolean(),
                p.path("privileged").asBoolean(), null);
        return new ExecDetails(n.path("ID").asText(), n.path("ContainerID").asText(), n.path("Running").asBoolean(),
                n.hasNonNull("ExitCode") && !n.path("Running").asBoolean() ? n.get("ExitCode").asInt() : null, n.path("Pid").asInt(), spec,
                n.path("OpenStdin").asBoolean());
    }

    // ------------------------------------------------------------------ helpers

    private static void strings(ObjectNode n, String field, List<String> values) {
        if (values == null) { n.putNull(field); return; }
        ArrayNode a = n.putArray(field);
        values.forEach(a::add);
    }

    private static void map(ObjectNode n, Map<String, String> m) { if (m != null) m.forEach(n::put); }

    private static void putLong(ObjectNode n, String field, Long v) { if (v != null) n.put(field, v); }

    private static List<String> empty(List<String> l) { return l == null || l.isEmpty() ? null : l; }

    private static String nz(String s) { return s == null ? "" : s; }

    private static String emptyToNull(String s) { return s == null || s.isEmpty() ? null : s; }

    private static String trimSlash(String s) { return s != null && s.startsWith("/") ? s.substring(1) : s; }

    private static List<String> listOrNull(JsonNode n) { return n == null || !n.isArray() ? null : BerthClient.strings(n); }

    private static List<String> strs(JsonNode n) { return n.isArray() ? BerthClient.strings(n) : List.of(); }

    private static Long lng(JsonNode n, String f) { return n.hasNonNull(f) && n.get(f).asLong() != 0 ? n.get(f).asLong() : null; }

    private static Map<String, String> strMap(JsonNode n) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) m.put(e.getKey(), e.getValue().asText());
        return m;
    }
}
