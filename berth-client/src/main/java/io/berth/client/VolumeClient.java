package io.berth.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.api.volume.VolumeCreateSpec;
import io.berth.api.volume.VolumeDetails;
import io.berth.api.volume.VolumeEngine;
import io.berth.api.volume.VolumePruneReport;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@link VolumeEngine} over the Docker Engine API ({@code /volumes}), obtained from
 * {@link BerthClient#volumes()}. The {@code *Json} methods answer the daemon's objects as sent, for
 * the CLI's {@code inspect} and {@code --format}.
 */
public final class VolumeClient implements VolumeEngine {
    /** The label Docker ≥ 23 puts on anonymous volumes. */
    static final String ANONYMOUS_LABEL = "com.docker.volume.anonymous";
    private final BerthClient c;

    VolumeClient(BerthClient c) { this.c = c; }

    @Override public VolumeDetails create(VolumeCreateSpec spec) { return details(createJson(spec)); }

    public JsonNode createJson(VolumeCreateSpec spec) {
        ObjectNode b = Json.mapper().createObjectNode();
        b.put("Name", spec.name() == null ? "" : spec.name());
        b.put("Driver", spec.driver() == null ? "local" : spec.driver());
        ObjectNode o = b.putObject("DriverOpts");
        if (spec.driverOpts() != null) spec.driverOpts().forEach(o::put);
        ObjectNode l = b.putObject("Labels");
        if (spec.labels() != null) spec.labels().forEach(l::put);
        return c.requestJson("POST", "/volumes/create", b);
    }

    @Override public List<VolumeDetails> list(Map<String, List<String>> filters) {
        List<VolumeDetails> out = new ArrayList<>();
        for (JsonNode v : listJson(filters)) out.add(details(v));
        return out;
    }

    /** The Volumes array of {@code GET /volumes}. */
    public JsonNode listJson(Map<String, List<String>> filters) {
        JsonNode r = c.getJson("/volumes" + filterQuery(filters));
        JsonNode v = r.path("Volumes");
        return v.isArray() ? v : Json.mapper().createArrayNode();
    }

    @Override public VolumeDetails inspect(String name) { return details(inspectJson(name)); }

    public JsonNode inspectJson(String name) { return c.getJson("/volumes/" + BerthClient.pathName(name)); }

    @Override public void remove(String name, boolean force) {
        c.send("DELETE", "/volumes/" + BerthClient.pathName(name) + (force ? "?force=1" : ""), null, null).close();
    }

    @Override public VolumePruneReport prune(Map<String, List<String>> filters) {
        JsonNode r = c.requestJson("POST", "/volumes/prune" + filterQuery(filters), null);
        List<String> gone = r.path("VolumesDeleted").isArray() ? BerthClient.strings(r.path("VolumesDeleted")) : List.of();
        return new VolumePruneReport(gone, r.path("SpaceReclaimed").asLong(0));
    }

    static VolumeDetails details(JsonNode v) {
        Map<String, String> labels = map(v.path("Labels"));
        JsonNode usage = v.path("UsageData");
        return new VolumeDetails(BerthClient.text(v, "Name"), BerthClient.text(v, "Driver"), BerthClient.text(v, "Mountpoint"),
                BerthClient.instant(BerthClient.text(v, "CreatedAt")), labels, map(v.path("Options")),
                BerthClient.text(v, "Scope"), labels.containsKey(ANONYMOUS_LABEL),
                usage.path("RefCount").asLong(-1), usage.path("Size").asLong(-1));
    }

    private static Map<String, String> map(JsonNode n) {
        Map<String, String> m = new TreeMap<>();
        if (n.isObject()) n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    private static BerthClient.Query filterQuery(Map<String, List<String>> filters) {
        BerthClient.Query q = new BerthClient.Query();
        if (filters == null || filters.isEmpty()) return q;
        ObjectNode f = Json.mapper().createObjectNode();
        for (Map.Entry<String, List<String>> e : filters.entrySet()) {
            ObjectNode vals = f.putObject(e.getKey());
            for (String v : e.getValue()) vals.put(v, true);
        }
        return q.add("filters", f.toString());
    }
}
