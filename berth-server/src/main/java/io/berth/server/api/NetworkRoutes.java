package io.berth.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.api.network.NetworkCreateReport;
import io.berth.api.network.NetworkDetails;
import io.berth.api.network.NetworkEngine;
import io.berth.server.wire.NetworkJson;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code /networks}: list, inspect, create, connect, disconnect, remove, prune, answered as moby's
 * network router does: create 201 {@code {"Id","Warning"}}, connect and disconnect 200 with an
 * empty body, remove 204, prune {@code {"NetworksDeleted":[…]}}.
 */
public final class NetworkRoutes {
    /** The filter keys Docker's {@code GET /networks} accepts; anything else is "invalid filter". */
    static final Set<String> LIST_FILTERS = Set.of("dangling", "driver", "id", "label", "name", "scope", "type");
    static final Set<String> PRUNE_FILTERS = Set.of("until", "label", "label!");

    private final NetworkEngine networks;

    public NetworkRoutes(NetworkEngine networks) { this.networks = networks; }

    public void register(Router router) {
        // Fixed paths before /networks/{id}: "create" and "prune" are not network names here.
        router.add("GET", "/networks", this::list)
              .add("GET", "/networks/", this::list)
              .add("POST", "/networks/create", this::create)
              .add("POST", "/networks/prune", this::prune)
              .add("GET", "/networks/{id}", r -> r.json(200, NetworkJson.network(networks.inspect(r.path("id")))))
              .add("POST", "/networks/{id}/connect", this::connect)
              .add("POST", "/networks/{id}/disconnect", this::disconnect)
              .add("DELETE", "/networks/{id}", r -> { networks.remove(r.path("id")); r.empty(204); });
    }

    private void list(ApiRequest r) {
        Map<String, List<String>> filters = r.filters();
        Params.checkKeys(filters, LIST_FILTERS);
        List<Object> out = new ArrayList<>();
        for (NetworkDetails d : networks.list(filters)) out.add(NetworkJson.network(d));
        r.json(200, out);
    }

    private void create(ApiRequest r) {
        NetworkCreateReport rep = networks.create(NetworkJson.createSpec(r.readJson(JsonNode.class, "creating a network")));
        r.json(201, NetworkJson.created(rep.id(), rep.warning()));
    }

    private void prune(ApiRequest r) {
        Map<String, List<String>> filters = r.filters();
        Params.checkKeys(filters, PRUNE_FILTERS);
        r.json(200, NetworkJson.pruned(networks.prune(filters)));
    }

    private void connect(ApiRequest r) {
        JsonNode b = r.readJson(JsonNode.class, "connecting a container to a network");
        networks.connect(r.path("id"), NetworkJson.container(b), NetworkJson.endpoint(b.path("EndpointConfig")));
        r.empty(200);
    }

    private void disconnect(ApiRequest r) {
        JsonNode b = r.readJson(JsonNode.class, "disconnecting a container from a network");
        networks.disconnect(r.path("id"), NetworkJson.container(b), b.path("Force").asBoolean(false));
        r.empty(200);
    }
}
