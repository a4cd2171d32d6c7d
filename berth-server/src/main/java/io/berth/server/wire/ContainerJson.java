package io.berth.server.wire;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.api.BerthException;
import io.berth.api.container.ContainerDetails;
import io.berth.api.container.ContainerSpec;
import io.berth.api.container.ContainerState;
import io.berth.api.container.ContainerSummary;
import io.berth.api.container.ExecDetails;
import io.berth.api.container.ExecSpec;
import io.berth.api.container.HostSpec;
import io.berth.api.container.WaitResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Docker's container JSON: the create and exec-create bodies in, inspect, list, exec inspect and
 * wait out. Bodies are read as trees because clients differ: docker-java sends nearly every field
 * as null, the CLI sends empty strings; both mean "not given". Unknown fields are ignored.
 */
public final class ContainerJson {
    private ContainerJson() {}

    // ---- requests

    /** {@code POST /containers/create} body → spec; {@code name} from the query (may be null). */
    public static ContainerSpec createSpec(JsonNode b, String name) {
        if (b == null || !b.isObject()) throw BerthException.invalid("creating a container: the body must be a JSON object");
        String image = str(b, "Image");
        if (image == null) throw BerthException.invalid("creating a container: no image given (Config.Image is empty)");
        JsonNode h = b.path("HostConfig");
        HostSpec host = h.isObject() ? hostSpec(h) : HostSpec.DEFAULT;
        return VolumeJson.withConfigVolumes(b, new ContainerSpec(name == null || name.isEmpty() ? null : name, image, strs(b, "Cmd"), strs(b, "Entrypoint"),
                strs(b, "Env"), str(b, "WorkingDir"), str(b, "User"), str(b, "Hostname"), strMap(b, "Labels"),
                bool(b, "Tty"), bool(b, "OpenStdin"), bool(b, "StdinOnce"), str(b, "StopSignal"), integer(b, "StopTimeout"), host));
    }

    static HostSpec hostSpec(JsonNode h) {
        List<HostSpec.MountSpec> mounts = new ArrayList<>();
        for (JsonNode m : h.path("Mounts")) {
            mounts.add(new HostSpec.MountSpec(lower(str(m, "Type")), str(m, "Source"), str(m, "Target"), bool(m, "ReadOnly"),
                    str(m.path("BindOptions"), "Propagation"), m.path("VolumeOptions").path("NoCopy").asBoolean(false)));
        }
        List<HostSpec.Ulimit> ulimits = new ArrayList<>();
        for (JsonNode u : h.path("Ulimits")) ulimits.add(new HostSpec.Ulimit(str(u, "Name"), u.path("Soft").asLong(), u.path("Hard").asLong()));
        JsonNode rp = h.path("RestartPolicy");
        String policy = str(rp, "Name");
        HostSpec.Resources res = new HostSpec.Resources(lng(h, "Memory"), lng(h, "MemorySwap"), lng(h, "MemoryReservation"),
                lng(h, "NanoCpus"), lng(h, "CpuShares"), lng(h, "CpuQuota"), lng(h, "CpuPeriod"), str(h, "CpusetCpus"),
                str(h, "CpusetMems"), lng(h, "PidsLimit"), integer(h, "BlkioWeight"));
        List<Integer> console = null;
        if (h.path("ConsoleSize").isArray() && h.path("ConsoleSize").size() == 2) {
            int rows = h.path("ConsoleSize").get(0).asInt(), cols = h.path("ConsoleSize").get(1).asInt();
            if (rows > 0 || cols > 0) console = List.of(rows, cols);
        }
        return new HostSpec(orEmpty(strs(h, "Binds")), mounts, strMap(h, "Tmpfs"), str(h, "NetworkMode"), bool(h, "AutoRemove"),
                bool(h, "Privileged"), orEmpty(strs(h, "CapAdd")), orEmpty(strs(h, "CapDrop")), orEmpty(strs(h, "SecurityOpt")),
                bool(h, "ReadonlyRootfs"), h.path("Init").isBoolean() ? h.path("Init").asBoolean() : null, ulimits,
                positive(lng(h, "ShmSize")), policy == null ? "no" : policy, rp.path("MaximumRetryCount").asInt(0), res,
                str(h, "Runtime"), orEmpty(strs(h, "GroupAdd")), strMap(h, "Sysctls"), integer(h, "OomScoreAdj"),
                str(h, "PidMode"), str(h, "IpcMode"), str(h, "UTSMode"), console);
    }

