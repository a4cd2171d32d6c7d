package io.berth.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.api.BerthException;
import io.berth.api.container.AttachOptions;
import io.berth.api.container.AttachSession;
import io.berth.api.container.ContainerDetails;
import io.berth.api.container.ContainerEngine;
import io.berth.api.container.ContainerListOptions;
import io.berth.api.container.ContainerSpec;
import io.berth.api.container.ContainerSummary;
import io.berth.api.container.CreateReport;
import io.berth.api.container.ExecDetails;
import io.berth.api.container.ExecSpec;
import io.berth.api.container.LogEntry;
import io.berth.api.container.LogOptions;
import io.berth.api.container.LogStream;
import io.berth.api.container.WaitCondition;
import io.berth.api.container.WaitResult;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@link ContainerEngine} over the Docker Engine API, with the call shapes the docker CLI uses
 * (docker-api.md §3): attach and exec start are hijacked connections ({@code Upgrade: tcp}),
 * wait is a long poll that can be sent before start ({@link #waitAsync}), logs and non-TTY
 * streams are demultiplexed from 8-byte frames. Obtained from {@link BerthClient#containers()}.
 */
public final class ContainerClient implements ContainerEngine {
    private final BerthClient c;

    ContainerClient(BerthClient c) { this.c = c; }

    @Override public CreateReport create(ContainerSpec spec) { return create(spec, true); }

    /** @param attachOutput false for {@code run -d}/{@code create} without a terminal to attach (Docker's Attach* fields) */
    public CreateReport create(ContainerSpec spec, boolean attachOutput) {
        BerthClient.Query q = new BerthClient.Query().add("name", spec.name());
        JsonNode r = c.requestJson("POST", "/containers/create" + q, ContainerJson.createBody(spec, attachOutput));
        List<String> warnings = r.path("Warnings").isArray() ? BerthClient.strings(r.path("Warnings")) : List.of();
        return new CreateReport(r.path("Id").asText(), warnings);
    }

    @Override public void start(String ref) { post("/containers/" + p(ref) + "/start"); }

    @Override public void stop(String ref, Integer timeoutSeconds, String signal) {
        post("/containers/" + p(ref) + "/stop" + stopQuery(timeoutSeconds, signal));
    }

    @Override public void restart(String ref, Integer timeoutSeconds, String signal) {
        post("/containers/" + p(ref) + "/restart" + stopQuery(timeoutSeconds, signal));
    }

    private static BerthClient.Query stopQuery(Integer t, String signal) {
        return new BerthClient.Query().add("t", t == null ? null : t.toString()).add("signal", signal);
    }

    @Override public void kill(String ref, String signal) {
        post("/containers/" + p(ref) + "/kill" + new BerthClient.Query().add("signal", signal));
    }

    @Override public void pause(String ref) { post("/containers/" + p(ref) + "/pause"); }

    @Override public void unpause(String ref) { post("/containers/" + p(ref) + "/unpause"); }

    @Override public WaitResult wait(String ref, WaitCondition condition) {
        try (PendingWait w = waitAsync(ref, condition)) { return w.result(); }
    }

    /**
     * Sends {@code POST /containers/ID/wait} and returns once the request is on the wire, so that
     * a following start cannot race past it (the docker CLI's order for run: wait, then start).
     */
    public PendingWait waitAsync(String ref, WaitCondition condition) {
        String target = c.prefix() + "/containers/" + p(ref) + "/wait"
                + new BerthClient.Query().add("condition", condition == null || condition == WaitCondition.NOT_RUNNING ? null : condition.word());
        try {
            return new PendingWait(ref, c.http.send("POST", target, null, null));
        } catch (UnixHttp.ConnectFailedException e) {
            throw new UnreachableException(c.host(), e.getCause());
        } catch (IOException e) {
            throw BerthClient.broken("waiting for " + ref, e);
        }
    }

    /** A wait whose answer comes when the condition holds. */
    public static final class PendingWait implements AutoCloseable {
        private final String ref;
        private final UnixHttp.Pending pending;

        PendingWait(String ref, UnixHttp.Pending pending) { this.ref = ref; this.pending = pending; }

        /** Blocks for the answer; a daemon error (404, 409) is a DaemonException. */
        public WaitResult result() {
            try (UnixHttp.Response r = pending.response()) {
                byte[] body = r.readAll();
                if (r.status() >= 400) throw new DaemonException(r.status(), BerthClient.errorMessage(r.status(), body));
                JsonNode n = Json.mapper().readTree(body);
                JsonNode err = n.path("Error");
                String msg = err.isObject() ? err.path("Message").asText(null) : null;
                return new WaitResult(n.path("StatusCode").asInt(), msg == null || msg.isEmpty() ? null : msg);
            } catch (IOException e) {
                throw BerthClient.broken("waiting for " + ref, e);
            }
        }

        @Override public void close() { pending.close(); }
    }

    @Override public void remove(String ref, boolean force, boolean volumes) {
        BerthClient.Query q = new BerthClient.Query();
        if (force) q.add("force", "1");
        if (volumes) q.add("v", "1");
        c.send("DELETE", "/containers/" + p(ref) + q, null, null).close();
    }

    @Override public void rename(String ref, String newName) {
        post("/containers/" + p(ref) + "/rename" + new BerthClient.Query().add("name", newName));
    }

    @Override public ContainerDetails inspect(String ref) {
        try { JsonNode n = Json.mapper().readTree(inspectRaw(ref)); return NetworkWire.details(ContainerJson.details(n), n); }
        catch (IOException e) { throw BerthException.internal("inspecting " + ref + ": malformed response", e); }
    }

    /** The daemon's {@code GET /containers/{id}/json} body as sent (docker prints it re-indented). */
    public String inspectRaw(String ref) {
        try (UnixHttp.Response r = c.send("GET", "/containers/" + p(ref) + "/json", null, null)) {
            return new String(r.readAll(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw BerthClient.broken("inspecting " + ref, e);
        }
    }

    @Override public List<ContainerSummary> list(ContainerListOptions options) {
        List<ContainerSummary> out = new ArrayList<>();
        for (JsonNode i : listJson(options)) out.add(NetworkWire.summary(ContainerJson.summary(i), i));
        return out;
    }

    /** The raw {@code GET /containers/json} array. */
    public JsonNode listJson(ContainerListOptions options) {
        BerthClient.Query q = new BerthClient.Query();
        if (options.all()) q.add("all", "1");
        if (options.limit() > 0) q.add("limit", Integer.toString(options.limit()));
        if (options.filters() != null && !options.filters().isEmpty()) {
            ObjectNode f = Json.mapper().createObjectNode();
            for (Map.Entry<String, List<String>> e : options.filters().entrySet()) {
                ObjectNode vals = f.putObject(e.getKey());
                for (String v : e.getValue()) vals.put(v, true);
            }
            q.add("filters", f.toString());
        }
        return c.getJson("/containers/json" + q);
    }

    @Override public LogStream logs(String ref, LogOptions o) {
        // Like the CLI: inspect first, to learn whether the stream is framed (no TTY) or raw.
        boolean tty = inspect(ref).spec().tty();
        return logs(ref, o, tty);
    }

    public LogStream logs(String ref, LogOptions o, boolean tty) {
        BerthClient.Query q = new BerthClient.Query();
        if (o.follow()) q.add("follow", "1");
        if (o.stderr()) q.add("stderr", "1");
        if (o.stdout()) q.add("stdout", "1");
        if (o.since() != null) q.add("since", unix(o.since()));
        if (o.until() != null) q.add("until", unix(o.until()));
        if (o.tail() >= 0) q.add("tail", Integer.toString(o.tail()));
        if (o.timestamps()) q.add("timestamps", "1");
        UnixHttp.Response r = c.send("GET", "/containers/" + p(ref) + "/logs" + q, null, null);
        FrameReader frames = new FrameReader(r.body(), tty);
        boolean parseTime = o.timestamps() && !tty;
        return new LogStream() {
            @Override public LogEntry next() throws IOException {
                var f = frames.next();
                if (f == null) return null;
                byte[] data = f.data();
                Instant time = null;
                if (parseTime) {
                    // "2026-11-23T13:40:49.400046297Z line\n": the daemon's time, then the line.
                    int sp = 0;
                    while (sp < data.length && data[sp] != ' ') sp++;
                    try {
                        time = OffsetDateTime.parse(new String(data, 0, sp, StandardCharsets.US_ASCII)).toInstant();
                        data = java.util.Arrays.copyOfRange(data, Math.min(sp + 1, data.length), data.length);
                    } catch (DateTimeParseException ignored) { /* not a timestamp: keep the frame whole */ }
                }
                return new LogEntry(time, f.stream(), data);
            }

            @Override public boolean tty() { return tty; }

            @Override public void close() { r.close(); }
        };
    }

    /** Docker's since/until: unix seconds with a nanosecond fraction. */
    static String unix(Instant t) {
        return t.getEpochSecond() + (t.getNano() == 0 ? "" : String.format(".%09d", t.getNano()));
    }

    @Override public AttachSession attach(String ref, AttachOptions options) {
        return attach(ref, options, inspect(ref).spec().tty());
    }

    /** Attach knowing whether the container has a TTY (run knows it; saves the inspect). */
    public AttachSession attach(String ref, AttachOptions o, boolean tty) {
        BerthClient.Query q = new BerthClient.Query();
        if (o.logs()) q.add("logs", "1");
        if (o.stderr()) q.add("stderr", "1");
        if (o.stdin()) q.add("stdin", "1");
        if (o.stdout()) q.add("stdout", "1");
        if (o.stream()) q.add("stream", "1");
        UnixHttp.Hijack h = hijack("/containers/" + p(ref) + "/attach" + q, null, "attaching to " + ref);
        Supplier<Integer> exit = () -> {
            try {
                var d = inspect(ref);
                return d.state().running() ? null : d.state().exitCode();
            } catch (BerthException e) { return null; } // removed (--rm): the wait result has the code
        };
        // The docker CLI half-closes at once when it has no stdin to send; do the same.
        if (!o.stdin()) closeWriteQuietly(h);
        return new HijackSession(h, tty, o.stdin(), exit);
    }

    @Override public void resize(String ref, int height, int width) {
        post("/containers/" + p(ref) + "/resize" + new BerthClient.Query().add("h", Integer.toString(height)).add("w", Integer.toString(width)));
    }

    @Override public String execCreate(String ref, ExecSpec s) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("User", s.user() == null ? "" : s.user());
        n.put("Privileged", s.privileged());
        n.put("Tty", s.tty());
        n.put("AttachStdin", s.attachStdin());
        n.put("AttachStderr", s.attachStderr());
        n.put("AttachStdout", s.attachStdout());
        n.put("Detach", false);
        n.put("DetachKeys", "");
        if (s.env() == null || s.env().isEmpty()) n.putNull("Env");
        else { ArrayNode a = n.putArray("Env"); s.env().forEach(a::add); }
        n.put("WorkingDir", s.workingDir() == null ? "" : s.workingDir());
        ArrayNode cmd = n.putArray("Cmd");
        s.cmd().forEach(cmd::add);
        if (s.consoleSize() != null) { ArrayNode cs = n.putArray("ConsoleSize"); s.consoleSize().forEach(cs::add); }
        return c.requestJson("POST", "/containers/" + p(ref) + "/exec", n).path("Id").asText();
    }

    @Override public AttachSession execStart(String execId, boolean detach, boolean tty) { return execStart(execId, detach, tty, true); }

    /** @param stdin false to half-close at once (docker exec without -i), so the process sees EOF on stdin */
    public AttachSession execStart(String execId, boolean detach, boolean tty, boolean stdin) {
        ObjectNode body = Json.mapper().createObjectNode().put("Detach", detach).put("Tty", tty);
        if (detach) {
            c.requestJson("POST", "/exec/" + p(execId) + "/start", body);
            return new HijackSession(null, tty, false, () -> execInspect(execId).exitCode());
        }
        UnixHttp.Hijack h = hijack("/exec/" + p(execId) + "/start",
                new UnixHttp.Body.Bytes(body.toString().getBytes(StandardCharsets.UTF_8), "application/json"), "starting exec " + execId);
        // The daemon records the exit code before it closes the stream (docker-api.md §3.10): inspect once, after EOF.
        if (!stdin) closeWriteQuietly(h);
        return new HijackSession(h, tty, stdin, () -> execInspect(execId).exitCode());
    }

    @Override public void execResize(String execId, int height, int width) {
        post("/exec/" + p(execId) + "/resize" + new BerthClient.Query().add("h", Integer.toString(height)).add("w", Integer.toString(width)));
    }

    @Override public ExecDetails execInspect(String execId) { return ContainerJson.exec(c.getJson("/exec/" + p(execId) + "/json")); }

    // ------------------------------------------------------------------ plumbing

    private static void closeWriteQuietly(UnixHttp.Hijack h) {
        try { h.closeWrite(); } catch (IOException ignored) { /* the read side tells whether the stream still works */ }
    }

    private void post(String path) { c.send("POST", path, null, null).close(); }

    private static String p(String ref) { return BerthClient.pathName(ref); }

    private UnixHttp.Hijack hijack(String path, UnixHttp.Body.Bytes body, String what) {
        UnixHttp.Hijack h;
        try {
            h = c.http.hijack("POST", c.prefix() + path, body);
        } catch (UnixHttp.ConnectFailedException e) {
            throw new UnreachableException(c.host(), e.getCause());
        } catch (IOException e) {
            throw BerthClient.broken(what, e);
        }
        if (h.error() != null) {
            try (UnixHttp.Response r = h.error()) {
                throw new DaemonException(r.status(), BerthClient.errorMessage(r.status(), r.readAll()));
            } catch (IOException e) {
                throw new DaemonException(h.status(), "HTTP " + h.status());
            }
        }
        return h;
    }

    /** A hijacked stream as an {@link AttachSession}; with no connection (detached exec) it is empty. */
    static final class HijackSession implements AttachSession {
        private final UnixHttp.Hijack h;
        private final boolean tty;
        private final FrameReader frames;
        private final OutputStream stdin;
        private final Supplier<Integer> exitCode;
        private volatile boolean ended;
        private Integer code;

        HijackSession(UnixHttp.Hijack h, boolean tty, boolean withStdin, Supplier<Integer> exitCode) {
            this.h = h;
            this.tty = tty;
            this.frames = h == null ? null : new FrameReader(h.in(), tty);
            this.stdin = h != null && withStdin ? h.out() : null;
            this.exitCode = exitCode;
            this.ended = h == null;
        }

        @Override public Frame read() throws IOException {
            if (ended) return null;
            Frame f;
            try { f = frames.next(); }
            catch (IOException e) {
                if (!h.channel().isOpen()) f = null; // closed by us: the end, not an error
                else throw e;
            }
            if (f == null) ended = true;
            return f;
        }

        @Override public OutputStream stdin() { return stdin; }

        @Override public boolean tty() { return tty; }

        @Override public synchronized Integer exitCode() {
            if (!ended) return null;
            if (code == null) code = exitCode.get();
            return code;
        }

        /** Half-closes: sends stdin EOF without ending the output (a no-op when stdin is not attached). */
        void closeStdin() throws IOException { if (h != null) h.closeWrite(); }

        @Override public void close() {
            ended = true;
            if (h != null) h.close();
        }
    }

    // stats/top/update

    @Override public io.berth.api.container.ContainerStats stats(String ref, boolean oneShot) {
        BerthClient.Query q = new BerthClient.Query().add("stream", "0");
        if (oneShot) q.add("one-shot", "1");
        return ResourceJson.stats(c.getJson("/containers/" + p(ref) + "/stats" + q));
    }

    @Override public io.berth.api.container.ProcessList top(String ref, String psArgs) {
        return ResourceJson.top(c.getJson("/containers/" + p(ref) + "/top" + new BerthClient.Query().add("ps_args", psArgs)));
    }

    @Override public List<String> update(String ref, io.berth.api.container.ContainerUpdate update) {
        JsonNode r = c.requestJson("POST", "/containers/" + p(ref) + "/update", ResourceJson.updateBody(update));
        return r.path("Warnings").isArray() ? BerthClient.strings(r.path("Warnings")) : List.of();
    }

    // ---- cp (archive endpoints) -----------------------------------------------------------------------

    @Override public io.berth.api.container.PathStat archiveStat(String ref, String path) {
        BerthClient.Query q = new BerthClient.Query().add("path", path);
        try (UnixHttp.Response r = c.send("HEAD", "/containers/" + p(ref) + "/archive" + q, null, null)) {
            return ArchiveStats.parse(r.header("X-Docker-Container-Path-Stat"));
        } catch (DaemonException e) {
            // HEAD carries no body, so the daemon's message is lost: say it as Docker does.
            if (e.status() == 404) throw new DaemonException(404, "Could not find the file " + path + " in container " + ref);
            throw e;
        }
    }

    @Override public io.berth.api.container.ArchiveRead archiveGet(String ref, String path) {
        BerthClient.Query q = new BerthClient.Query().add("path", path);
        UnixHttp.Response r = c.send("GET", "/containers/" + p(ref) + "/archive" + q, null, null);
        io.berth.api.container.PathStat st;
        try {
            st = ArchiveStats.parse(r.header("X-Docker-Container-Path-Stat"));
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
        java.io.InputStream body = new java.io.FilterInputStream(r.body()) {
            @Override public void close() { r.close(); }
        };
        return new io.berth.api.container.ArchiveRead(st, body);
    }

    @Override public void archivePut(String ref, String path, java.io.InputStream tar, boolean noOverwriteDirNonDir) {
        BerthClient.Query q = new BerthClient.Query().add("path", path).add("noOverwriteDirNonDir", Boolean.toString(noOverwriteDirNonDir));
        c.send("PUT", "/containers/" + p(ref) + "/archive" + q, null, new UnixHttp.Body.Stream(tar, "application/x-tar")).close();
    }

    // ---- events and prune -----------------------------------------------------------------------------

    private static String filtersJson(Map<String, List<String>> filters) {
        ObjectNode f = Json.mapper().createObjectNode();
        for (Map.Entry<String, List<String>> e : filters.entrySet()) {
            ObjectNode vals = f.putObject(e.getKey());
            for (String v : e.getValue()) vals.put(v, true);
        }
        return f.toString();
    }

    /** {@code GET /events}: one JSON object per line, read as it arrives. */
    @Override public io.berth.api.container.EventStream events(io.berth.api.container.EventOptions o) {
        BerthClient.Query q = new BerthClient.Query();
        if (o.since() != null) q.add("since", unix(o.since()));
        if (o.until() != null) q.add("until", unix(o.until()));
        if (!o.filters().isEmpty()) q.add("filters", filtersJson(o.filters()));
        UnixHttp.Response r = c.send("GET", "/events" + q, null, null);
        var lines = new java.io.BufferedReader(new java.io.InputStreamReader(r.body(), StandardCharsets.UTF_8));
        return new io.berth.api.container.EventStream() {
            @Override public io.berth.api.container.Event next() {
                try {
                    for (String line; (line = lines.readLine()) != null; ) {
                        if (line.isBlank()) continue;
                        JsonNode n = Json.mapper().readTree(line);
                        Map<String, String> attrs = new java.util.TreeMap<>();
                        n.at("/Actor/Attributes").properties().forEach(e -> attrs.put(e.getKey(), e.getValue().asText()));
                        return new io.berth.api.container.Event(n.path("Type").asText(), n.path("Action").asText(),
                                n.at("/Actor/ID").asText(), attrs, n.hasNonNull("from") ? n.get("from").asText() : null, n.path("timeNano").asLong());
                    }
                    return null;
                } catch (IOException e) {
                    return null; // the daemon or the caller closed the stream
                }
            }

            @Override public void close() { r.close(); }
        };
    }

    @Override public io.berth.api.container.PruneReport prune(Map<String, List<String>> filters) {
        BerthClient.Query q = new BerthClient.Query();
        if (filters != null && !filters.isEmpty()) q.add("filters", filtersJson(filters));
        JsonNode n = c.requestJson("POST", "/containers/prune" + q, null);
        List<String> ids = new ArrayList<>();
        n.path("ContainersDeleted").forEach(x -> ids.add(x.asText()));
        return new io.berth.api.container.PruneReport(ids, n.path("SpaceReclaimed").asLong());
    }

    /** The Berth extension {@code GET /berth/v1/system/check}. */
    @Override public io.berth.api.container.SystemCheckReport systemCheck() {
        JsonNode n = c.getJson("/berth/v1/system/check");
        List<io.berth.api.container.SystemCheckReport.Check> checks = new ArrayList<>();
        n.path("Checks").forEach(x -> checks.add(new io.berth.api.container.SystemCheckReport.Check(x.path("Name").asText(),
                x.path("Ok").asBoolean(), x.path("Required").asBoolean(), x.path("Detail").asText())));
        List<String> cleaned = new ArrayList<>();
        n.path("Cleaned").forEach(x -> cleaned.add(x.asText()));
        return new io.berth.api.container.SystemCheckReport(checks, cleaned);
    }
}
