package io.berth.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.api.BerthException;
import io.berth.api.container.PathStat;

import java.io.IOException;
import java.time.Instant;
import java.util.Base64;

/** Reads the {@code X-Docker-Container-Path-Stat} header (base64 JSON) of the archive endpoints. */
final class ArchiveStats {
    private ArchiveStats() {}

    static PathStat parse(String header) {
        if (header == null || header.isEmpty()) throw BerthException.unavailable("copying: the daemon sent no X-Docker-Container-Path-Stat header");
        try {
            JsonNode n = Json.mapper().readTree(Base64.getDecoder().decode(header.strip()));
            String mtime = n.path("mtime").asText("");
            return new PathStat(n.path("name").asText(""), n.path("size").asLong(), n.path("mode").asLong(),
                    mtime.isEmpty() ? Instant.EPOCH : Instant.parse(mtime), n.path("linkTarget").asText(""));
        } catch (IOException | IllegalArgumentException | java.time.DateTimeException e) {
            throw BerthException.unavailable("copying: unreadable X-Docker-Container-Path-Stat header: %s", e.getMessage());
        }
    }
}
