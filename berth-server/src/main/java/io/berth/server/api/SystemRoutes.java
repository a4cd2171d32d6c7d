package io.berth.server.api;

import io.berth.api.BerthException;
import io.berth.api.image.RegistryAuth;
import io.berth.api.system.SystemEngine;
import io.berth.server.wire.InfoJson;
import io.berth.server.wire.RegistryAuthJson;
import io.berth.server.wire.VersionJson;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code /_ping}, {@code /version}, {@code /info}, {@code /auth}. */
public final class SystemRoutes {
    private static final Map<String, String> PING_HEADERS = Map.of(
            "Cache-Control", "no-cache, no-store, must-revalidate",
            "Pragma", "no-cache",
            // "1" = classic builder: Berth has no BuildKit session endpoint for the CLI to use.
            "Builder-Version", "1");
    private final SystemEngine system;

    public SystemRoutes(SystemEngine system) { this.system = system; }

    public void register(Router router) {
        router.add("GET", "/_ping", this::ping)
              .add("HEAD", "/_ping", this::ping)
              .add("GET", "/version", r -> r.json(200, VersionJson.from(system.version(), ApiVersion.MAX.toString(), ApiVersion.MIN.toString())))
              .add("GET", "/info", r -> r.json(200, InfoJson.from(system.info(), Instant.now())))
              .add("POST", "/auth", this::auth);
    }

    private void ping(ApiRequest r) {
        r.exchange().respond(200, "text/plain; charset=utf-8", "OK".getBytes(StandardCharsets.UTF_8), PING_HEADERS);
    }

    private void auth(ApiRequest r) {
        RegistryAuth auth = r.readJson(RegistryAuthJson.class, "logging in").toAuth();
        if (auth == null) throw BerthException.invalid("logging in: username and password are required");
        String status = system.login(auth);
        Map<String, String> body = new LinkedHashMap<>();
        body.put("Status", status == null || status.isEmpty() ? "Login Succeeded" : status);
        body.put("IdentityToken", "");
        r.json(200, body);
    }
}
