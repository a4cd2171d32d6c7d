package io.berth.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.api.BerthException;
import io.berth.api.container.AttachOptions;
import io.berth.api.container.AttachSession;
import io.berth.api.container.ContainerEngine;
import io.berth.api.container.ContainerListOptions;
import io.berth.api.container.ContainerSummary;
import io.berth.api.container.CreateReport;
import io.berth.api.container.LogEntry;
import io.berth.api.container.LogOptions;
import io.berth.api.container.LogStream;
import io.berth.api.container.WaitCondition;
import io.berth.api.container.WaitResult;
import io.berth.server.http.HttpExchange;
import io.berth.server.wire.ContainerJson;
import io.berth.server.wire.Json;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * The container and exec endpoints. Handlers translate Docker's query parameters and JSON into
 * the {@link ContainerEngine} records and back ({@link ContainerJson}); attach and exec start
 * take over the connection ({@link HttpExchange#hijack}) and run {@link StdioStreams#pump}.
 * Engine errors become statuses in {@link ApiDispatcher} before any stream starts.
 */
public final class ContainerRoutes {
    private static final Pattern HIJACK_PATH = Pattern.compile("^(/v[0-9]+\\.[0-9]+)?(/containers/[^/?]+/attach|/exec/[^/?]+/start)(\\?.*)?$");

    /** How long wait's headers may be held back for the engine's waiter to be in place. */
    private static final java.time.Duration WAIT_REGISTER = java.time.Duration.ofMillis(250);

    private final ContainerEngine containers;

    public ContainerRoutes(ContainerEngine containers) { this.containers = containers; }

    /**
     * Decided on the event loop before the handler runs: requests that may become a raw stream.
     * Matched on the path (docker-java sends no Upgrade header) and on {@code Upgrade: tcp}.
     */
    public static boolean hijackCandidate(HttpRequest r) {
        if (!r.method().equals(HttpMethod.POST)) return false;
        String up = r.headers().get("Upgrade");
        return (up != null && up.equalsIgnoreCase("tcp")) || HIJACK_PATH.matcher(r.uri()).matches();
    }

    public void register(Router router) {
        new EventRoutes(containers).register(router); // events, container prune (before /containers/{id} routes)
        router.add("POST", "/containers/create", this::create)
              .add("GET", "/containers/json", this::list)
              .add("GET", "/containers/{id}/json", r -> r.json(200, ContainerJson.inspect(containers.inspect(r.path("id")))))
              .add("POST", "/containers/{id}/start", r -> { containers.start(r.path("id")); r.empty(204); })
              .add("POST", "/containers/{id}/stop", r -> {
                  containers.stop(r.path("id"), intParam(r, "t"), blankToNull(r.query("signal")));
                  r.empty(204);
              })
              .add("POST", "/containers/{id}/restart", r -> {
                  containers.restart(r.path("id"), intParam(r, "t"), blankToNull(r.query("signal")));
                  r.empty(204);
              })
              .add("POST", "/containers/{id}/kill", this::kill)
              .add("POST", "/containers/{id}/pause", r -> { containers.pause(r.path("id")); r.empty(204); })
              .add("POST", "/containers/{id}/unpause", r -> { containers.unpause(r.path("id")); r.empty(204); })
              .add("POST", "/containers/{id}/wait", this::await)
              .add("POST", "/containers/{id}/rename", this::rename)
              .add("POST", "/containers/{id}/resize", r -> {
                  containers.resize(r.path("id"), intParam(r, "h", 0), intParam(r, "w", 0));
                  r.text(200, "");
              })
              .add("POST", "/containers/{id}/attach", this::attach)
              .add("GET", "/containers/{id}/logs", this::logs)
              .add("DELETE", "/containers/{id}", r -> {
                  containers.remove(r.path("id"), r.bool("force"), r.bool("v"));
                  r.empty(204);
              })
              .add("POST", "/containers/{id}/exec", r -> {
                  String id = containers.execCreate(r.path("id"), ContainerJson.execSpec(r.readJson(JsonNode.class, "creating an exec")));
                  r.json(201, Map.of("Id", id));
              })
              .add("POST", "/exec/{id}/start", this::execStart)
              .add("POST", "/exec/{id}/resize", r -> {
                  containers.execResize(r.path("id"), intParam(r, "h", 0), intParam(r, "w", 0));
                  r.text(200, "");
              })
              .add("GET", "/exec/{id}/json", r -> r.json(200, ContainerJson.execInspect(containers.execInspect(r.path("id")))));
        new ResourceRoutes(containers).register(router); // stats, top, update
        new ArchiveRoutes(containers).register(router); // cp
    }

    private void create(ApiRequest r) {
        JsonNode body = r.readJson(JsonNode.class, "creating a container");
        CreateReport rep = containers.create(ContainerJson.createSpec(body, r.query("name"))
                .withNetwork(io.berth.server.wire.NetworkJson.containerSpec(body)));
        r.json(201, ContainerJson.created(rep.id(), rep.warnings()));
    }

    private void list(ApiRequest r) {
        int limit = intParam(r, "limit", -1);
        var opts = new ContainerListOptions(r.bool("all") || limit > 0, limit <= 0 ? -1 : limit, r.filters());
        List<Object> out = new ArrayList<>();
        for (ContainerSummary s : containers.list(opts)) out.add(io.berth.server.wire.NetworkJson.summary(s, "none"));
        r.json(200, out);
    }

    private void kill(ApiRequest r) {
        String ref = r.path("id");
        try {
            containers.kill(ref, blankToNull(r.query("signal")));
        } catch (BerthException e) {
            // Docker's wording: "Cannot kill container: NAME: Container ID is not running".
            if (e.kind() == BerthException.Kind.CONFLICT) throw BerthException.conflict("Cannot kill container: %s: %s", ref, e.getMessage());
            throw e;
        }
        r.empty(204);
    }

    private void rename(ApiRequest r) {
        String name = r.query("name");
        if (name == null || name.isEmpty()) throw BerthException.invalid("renaming a container: name is required");
        containers.rename(r.path("id"), name.startsWith("/") ? name.substring(1) : name);
        r.empty(204);
    }

    /**
     * The CLI sends wait before start and issues start only once the wait's headers have come, so
     * the engine's waiter must be in place before they are flushed, or a container that runs and
     * goes (`run --rm echo`) between the two is missed ("No such container"). The blocking engine
     * call runs on its own virtual thread; the headers go out once that thread has parked (waiting
     * for the container) or after {@link #WAIT_REGISTER}; an error raised before that (404) is
     * still a status, as with moby, which resolves the container before writing the header.
     */
    private void await(ApiRequest r) throws Exception {
        String ref = r.path("id");
        WaitCondition cond = WaitCondition.parse(r.query("condition"));
        CompletableFuture<WaitResult> result = new CompletableFuture<>();
        Thread waiter = Thread.ofVirtual().name("berth-wait").start(() -> {
            try { result.complete(containers.wait(ref, cond)); }
            catch (Throwable t) { result.completeExceptionally(t); }
        });
        long deadline = System.nanoTime() + WAIT_REGISTER.toNanos();
        while (!result.isDone() && System.nanoTime() < deadline) {
            Thread.State st = waiter.getState();
            if (st == Thread.State.WAITING || st == Thread.State.TIMED_WAITING) break; // parked: the waiter is in place
            Thread.sleep(1);
        }
        if (result.isDone() && result.isCompletedExceptionally()) {
            try { result.join(); }
            catch (java.util.concurrent.CompletionException e) { if (e.getCause() instanceof BerthException b) throw b; }
        }
        HttpExchange.ChunkedResponse out = r.exchange().startChunked(200, "application/json");
        r.exchange().onClientGone(() -> { // `docker run -d` abandons its wait
            waiter.interrupt();
            result.cancel(false);
        });
        WaitResult res;
        try {
            res = result.get();
        } catch (java.util.concurrent.CancellationException | InterruptedException gone) {
            r.exchange().abort();
            return;
        } catch (java.util.concurrent.ExecutionException e) {
            res = new WaitResult(-1, e.getCause() instanceof BerthException ? e.getCause().getMessage() : String.valueOf(e.getCause()));
        }
        try {
            out.write((Json.string(ContainerJson.waitBody(res)) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.end();
        } catch (IOException gone) {
            r.exchange().abort();
        }
    }

    private void logs(ApiRequest r) throws IOException {
        boolean stdout = r.bool("stdout"), stderr = r.bool("stderr");
        if (!stdout && !stderr) throw BerthException.invalid("Bad parameters: you must choose at least one stream");
        boolean timestamps = r.bool("timestamps");
        LogOptions opts = new LogOptions(stdout, stderr, r.bool("follow"), timestamps, time(r.query("since")),
                time(r.query("until")), tail(r.query("tail")));
        try (LogStream logs = containers.logs(r.path("id"), opts)) {
            boolean tty = logs.tty();
            String ct = r.version().lessThan(new ApiVersion(1, 42)) ? null : StdioStreams.contentType(r.version(), tty);
            HttpExchange.ChunkedResponse out = r.exchange().startChunked(200, ct);
            Thread self = Thread.currentThread();
            if (opts.follow()) r.exchange().onClientGone(self::interrupt); // Ctrl-C on `logs -f`
            try {
                for (LogEntry e; (e = logs.next()) != null && !self.isInterrupted(); ) {
                    byte[] p = StdioStreams.logPayload(e, timestamps);
                    out.write(tty ? p : StdioStreams.frame(e.stream(), p, 0, p.length));
                }
                if (Thread.interrupted()) r.exchange().abort();
                else out.end();
            } catch (IOException gone) { // the client left: nothing to report to
                Thread.interrupted();
                r.exchange().abort();
            }
        }
    }

    private void attach(ApiRequest r) throws IOException {
        AttachOptions opts = new AttachOptions(r.bool("stdin"), r.bool("stdout"), r.bool("stderr"), r.bool("logs"),
                r.query("stream") == null || r.bool("stream"));
        // Docker passes the client's stdin EOF on only to a StdinOnce container (`run -i` sets it);
        // a container started with -i and attached to later keeps its stdin open for the next client.
        boolean closeStdin = !opts.stdin() || stdinOnce(r.path("id"));
        AttachSession s = containers.attach(r.path("id"), opts);
        HttpExchange.RawStream raw;
        try {
            raw = r.exchange().hijack(upgrade(r), StdioStreams.contentType(r.version(), s.tty()));
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        StdioStreams.pump(s, raw, closeStdin);
    }

    private boolean stdinOnce(String ref) {
        var spec = containers.inspect(ref).spec();
        return spec == null || spec.stdinOnce();
    }

    private void execStart(ApiRequest r) throws IOException {
        JsonNode body = r.exchange().headers().contains("Content-Length", "0", true) ? null : readOptional(r);
        boolean detach = body != null && body.path("Detach").asBoolean(false);
        boolean tty = body != null && body.path("Tty").asBoolean(false);
        AttachSession s = containers.execStart(r.path("id"), detach, tty);
        if (detach) {
            s.close();
            r.empty(200);
            return;
        }
        HttpExchange.RawStream raw;
        try {
            raw = r.exchange().hijack(upgrade(r), StdioStreams.contentType(r.version(), s.tty()));
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        StdioStreams.pump(s, raw);
    }

    private static JsonNode readOptional(ApiRequest r) {
        try {
            byte[] data = r.body().readNBytes(1 << 20);
            return data.length == 0 ? null : Json.MAPPER.readTree(data);
        } catch (IOException e) {
            throw BerthException.invalid("starting an exec: invalid JSON: %s", e.getMessage());
        }
    }

    private static boolean upgrade(ApiRequest r) {
        String up = r.header("Upgrade");
        return up != null && up.equalsIgnoreCase("tcp");
    }

    private static String blankToNull(String s) { return s == null || s.isEmpty() ? null : s; }

    private static Integer intParam(ApiRequest r, String name) {
        String v = r.query(name);
        if (v == null || v.isEmpty()) return null;
        try { return Integer.parseInt(v); }
        catch (NumberFormatException e) { throw BerthException.invalid("invalid value for %s: %s", name, v); }
    }

    private static int intParam(ApiRequest r, String name, int dflt) {
        Integer v = intParam(r, name);
        return v == null ? dflt : v;
    }

    private static int tail(String v) {
        if (v == null || v.isEmpty() || v.equals("all")) return -1;
        try { return Math.max(-1, Integer.parseInt(v)); }
        catch (NumberFormatException e) { return -1; } // Docker treats an unparsable tail as "all"
    }

    /** Unix seconds with an optional fraction (what the CLI sends), or RFC3339. 0 or empty means unset. */
    static Instant time(String v) {
        if (v == null || v.isEmpty()) return null;
        try {
            BigDecimal d = new BigDecimal(v);
            if (d.signum() == 0) return null;
            long s = d.longValue();
            int nanos = d.subtract(BigDecimal.valueOf(s)).movePointRight(9).intValue();
            return Instant.ofEpochSecond(s, nanos);
        } catch (NumberFormatException e) {
            try { return OffsetDateTime.parse(v).toInstant(); }
            catch (RuntimeException e2) { throw BerthException.invalid("invalid time value: %s", v); }
        }
    }
}
