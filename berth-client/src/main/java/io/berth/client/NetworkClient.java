package io.berth.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.api.BerthException;
import io.berth.api.network.EndpointSpec;
import io.berth.api.network.NetworkCreateReport;
import io.berth.api.network.NetworkCreateSpec;
import io.berth.api.network.NetworkDetails;
import io.berth.api.network.NetworkEngine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@link NetworkEngine} over Docker's {@code /networks} API, with the request shapes the docker
 * CLI sends (filters in map form, connect's EndpointConfig). Obtained from {@link BerthClient#networks()}.
 *
 * <pre>{@code
 * NetworkClient n = new BerthClient("unix:///run/berth/berth.sock").networks();
 * String id = n.create(NetworkCreateSpec.named("appnet")).id();
 * n.connect("appnet", "web", new EndpointSpec(List.of("www"), null, null, null));
 * }</pre>
 */
public final class NetworkClient implements NetworkEngine {
    private final BerthClient c;

    NetworkClient(BerthClient c) { this.c = c; }

    @Override public NetworkCreateReport create(NetworkCreateSpec spec) {
        JsonNode r = c.requestJson("POST", "/networks/create", NetworkWire.createBody(spec));
        String warning = r.path("Warning").asText("");
        return new NetworkCreateReport(r.path("Id").asText(), warning.isEmpty() ? null : warning);
    }

    @Override public List<NetworkDetails> list(Map<String, List<String>> filters) {
        List<NetworkDetails> out = new ArrayList<>();
        for (JsonNode n : listJson(filters)) out.add(NetworkWire.network(n));
        return out;
    }

    /** The raw {@code GET /networks} array. */
    public JsonNode listJson(Map<String, List<String>> filters) {
        return c.getJson("/networks" + filterQuery(filters));
    }

    @Override public NetworkDetails inspect(String ref) {
        try { return NetworkWire.network(Json.mapper().readTree(inspectRaw(ref))); }
        catch (IOException e) { throw BerthException.internal("inspecting network " + ref + ": malformed response", e); }
    }

    /** The daemon's {@code GET /networks/{id}} body as sent (the CLI prints it re-indented). */
    public String inspectRaw(String ref) {
        try (UnixHttp.Response r = c.send("GET", "/networks/" + p(ref), null, null)) {
            return new String(r.readAll(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw BerthClient.broken("inspecting network " + ref, e);
        }
    }

    @Override public void remove(String ref) { c.send("DELETE", "/networks/" + p(ref), null, null).close(); }

    @Override public List<String> prune(Map<String, List<String>> filters) {
        JsonNode r = c.requestJson("POST", "/networks/prune" + filterQuery(filters), null);
        return r.path("NetworksDeleted").isArray() ? BerthClient.strings(r.path("NetworksDeleted")) : List.of();
    }

    @Override public void connect(String network, String container, EndpointSpec endpoint) {
        ObjectNode body = Json.mapper().createObjectNode().put("Container", container);
        body.set("EndpointConfig", NetworkWire.endpointBody(endpoint == null ? EndpointSpec.DEFAULT : endpoint));
        c.requestJson("POST", "/networks/" + p(network) + "/connect", body);
    }

    @Override public void disconnect(String network, String container, boolean force) {
        ObjectNode body = Json.mapper().createObjectNode().put("Container", container).put("Force", force);
        c.requestJson("POST", "/networks/" + p(network) + "/disconnect", body);
    }

    /** {@code ?filters={"name":{"x":true}}}, the CLI's map form; empty when there are none. */
    static BerthClient.Query filterQuery(Map<String, List<String>> filters) {
        BerthClient.Query q = new BerthClient.Query();
        if (filters == null || filters.isEmpty()) return q;
        ObjectNode f = Json.mapper().createObjectNode();
        filters.forEach((k, vs) -> { ObjectNode o = f.putObject(k); vs.forEach(v -> o.put(v, true)); });
        return q.add("filters", f.toString());
    }

    private static String p(String ref) { return BerthClient.pathName(ref); }
}
