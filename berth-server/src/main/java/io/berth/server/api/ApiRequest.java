package io.berth.server.api;

import io.berth.server.http.HttpExchange;
import io.berth.server.wire.Json;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A routed request as handlers see it: path parameters, query parameters, the negotiated API
 * version (the path prefix, or the newest when there is none) and the exchange to answer on.
 */
public final class ApiRequest {
    private final HttpExchange exchange;
    private final ApiVersion version;
    private final Map<String, String> pathParams;
    private final Map<String, List<String>> query;

    public ApiRequest(HttpExchange exchange, ApiVersion version, Map<String, String> pathParams, Map<String, List<String>> query) {
        this.exchange = exchange;
        this.version = version;
        this.pathParams = pathParams;
        this.query = query;
    }

    public HttpExchange exchange() { return exchange; }

    public ApiVersion version() { return version; }

    public String path(String name) { return pathParams.get(name); }

    /** The first value of a query parameter, or null. */
    public String query(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.getFirst();
    }

    public String query(String name, String dflt) {
        String v = query(name);
        return v == null ? dflt : v;
    }

    public List<String> queryAll(String name) { return query.getOrDefault(name, List.of()); }

    public boolean bool(String name) { return Params.bool(query(name)); }

    public Map<String, List<String>> filters() { return Params.filters(query("filters")); }

    public String header(String name) { return exchange.headers().get(name); }

    public InputStream body() { return exchange.body(); }

    public <T> T readJson(Class<T> type, String what) { return Json.read(exchange.body(), type, what); }

    // Responses.

    public void json(int status, Object value) { exchange.respond(status, "application/json", Json.bytes(value)); }

    public void empty(int status) { exchange.respond(status, null, new byte[0]); }

    public void text(int status, String body) {
        exchange.respond(status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }
}
