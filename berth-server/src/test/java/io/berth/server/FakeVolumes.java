package io.berth.server;

import io.berth.api.BerthException;
import io.berth.api.volume.VolumeCreateSpec;
import io.berth.api.volume.VolumeDetails;
import io.berth.api.volume.VolumeEngine;
import io.berth.api.volume.VolumePruneReport;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** An in-memory VolumeEngine for the HTTP layer: volumes named in {@link #inUse} are "used by" container c0ffee. */
final class FakeVolumes implements VolumeEngine {
    final Map<String, VolumeDetails> vols = new TreeMap<>();
    final java.util.Set<String> inUse = java.util.concurrent.ConcurrentHashMap.newKeySet();
    volatile Map<String, List<String>> lastFilters;

    @Override public synchronized VolumeDetails create(VolumeCreateSpec s) {
        String name = s.name() == null ? "f".repeat(64) : s.name();
        if (!name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]+")) throw BerthException.invalid("create %s: \"%s\" includes invalid characters for a local volume name", name, name);
        return vols.computeIfAbsent(name, n -> new VolumeDetails(n, "local", "/var/lib/berth/volumes/" + n + "/_data",
                Instant.parse("2026-01-02T03:04:05Z"), s.labels() == null ? Map.of() : s.labels(),
                s.driverOpts() == null ? Map.of() : s.driverOpts(), "local", s.name() == null, -1, -1));
    }

    @Override public synchronized List<VolumeDetails> list(Map<String, List<String>> filters) {
        lastFilters = filters;
        List<VolumeDetails> out = new ArrayList<>();
        for (VolumeDetails v : vols.values()) {
            List<String> names = filters.getOrDefault("name", List.of());
            if (names.isEmpty() || names.stream().anyMatch(v.name()::contains)) out.add(v);
        }
        return out;
    }

    @Override public synchronized VolumeDetails inspect(String name) {
        VolumeDetails v = vols.get(name);
        if (v == null) throw BerthException.notFound("get %s: no such volume", name);
        return v;
    }

    @Override public synchronized void remove(String name, boolean force) {
        if (!vols.containsKey(name)) {
            if (force) return;
            throw BerthException.notFound("get %s: no such volume", name);
        }
        if (inUse.contains(name)) throw BerthException.conflict("remove %s: volume is in use - [c0ffee]", name);
        vols.remove(name);
    }

    @Override public synchronized VolumePruneReport prune(Map<String, List<String>> filters) {
        lastFilters = filters;
        boolean all = filters.getOrDefault("all", List.of()).contains("true");
        List<String> gone = new ArrayList<>();
        for (VolumeDetails v : List.copyOf(vols.values())) {
            if (inUse.contains(v.name()) || !all && !v.anonymous()) continue;
            vols.remove(v.name());
            gone.add(v.name());
        }
        return new VolumePruneReport(gone, gone.size() * 100L);
    }
}
