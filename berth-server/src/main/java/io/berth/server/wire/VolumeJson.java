package io.berth.server.wire;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.api.BerthException;
import io.berth.api.container.ContainerSpec;
import io.berth.api.container.MountPoint;
import io.berth.api.volume.VolumeCreateSpec;
import io.berth.api.volume.VolumeDetails;
import io.berth.api.volume.VolumePruneReport;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Docker's volume JSON ({@code /volumes}), the create body's Config.Volumes and the Mounts of inspect and ps. */
public final class VolumeJson {
    /** Docker's CreatedAt: RFC 3339 to the second. */
    private static final DateTimeFormatter CREATED = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssXXX").withZone(ZoneOffset.UTC);

    private VolumeJson() {}

    /** A Volume object, keys in Docker's order; empty labels and options are null as in Docker. */
    public static Map<String, Object> volume(VolumeDetails v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("CreatedAt", v.createdAt() == null ? WireTime.ZERO : CREATED.format(v.createdAt()));
        m.put("Driver", v.driver());
        m.put("Labels", v.labels() == null || v.labels().isEmpty() ? null : v.labels());
        m.put("Mountpoint", v.mountpoint());
        m.put("Name", v.name());
        m.put("Options", v.options() == null || v.options().isEmpty() ? null : v.options());
        m.put("Scope", v.scope() == null ? "local" : v.scope());
        if (v.size() >= 0 || v.refCount() >= 0) m.put("UsageData", Map.of("Size", v.size(), "RefCount", v.refCount()));
        return m;
    }

    public static Map<String, Object> list(List<VolumeDetails> vs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Volumes", vs.stream().map(VolumeJson::volume).toList());
        m.put("Warnings", null);
        return m;
    }

    public static Map<String, Object> pruned(VolumePruneReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("VolumesDeleted", r.volumesDeleted());
        m.put("SpaceReclaimed", r.spaceReclaimed());
        return m;
    }

    /** {@code POST /volumes/create} body: Name, Driver, DriverOpts, Labels (all optional). */
    public static VolumeCreateSpec createSpec(JsonNode b) {
        if (b != null && !b.isNull() && !b.isMissingNode() && !b.isObject()) throw BerthException.invalid("creating a volume: the body must be a JSON object");
        if (b == null || !b.isObject()) return new VolumeCreateSpec(null, null, null, null);
        return new VolumeCreateSpec(text(b, "Name"), text(b, "Driver"), map(b.path("DriverOpts")), map(b.path("Labels")));
    }

    /** Adds the create body's Config.Volumes ({"/path":{}}) to the spec as anonymous volume destinations. */
    public static ContainerSpec withConfigVolumes(JsonNode b, ContainerSpec s) {
        JsonNode v = b.path("Volumes");
        if (!v.isObject() || v.isEmpty()) return s;
        List<String> dests = new ArrayList<>();
        v.fieldNames().forEachRemaining(dests::add);
        return s.withVolumes(dests);
    }

    /** Config.Volumes of inspect: the requested anonymous volumes, null when none. */
    public static Map<String, Object> configVolumes(ContainerSpec s) {
        if (s.volumes().isEmpty()) return null;
        Map<String, Object> m = new TreeMap<>();
        for (String d : s.volumes()) m.put(d, Map.of());
        return m;
    }

    /** Mounts of inspect and ps: bind {Type,Source,Destination,Mode,RW,Propagation}, volume adds Name and Driver. */
    public static List<Map<String, Object>> mounts(List<MountPoint> ms) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (ms == null) return out;
        for (MountPoint p : ms) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("Type", p.type());
            if (p.name() != null) m.put("Name", p.name());
            m.put("Source", p.source() == null ? "" : p.source());
            m.put("Destination", p.destination());
            if (p.driver() != null) m.put("Driver", p.driver());
            m.put("Mode", p.mode() == null ? "" : p.mode());
            m.put("RW", p.rw());
            m.put("Propagation", p.propagation() == null ? "" : p.propagation());
            out.add(m);
        }
        return out;
    }

    private static String text(JsonNode b, String k) {
        JsonNode n = b.get(k);
        return n == null || n.isNull() || n.asText().isEmpty() ? null : n.asText();
    }

    private static Map<String, String> map(JsonNode n) {
        if (!n.isObject()) return Map.of();
        Map<String, String> m = new TreeMap<>();
        n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText()));
        return m;
    }
}
