package io.berth.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.api.BerthException;
import io.berth.server.wire.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Docker's query conventions: booleans and the {@code filters} JSON parameter. */
public final class Params {
    private Params() {}

    /**
     * Docker's httputils.BoolValue: empty, {@code 0}, {@code no}, {@code false} and {@code none}
     * are false, anything else true. The CLI sends 1/0 and docker-java true/false.
     */
    public static boolean bool(String value) {
        if (value == null) return false;
        String s = value.trim().toLowerCase(Locale.ROOT);
        return !(s.isEmpty() || s.equals("0") || s.equals("no") || s.equals("false") || s.equals("none"));
    }

    /**
     * Parses {@code filters} in both forms clients send: the CLI's map form
     * {@code {"label":{"a=1":true}}} and docker-java's array form {@code {"label":["a=1"]}}.
     * Returns key → values in order; an empty or absent parameter gives an empty map.
     */
    public static Map<String, List<String>> filters(String json) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (json == null || json.isBlank()) return out;
        JsonNode root;
        try { root = Json.MAPPER.readTree(json); }
        catch (Exception e) { throw BerthException.invalid("invalid filter: filters is not valid JSON: %s", json); }
        if (root == null || root.isNull()) return out;
        if (!root.isObject()) throw BerthException.invalid("invalid filter: filters must be a JSON object: %s", json);
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            List<String> values = new ArrayList<>();
            JsonNode v = e.getValue();
            if (v.isArray()) {
                v.forEach(x -> values.add(x.asText()));
            } else if (v.isObject()) {
                v.properties().forEach(x -> { if (x.getValue().asBoolean(true)) values.add(x.getKey()); });
            } else if (v.isTextual()) {
                values.add(v.asText());
            } else if (!v.isNull()) {
                throw BerthException.invalid("invalid filter '%s': want a list or a map of values", e.getKey());
            }
            out.put(e.getKey(), values);
        }
        return out;
    }

    /** Refuses filter keys outside {@code allowed}, as Docker does ("invalid filter 'x'"). */
    public static void checkKeys(Map<String, List<String>> filters, Set<String> allowed) {
        for (String k : filters.keySet())
            if (!allowed.contains(k)) throw BerthException.invalid("invalid filter '%s'", k);
    }

    /** A boolean filter such as {@code dangling}: null when absent; true/1 or false/0 otherwise. */
    public static Boolean boolFilter(Map<String, List<String>> filters, String key) {
        List<String> values = filters.get(key);
        if (values == null || values.isEmpty()) return null;
        Boolean result = null;
        for (String v : values) {
            boolean b = switch (v.toLowerCase(Locale.ROOT)) {
                case "true", "1" -> true;
                case "false", "0" -> false;
                default -> throw BerthException.invalid("invalid filter '%s=%s'", key, v);
            };
            if (result != null && result != b) throw BerthException.invalid("invalid filter '%s': conflicting values %s", key, values);
            result = b;
        }
        return result;
    }
}
