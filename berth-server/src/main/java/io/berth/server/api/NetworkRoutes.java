package io.berth.server.api;

import io.berth.api.network.NetworkEngine;

/** {@code /networks}: list, inspect, create, connect, disconnect, remove, prune. */
public final class NetworkRoutes {
    private final NetworkEngine networks;

    public NetworkRoutes(NetworkEngine networks) { this.networks = networks; }

    public void register(Router router) {
        // routes land with the networking work
    }
}
