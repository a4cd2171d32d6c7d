package io.berth.server.wire;

import io.berth.api.image.HistoryEntry;
import io.berth.api.image.ImageDetails;
import io.berth.api.image.ImageSummary;
import io.berth.api.image.PruneReport;
import io.berth.api.image.RemoveItem;
import io.berth.spec.image.Digest;
import io.berth.spec.image.ImageConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The image endpoints' JSON, translated from the API records in this one place. Key order follows
 * Docker's Go structs so that captured responses and ours diff cleanly.
 */
public final class ImageJson {
    private ImageJson() {}

    /** One element of {@code GET /images/json}; {@code legacyFields} adds VirtualSize (gone in API 1.44). */
    public static Map<String, Object> summary(ImageSummary s, boolean legacyFields) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Containers", s.containers());
        m.put("Created", WireTime.unix(s.created()));
        m.put("Id", s.id().toString());
        m.put("Labels", s.labels() == null || s.labels().isEmpty() ? null : s.labels());
        m.put("ParentId", "");
        m.put("RepoDigests", nn(s.repoDigests()));
        m.put("RepoTags", nn(s.repoTags()));
        m.put("SharedSize", -1);
        m.put("Size", s.size());
        if (legacyFields) m.put("VirtualSize", s.size());
        return m;
    }

    /** {@code GET /images/{name}/json}. */
    public static Map<String, Object> inspect(ImageDetails d, boolean legacyFields) {
        ImageConfig cfg = d.config();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", d.id().toString());
        m.put("RepoTags", nn(d.repoTags()));
        m.put("RepoDigests", nn(d.repoDigests()));
        m.put("Parent", "");
        m.put("Comment", lastComment(cfg));
        m.put("Created", WireTime.rfc3339Nano(d.created()));
        if (legacyFields) {
            m.put("Container", "");
            m.put("ContainerConfig", containerConfig(null));
        }
        m.put("DockerVersion", "");
        m.put("Author", cfg == null || cfg.author() == null ? "" : cfg.author());
        m.put("Config", containerConfig(cfg == null ? null : cfg.config()));
        m.put("Architecture", cfg == null || cfg.architecture() == null ? "" : cfg.architecture());
        if (cfg != null && cfg.variant() != null && !cfg.variant().isEmpty()) m.put("Variant", cfg.variant());
        m.put("Os", cfg == null || cfg.os() == null ? "" : cfg.os());
        m.put("Size", d.size());
        if (legacyFields) m.put("VirtualSize", d.size());
        Map<String, Object> graph = new LinkedHashMap<>();
        graph.put("Data", d.graphDriverData() == null || d.graphDriverData().isEmpty() ? null : d.graphDriverData());
        graph.put("Name", d.graphDriverName() == null ? "overlay" : d.graphDriverName());
        m.put("GraphDriver", graph);
        Map<String, Object> rootfs = new LinkedHashMap<>();
        rootfs.put("Type", "layers");
        rootfs.put("Layers", cfg == null ? List.of() : cfg.diffIds().stream().map(Digest::toString).toList());
        m.put("RootFS", rootfs);
        m.put("Metadata", Map.of("LastTagTime", WireTime.rfc3339Nano(d.lastTagTime())));
        return m;
    }

    /** Docker's container.Config as images carry it; absent parts are written as Docker writes them. */
    static Map<String, Object> containerConfig(ImageConfig.Config c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Hostname", "");
        m.put("Domainname", "");
        m.put("User", c == null || c.user() == null ? "" : c.user());
        m.put("AttachStdin", false);
        m.put("AttachStdout", false);
        m.put("AttachStderr", false);
        if (c != null && c.exposedPorts() != null && !c.exposedPorts().isEmpty()) m.put("ExposedPorts", emptyObjects(c.exposedPorts()));
        m.put("Tty", false);
        m.put("OpenStdin", false);
        m.put("StdinOnce", false);
        m.put("Env", c == null ? null : c.env());
        m.put("Cmd", c == null ? null : c.cmd());
        m.put("Image", "");
        m.put("Volumes", c == null || c.volumes() == null || c.volumes().isEmpty() ? null : emptyObjects(c.volumes()));
        m.put("WorkingDir", c == null || c.workingDir() == null ? "" : c.workingDir());
        m.put("Entrypoint", c == null ? null : c.entrypoint());
        m.put("OnBuild", null);
        m.put("Labels", c == null || c.labels() == null || c.labels().isEmpty() ? null : c.labels());
        if (c != null && c.stopSignal() != null && !c.stopSignal().isEmpty()) m.put("StopSignal", c.stopSignal());
        return m;
    }

    /** {@code GET /images/{name}/history}: newest first. */
    public static List<Map<String, Object>> history(List<HistoryEntry> entries) {
        List<Map<String, Object>> out = new ArrayList<>(entries.size());
        for (HistoryEntry e : entries) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("Id", e.id() == null ? "<missing>" : e.id());
            m.put("Created", WireTime.unix(e.created()));
            m.put("CreatedBy", e.createdBy() == null ? "" : e.createdBy());
            m.put("Tags", e.tags() == null || e.tags().isEmpty() ? null : e.tags());
            m.put("Size", e.size());
            m.put("Comment", e.comment() == null ? "" : e.comment());
            out.add(m);
        }
        return out;
    }

    /** {@code DELETE /images/{name}} items: {"Untagged":…} or {"Deleted":…}. */
    public static List<Map<String, String>> removed(List<RemoveItem> items) {
        List<Map<String, String>> out = new ArrayList<>(items.size());
        for (RemoveItem i : items) out.add(i.untagged() != null ? Map.of("Untagged", i.untagged()) : Map.of("Deleted", i.deleted()));
        return out;
    }

    /** {@code POST /images/prune}: ImagesDeleted is null when nothing went, as Docker writes it. */
    public static Map<String, Object> pruned(PruneReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ImagesDeleted", r.deleted() == null || r.deleted().isEmpty() ? null : removed(r.deleted()));
        m.put("SpaceReclaimed", r.spaceReclaimed());
        return m;
    }

    private static String lastComment(ImageConfig cfg) {
        if (cfg == null || cfg.history() == null || cfg.history().isEmpty()) return "";
        String c = cfg.history().getLast().comment();
        return c == null ? "" : c;
    }

    // ExposedPorts and Volumes are sets in Go: {"80/tcp":{}}.
    private static Map<String, Object> emptyObjects(Map<String, Object> keys) {
        Map<String, Object> m = new LinkedHashMap<>();
        keys.keySet().forEach(k -> m.put(k, Map.of()));
        return m;
    }

    private static <T> List<T> nn(List<T> l) { return l == null ? List.of() : l; }
}