    /** {@code POST /containers/{id}/exec} body → spec. */
    public static ExecSpec execSpec(JsonNode b) {
        if (b == null || !b.isObject()) throw BerthException.invalid("creating an exec: the body must be a JSON object");
        List<String> cmd = strs(b, "Cmd");
        if (cmd == null || cmd.isEmpty()) throw BerthException.invalid("No exec command specified");
        List<Integer> console = null;
        if (b.path("ConsoleSize").isArray() && b.path("ConsoleSize").size() == 2)
            console = List.of(b.path("ConsoleSize").get(0).asInt(), b.path("ConsoleSize").get(1).asInt());
        return new ExecSpec(cmd, orEmpty(strs(b, "Env")), str(b, "User"), str(b, "WorkingDir"), bool(b, "Tty"),
                bool(b, "AttachStdin"), bool(b, "AttachStdout"), bool(b, "AttachStderr"), bool(b, "Privileged"), console);
    }

    // ---- responses

    public static Map<String, Object> created(String id, List<String> warnings) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", id);
        m.put("Warnings", warnings == null ? List.of() : warnings);
        return m;
    }

    /** {@code GET /containers/json} row. */
    public static Map<String, Object> summary(ContainerSummary s, String networkMode) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", s.id());
        m.put("Names", s.names().stream().map(n -> n.startsWith("/") ? n : "/" + n).toList());
        m.put("Image", s.image());
        m.put("ImageID", s.imageId());
        m.put("Command", s.command());
        m.put("Created", WireTime.unix(s.created()));
        m.put("Ports", List.of());
        m.put("Labels", s.labels() == null ? Map.of() : s.labels());
        m.put("State", s.state().word());
        m.put("Status", s.status());
        m.put("HostConfig", Map.of("NetworkMode", networkMode));
        m.put("NetworkSettings", Map.of("Networks", Map.of()));
        m.put("Mounts", VolumeJson.mounts(s.mounts()));
        return m;
    }

    /** {@code GET /containers/{id}/json}, keys in Docker's order. */
    public static Map<String, Object> inspect(ContainerDetails d) {
        ContainerSpec spec = d.spec();
        HostSpec host = spec.host() == null ? HostSpec.DEFAULT : spec.host();
        ContainerState st = d.state();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", d.id());
        m.put("Created", WireTime.rfc3339Nano(d.created()));
        m.put("Path", d.path());
        m.put("Args", d.args() == null ? List.of() : d.args());
        m.put("State", state(st));
        m.put("Image", d.imageId());
        m.put("ResolvConfPath", "");
        m.put("HostnamePath", "");
        m.put("HostsPath", "");
        m.put("LogPath", d.logPath() == null ? "" : d.logPath());
        m.put("Name", "/" + d.name());
        m.put("RestartCount", st.restartCount());
        m.put("Driver", d.driver() == null ? "overlay" : d.driver());
        m.put("Platform", "linux");
        m.put("MountLabel", "");
        m.put("ProcessLabel", "");
        m.put("AppArmorProfile", "");
        m.put("ExecIDs", d.execIds() == null || d.execIds().isEmpty() ? null : d.execIds());
        m.put("HostConfig", hostConfig(host));
        m.put("GraphDriver", Map.of("Name", d.driver() == null ? "overlay" : d.driver(), "Data", Map.of()));
        m.put("Mounts", VolumeJson.mounts(d.mounts()));
        m.put("Config", config(d, spec));
        m.put("NetworkSettings", networkSettings());
        NetworkJson.fillInspect(m, d); // ports, DNS, endpoints: networking's own class
        return m;
    }

    static Map<String, Object> state(ContainerState st) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Status", st.status().word());
        m.put("Running", st.running());
        m.put("Paused", st.status() == ContainerState.Status.PAUSED);
        m.put("Restarting", st.status() == ContainerState.Status.RESTARTING);
        m.put("OOMKilled", st.oomKilled());
        m.put("Dead", st.status() == ContainerState.Status.DEAD);
        m.put("Pid", st.pid());
        m.put("ExitCode", st.exitCode());
        m.put("Error", st.error() == null ? "" : st.error());
        m.put("StartedAt", WireTime.rfc3339Nano(st.startedAt()));
        m.put("FinishedAt", WireTime.rfc3339Nano(st.finishedAt()));
        return m;
    }

    static Map<String, Object> hostConfig(HostSpec h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Binds", h.binds());
        m.put("ContainerIDFile", "");
        m.put("LogConfig", Map.of("Type", "k8s-file", "Config", Map.of()));
        m.put("NetworkMode", h.networkMode() == null ? "none" : h.networkMode());
        m.put("PortBindings", Map.of());
        m.put("RestartPolicy", Map.of("Name", h.restartPolicy() == null ? "no" : h.restartPolicy(), "MaximumRetryCount", h.restartMaxRetries()));
        m.put("AutoRemove", h.autoRemove());
        m.put("VolumeDriver", "");
        m.put("VolumesFrom", null);
        m.put("CapAdd", h.capAdd() == null || h.capAdd().isEmpty() ? null : h.capAdd());
        m.put("CapDrop", h.capDrop() == null || h.capDrop().isEmpty() ? null : h.capDrop());
        m.put("GroupAdd", h.groupAdd() == null || h.groupAdd().isEmpty() ? null : h.groupAdd());
        m.put("IpcMode", h.ipcMode() == null ? "private" : h.ipcMode());
        m.put("OomScoreAdj", h.oomScoreAdj() == null ? 0 : h.oomScoreAdj());
        m.put("PidMode", h.pidMode() == null ? "" : h.pidMode());
        m.put("Privileged", h.privileged());
        m.put("PublishAllPorts", false);
        m.put("ReadonlyRootfs", h.readOnlyRootfs());
        m.put("SecurityOpt", h.securityOpt() == null || h.securityOpt().isEmpty() ? null : h.securityOpt());
        m.put("Tmpfs", h.tmpfs() == null || h.tmpfs().isEmpty() ? null : h.tmpfs());
        m.put("UTSMode", h.utsMode() == null ? "" : h.utsMode());
        m.put("ShmSize", h.shmSize() == null ? 67108864L : h.shmSize());
        m.put("Sysctls", h.sysctls() == null || h.sysctls().isEmpty() ? null : h.sysctls());
        m.put("Runtime", h.runtime() == null ? "runc" : h.runtime());
        m.put("ConsoleSize", h.consoleSize() == null ? List.of(0, 0) : h.consoleSize());
        HostSpec.Resources r = h.resources() == null ? HostSpec.Resources.NONE : h.resources();
        m.put("Memory", nz(r.memory()));
        m.put("MemoryReservation", nz(r.memoryReservation()));
        m.put("MemorySwap", nz(r.memorySwap()));
        m.put("NanoCpus", nz(r.nanoCpus()));
        m.put("CpuShares", nz(r.cpuShares()));
        m.put("CpuPeriod", nz(r.cpuPeriod()));
        m.put("CpuQuota", nz(r.cpuQuota()));
        m.put("CpusetCpus", r.cpusetCpus() == null ? "" : r.cpusetCpus());
        m.put("CpusetMems", r.cpusetMems() == null ? "" : r.cpusetMems());
        m.put("PidsLimit", r.pidsLimit());
        m.put("BlkioWeight", r.blkioWeight() == null ? 0 : r.blkioWeight());
        m.put("Init", h.init());
        List<Map<String, Object>> ul = new ArrayList<>();
        if (h.ulimits() != null) for (HostSpec.Ulimit u : h.ulimits()) ul.add(Map.of("Name", u.name(), "Soft", u.soft(), "Hard", u.hard()));
        m.put("Ulimits", ul.isEmpty() ? null : ul);
        List<Map<String, Object>> mounts = new ArrayList<>();
        if (h.mounts() != null) for (HostSpec.MountSpec ms : h.mounts()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("Type", ms.type());
            x.put("Source", ms.source() == null ? "" : ms.source());
            x.put("Target", ms.target());
            if (ms.readOnly()) x.put("ReadOnly", true);
            mounts.add(x);
        }
        if (!mounts.isEmpty()) m.put("Mounts", mounts);
        // The rest of Docker's HostConfig, at the values a default container has: clients
        // deserialise into typed objects and some read these keys unconditionally.
        m.put("Cgroup", "");
        m.put("CgroupParent", "");
        m.put("CgroupnsMode", "private");
        m.put("Dns", null);
        m.put("DnsOptions", null);
        m.put("DnsSearch", null);
        m.put("ExtraHosts", null);
        m.put("Links", null);
        m.put("UsernsMode", "");
        m.put("Isolation", "");
        m.put("BlkioWeightDevice", null);
        m.put("BlkioDeviceReadBps", null);
        m.put("BlkioDeviceWriteBps", null);
        m.put("BlkioDeviceReadIOps", null);
        m.put("BlkioDeviceWriteIOps", null);
        m.put("CpuCount", 0);
        m.put("CpuPercent", 0);
        m.put("CpuRealtimePeriod", 0);
        m.put("CpuRealtimeRuntime", 0);
        m.put("Devices", null);
        m.put("DeviceCgroupRules", null);
        m.put("DeviceRequests", null);
        m.put("KernelMemory", 0);
        m.put("KernelMemoryTCP", 0);
        m.put("MemorySwappiness", null);
        m.put("OomKillDisable", false);
        m.put("IOMaximumIOps", 0);
        m.put("IOMaximumBandwidth", 0);
        m.put("MaskedPaths", null);
        m.put("ReadonlyPaths", null);
        return m;
    }

    static Map<String, Object> config(ContainerDetails d, ContainerSpec s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Hostname", s.hostname() != null ? s.hostname() : d.id().substring(0, Math.min(12, d.id().length())));
        m.put("Domainname", "");
        m.put("User", d.user() == null ? "" : d.user());
        // Docker echoes AttachStd* from create; Berth does not store them: stdin follows OpenStdin, output is always attachable.
        m.put("AttachStdin", s.openStdin());
        m.put("AttachStdout", true);
        m.put("AttachStderr", true);
        m.put("ExposedPorts", null);
        m.put("Tty", s.tty());
        m.put("OpenStdin", s.openStdin());
        m.put("StdinOnce", s.stdinOnce());
        m.put("Env", d.env() == null ? List.of() : d.env());
        List<String> cmd = s.cmd() != null ? s.cmd() : (d.args() == null ? null : fullCmd(d));
        m.put("Cmd", cmd);
        m.put("Image", d.image());
        m.put("Volumes", VolumeJson.configVolumes(s));
        m.put("WorkingDir", d.workingDir() == null ? "" : d.workingDir());
        m.put("Entrypoint", s.entrypoint());
        m.put("OnBuild", null);
        m.put("Labels", d.labels() == null ? Map.of() : d.labels());
        if (s.stopSignal() != null) m.put("StopSignal", s.stopSignal());
        if (s.stopTimeout() != null) m.put("StopTimeout", s.stopTimeout());
        return m;
    }

    private static List<String> fullCmd(ContainerDetails d) {
        List<String> l = new ArrayList<>();
        l.add(d.path());
        l.addAll(d.args());
        return l;
    }

    static Map<String, Object> networkSettings() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Bridge", "");
        m.put("SandboxID", "");
        m.put("HairpinMode", false);
        m.put("LinkLocalIPv6Address", "");
        m.put("LinkLocalIPv6PrefixLen", 0);
        m.put("Ports", Map.of());
        m.put("SandboxKey", "");
        m.put("SecondaryIPAddresses", null);
        m.put("SecondaryIPv6Addresses", null);
        m.put("EndpointID", "");
        m.put("Gateway", "");
        m.put("GlobalIPv6Address", "");
        m.put("GlobalIPv6PrefixLen", 0);
        m.put("IPAddress", "");
        m.put("IPPrefixLen", 0);
        m.put("IPv6Gateway", "");
        m.put("MacAddress", "");
        m.put("Networks", Map.of());
        return m;
    }

    /** {@code GET /exec/{id}/json} as in exec_inspect.json. */
    public static Map<String, Object> execInspect(ExecDetails e) {
        ExecSpec s = e.spec();
        Map<String, Object> pc = new LinkedHashMap<>();
        pc.put("tty", s.tty());
        pc.put("entrypoint", s.cmd().isEmpty() ? "" : s.cmd().getFirst());
        pc.put("arguments", s.cmd().isEmpty() ? List.of() : s.cmd().subList(1, s.cmd().size()));
        pc.put("privileged", s.privileged());
        if (s.user() != null && !s.user().isEmpty()) pc.put("user", s.user());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ID", e.id());
        m.put("Running", e.running());
        m.put("ExitCode", e.exitCode());
        m.put("ProcessConfig", pc);
        m.put("OpenStdin", e.openStdin());
        m.put("OpenStderr", s.attachStderr());
        m.put("OpenStdout", s.attachStdout());
        m.put("CanRemove", false);
        m.put("ContainerID", e.containerId());
        m.put("DetachKeys", "");
        m.put("Pid", e.pid());
        return m;
    }

    /** The wait body: {@code {"Error":null,"StatusCode":n}} or with {@code {"Message":…}}. */
    public static Map<String, Object> waitBody(WaitResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Error", r.error() == null ? null : Map.of("Message", r.error()));
        m.put("StatusCode", r.statusCode());
        return m;
    }

    // ---- lenient readers: null, missing and "" all mean absent

    static String str(JsonNode n, String f) {
        JsonNode v = n.path(f);
        if (!v.isValueNode() || v.isNull()) return null;
        String s = v.asText();
        return s.isEmpty() ? null : s;
    }

    /** Docker's StrSlice: a list, or a single string. */
    static List<String> strs(JsonNode n, String f) {
        JsonNode v = n.path(f);
        if (v.isTextual()) return List.of(v.asText());
        if (!v.isArray()) return null;
        List<String> l = new ArrayList<>();
        v.forEach(x -> l.add(x.asText()));
        return l;
    }

    static Map<String, String> strMap(JsonNode n, String f) {
        Map<String, String> m = new LinkedHashMap<>();
        JsonNode v = n.path(f);
        if (v.isObject()) v.properties().forEach(e -> m.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText()));
        return m;
    }

    static boolean bool(JsonNode n, String f) { return n.path(f).asBoolean(false); }

    static Long lng(JsonNode n, String f) {
        JsonNode v = n.path(f);
        if (v.isNull() || v.isMissingNode()) return null;
        if (!v.isNumber()) throw BerthException.invalid("json: cannot unmarshal %s into Go struct field HostConfig.HostConfig.%s of type int64",
                v.getNodeType().name().toLowerCase(), f);
        return v.asLong() == 0 ? null : v.asLong();
    }

    static Integer integer(JsonNode n, String f) {
        JsonNode v = n.path(f);
        return v.isNumber() ? v.asInt() : null;
    }

    private static Long positive(Long v) { return v == null || v <= 0 ? null : v; }

    private static long nz(Long v) { return v == null ? 0 : v; }

    private static String lower(String s) { return s == null ? null : s.toLowerCase(java.util.Locale.ROOT); }

    private static <T> List<T> orEmpty(List<T> l) { return l == null ? List.of() : l; }
}
