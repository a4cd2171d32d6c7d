package io.berth.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.api.volume.VolumeEngine;
import io.berth.server.wire.VolumeJson;

/**
 * {@code /volumes}: list, inspect, create (201), remove (204; 409 in use), prune. The name route
 * comes after the fixed paths, as moby registers them.
 */
public final class VolumeRoutes {
    private final VolumeEngine volumes;

    public VolumeRoutes(VolumeEngine volumes) { this.volumes = volumes; }

    public void register(Router router) {
        router.add("GET", "/volumes", r -> r.json(200, VolumeJson.list(volumes.list(r.filters()))))
              .add("POST", "/volumes/create", r -> {
                  byte[] data = r.body().readNBytes(1 << 20); // an empty body creates an anonymous volume
                  JsonNode body = data.length == 0 ? null : io.berth.server.wire.Json.read(new java.io.ByteArrayInputStream(data), JsonNode.class, "creating a volume");
                  r.json(201, VolumeJson.volume(volumes.create(VolumeJson.createSpec(body))));
              })
              .add("POST", "/volumes/prune", r -> r.json(200, VolumeJson.pruned(volumes.prune(r.filters()))))
              .add("GET", "/volumes/{name}", r -> r.json(200, VolumeJson.volume(volumes.inspect(r.path("name")))))
              .add("DELETE", "/volumes/{name}", r -> {
                  volumes.remove(r.path("name"), r.bool("force"));
                  r.empty(204);
              });
    }
}
