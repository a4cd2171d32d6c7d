package io.berth.server.api;

import io.berth.api.volume.VolumeEngine;

/** {@code /volumes}: list, inspect, create, remove, prune. */
public final class VolumeRoutes {
    private final VolumeEngine volumes;

    public VolumeRoutes(VolumeEngine volumes) { this.volumes = volumes; }

    public void register(Router router) {
        // routes land with the volumes work
    }
}
