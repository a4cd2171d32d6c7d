package io.berth.server.api;

import io.berth.api.BerthException;
import io.berth.api.container.ContainerEngine;
import io.berth.api.container.Event;
import io.berth.api.container.EventOptions;
import io.berth.api.container.EventStream;
import io.berth.server.http.HttpExchange;
import io.berth.server.wire.EventJson;
import io.berth.server.wire.Json;

import java.io.IOException;
import java.time.Instant;

/**
 * {@code GET /events}, {@code POST /containers/prune} and the Berth extension
 * {@code GET /berth/v1/system/check} (preflight and orphan cleanup report). The event stream sends its headers at
 * once (the docker CLI waits for them before it runs anything else) and then one JSON object per
 * line, flushed each; it ends at {@code until} or when the client leaves.
 */
public final class EventRoutes {
    private final ContainerEngine containers;

    public EventRoutes(ContainerEngine containers) { this.containers = containers; }

    public void register(Router router) {
        router.add("GET", "/events", this::events)
              .add("POST", "/containers/prune", r -> r.json(200, EventJson.prune(containers.prune(r.filters()))))
              .add("GET", "/berth/v1/system/check", r -> r.json(200, EventJson.systemCheck(containers.systemCheck())));
    }

    private void events(ApiRequest r) throws IOException {
        EventOptions o = new EventOptions(time(r.query("since")), time(r.query("until")), r.filters());
        try (EventStream events = containers.events(o)) {
            HttpExchange.ChunkedResponse out = r.exchange().startChunked(200, "application/json");
            Thread self = Thread.currentThread();
            r.exchange().onClientGone(() -> { events.close(); self.interrupt(); });
            try {
                for (Event e; (e = events.next()) != null; ) {
                    byte[] json = Json.bytes(EventJson.event(e));
                    byte[] line = java.util.Arrays.copyOf(json, json.length + 1);
                    line[json.length] = '\n';
                    out.write(line);
                }
                out.end();
            } catch (IOException | InterruptedException gone) { // the client left: nothing to report to
                Thread.interrupted();
                r.exchange().abort();
            }
        }
    }

    /** Docker's since/until: unix seconds with an optional fraction ("1795441373.123456789"); empty is none. */
    static Instant time(String v) {
        if (v == null || v.isBlank()) return null;
        if (!v.matches("-?[0-9]+(\\.[0-9]{1,9})?"))
            throw BerthException.invalid("invalid timestamp %s: want unix seconds with an optional fraction", v);
        int dot = v.indexOf('.');
        long secs = Long.parseLong(dot < 0 ? v : v.substring(0, dot));
        long nanos = dot < 0 ? 0 : Long.parseLong((v.substring(dot + 1) + "000000000").substring(0, 9));
        return Instant.ofEpochSecond(secs, nanos);
    }
}
