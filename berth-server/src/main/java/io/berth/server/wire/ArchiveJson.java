package io.berth.server.wire;

import io.berth.api.container.PathStat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code X-Docker-Container-Path-Stat} header of the archive endpoints: base64 of Docker's stat JSON. */
public final class ArchiveJson {
    public static final String STAT_HEADER = "X-Docker-Container-Path-Stat";

    private ArchiveJson() {}

    public static String statHeader(PathStat s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("size", s.size());
        m.put("mode", s.mode());
        m.put("mtime", WireTime.rfc3339Nano(s.mtime()));
        m.put("linkTarget", s.linkTarget() == null ? "" : s.linkTarget());
        return Base64.getEncoder().encodeToString(Json.string(m).getBytes(StandardCharsets.UTF_8));
    }
}
