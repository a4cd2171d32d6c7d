package io.berth.server.api;

import io.berth.api.BerthException;
import io.berth.api.container.ArchiveRead;
import io.berth.api.container.ContainerEngine;
import io.berth.api.container.PathStat;
import io.berth.server.http.HttpExchange;
import io.berth.server.wire.ArchiveJson;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * docker cp: {@code HEAD|GET|PUT /containers/{id}/archive?path=}. HEAD answers the stat header only;
 * GET sends it with the tar as a chunked body; PUT extracts the request body (whatever its
 * Content-Type: the CLI says text/plain) into the directory {@code path}.
 */
final class ArchiveRoutes {
    private static final System.Logger LOG = System.getLogger(ArchiveRoutes.class.getName());
    private static final int CHUNK = 64 * 1024;

    private final ContainerEngine containers;

    ArchiveRoutes(ContainerEngine containers) { this.containers = containers; }

    void register(Router router) {
        router.add("HEAD", "/containers/{id}/archive", this::head)
              .add("GET", "/containers/{id}/archive", this::get)
              .add("PUT", "/containers/{id}/archive", this::put);
    }

    private static String path(ApiRequest r) {
        String p = r.query("path");
        if (p == null || p.isEmpty()) throw BerthException.invalid("path is required");
        return p;
    }

    private void head(ApiRequest r) {
        PathStat s = containers.archiveStat(r.path("id"), path(r));
        r.exchange().respond(200, null, new byte[0], Map.of(ArchiveJson.STAT_HEADER, ArchiveJson.statHeader(s)));
    }

    private void get(ApiRequest r) throws IOException {
        try (ArchiveRead a = containers.archiveGet(r.path("id"), path(r))) {
            HttpExchange.ChunkedResponse out = r.exchange().startChunked(200, "application/x-tar",
                    Map.of(ArchiveJson.STAT_HEADER, ArchiveJson.statHeader(a.stat())));
            InputStream in = a.tar();
            byte[] buf = new byte[CHUNK];
            try {
                for (int n; (n = in.readNBytes(buf, 0, CHUNK)) > 0; ) out.write(buf, 0, n);
                out.end();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "copying from container " + r.path("id") + " failed mid-stream: " + e.getMessage());
                r.exchange().abort();
            }
        }
    }

    private void put(ApiRequest r) {
        containers.archivePut(r.path("id"), path(r), r.body(), r.bool("noOverwriteDirNonDir"));
        r.empty(200);
    }
}
