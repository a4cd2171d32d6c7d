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
              .add("GET", "/volumes/{name}", r -> r.json(200, VolumeJson.volume(inspect(r.path("name")))))
              .add("DELETE", "/volumes/{name}", r -> {
                  volumes.remove(r.path("name"), r.bool("force"));
                  r.empty(204);
              });
    }

    /**
     * A daemon without a volume store has no volume of any name: 404, not 500, because
     * {@code docker inspect X} asks for containers, images, volumes and networks in turn and only a
     * "not found" from each lets it report "No such object".
     */
    private io.berth.api.volume.VolumeDetails inspect(String name) {
        try {
            return volumes.inspect(name);
        } catch (io.berth.api.BerthException e) {
            if (e.kind() != io.berth.api.BerthException.Kind.UNAVAILABLE) throw e;
            throw io.berth.api.BerthException.notFound("get %s: no such volume", name);
        }
    }
}
