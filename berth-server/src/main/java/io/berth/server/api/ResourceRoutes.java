package io.berth.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.api.BerthException;
import io.berth.api.container.ContainerEngine;
import io.berth.api.container.ContainerStats;
import io.berth.server.http.HttpExchange;
import io.berth.server.wire.Json;
import io.berth.server.wire.StatsJson;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * {@code stats}, {@code top} and {@code update}. A streamed stats response is one JSON document per
 * line, a second apart, each with the one before as {@code precpu_stats}; it ends when the container
 * stops or the client leaves.
 */
final class ResourceRoutes {
    private final ContainerEngine containers;

    ResourceRoutes(ContainerEngine containers) { this.containers = containers; }

    void register(Router router) {
        router.add("GET", "/containers/{id}/stats", this::stats)
              .add("GET", "/containers/{id}/top", r -> r.json(200, StatsJson.top(containers.top(r.path("id"), blank(r.query("ps_args"))))))
              .add("POST", "/containers/{id}/update", r -> {
                  List<String> w = containers.update(r.path("id"), StatsJson.update(r.readJson(JsonNode.class, "updating a container")));
                  r.json(200, Map.of("Warnings", w));
              });
    }

    private void stats(ApiRequest r) throws IOException {
        String id = r.path("id");
        String stream = r.query("stream");
        boolean streaming = stream == null || stream.isEmpty() || Params.bool(stream);
        if (!streaming) {
            r.json(200, StatsJson.stats(containers.stats(id, r.bool("one-shot"))));
            return;
        }
        ContainerStats prev = containers.stats(id, true); // errors (not running) become a status before the stream starts
        HttpExchange.ChunkedResponse out = r.exchange().startChunked(200, "application/json");
        Thread self = Thread.currentThread();
        r.exchange().onClientGone(self::interrupt);
        try {
            out.write(line(prev));
            while (!self.isInterrupted()) {
                Thread.sleep(1000);
                ContainerStats next;
                try {
                    next = containers.stats(id, true).withPrevious(prev);
                } catch (BerthException stopped) {
                    break;
                }
                out.write(line(next));
                prev = next;
            }
            if (Thread.interrupted()) r.exchange().abort();
            else out.end();
        } catch (IOException | InterruptedException gone) {
            Thread.interrupted();
            r.exchange().abort();
        }
    }

    private static byte[] line(ContainerStats s) {
        byte[] j = Json.bytes(StatsJson.stats(s));
        byte[] b = java.util.Arrays.copyOf(j, j.length + 1);
        b[j.length] = '\n';
        return b;
    }

    private static String blank(String s) { return s == null || s.isEmpty() ? null : s; }
}
