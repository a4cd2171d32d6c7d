package io.berth.server.wire;

import io.berth.api.container.Event;
import io.berth.api.container.PruneReport;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Docker's event message ({@code GET /events}) and container prune answer, field order as dockerd writes them. */
public final class EventJson {
    private EventJson() { }

    public static Map<String, Object> event(Event e) {
        Map<String, Object> m = new LinkedHashMap<>();
        // the legacy status/id/from fields exist for container events only, as in dockerd
        if (e.type().equals("container")) {
            m.put("status", e.action());
            m.put("id", e.actorId());
            if (e.from() != null) m.put("from", e.from());
        }
        m.put("Type", e.type());
        m.put("Action", e.action());
        m.put("Actor", Map.of("ID", e.actorId(), "Attributes", new java.util.TreeMap<>(e.attributes())));
        m.put("scope", "local");
        m.put("time", e.timeNano() / 1_000_000_000L);
        m.put("timeNano", e.timeNano());
        return m;
    }

    public static Map<String, Object> prune(PruneReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ContainersDeleted", r.deleted().isEmpty() ? null : List.copyOf(r.deleted()));
        m.put("SpaceReclaimed", r.spaceReclaimed());
        return m;
    }

    /** {@code {"Ok":true,"Checks":[{"Name":"runc","Ok":true,"Required":true,"Detail":"…"}],"Cleaned":["…"]}}. */
    public static Map<String, Object> systemCheck(io.berth.api.container.SystemCheckReport r) {
        List<Object> checks = new java.util.ArrayList<>();
        for (var c : r.checks()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("Name", c.name());
            m.put("Ok", c.ok());
            m.put("Required", c.required());
            m.put("Detail", c.detail());
            checks.add(m);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Ok", r.ok());
        m.put("Checks", checks);
        m.put("Cleaned", r.cleaned());
        return m;
    }
}
