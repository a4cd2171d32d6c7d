package io.berth.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.api.BerthException;
import io.berth.api.image.HistoryEntry;
import io.berth.api.image.ImageDetails;
import io.berth.api.image.ImageEngine;
import io.berth.api.image.ImageListOptions;
import io.berth.api.image.ImageSummary;
import io.berth.api.image.LoadReport;
import io.berth.api.image.PruneOptions;
import io.berth.api.image.PruneReport;
import io.berth.api.image.PullEvent;
import io.berth.api.image.PullListener;
import io.berth.api.image.PullOptions;
import io.berth.api.image.PullReport;
import io.berth.api.image.RegistryAuth;
import io.berth.api.image.RemoveItem;
import io.berth.api.image.RemoveOptions;
import io.berth.api.system.InfoReport;
import io.berth.api.system.SystemEngine;
import io.berth.api.system.VersionReport;
import io.berth.spec.image.Digest;
import io.berth.spec.image.ImageConfig;
import io.berth.spec.image.Reference;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The Berth API over the Docker Engine API on a unix socket: talks to berthd, and (for the
 * endpoints Docker has) to a real dockerd too. Stateless and thread-safe; each call opens its
 * own connection.
 *
 * <pre>{@code
 * BerthClient c = new BerthClient("unix:///run/berth/berth.sock");
 * c.pull(PullOptions.of("127.0.0.1:5000/app:1"), e -> System.out.println(e.status()));
 * List<ImageSummary> images = c.list(ImageListOptions.ALL);
 * }</pre>
 *
 * Errors: {@link UnreachableException} when nothing listens, {@link DaemonException} (a
 * {@link BerthException} whose kind follows the HTTP status) when the daemon refuses, and
 * BerthException UNAVAILABLE when the connection breaks mid-exchange.
 */
public final class BerthClient implements ImageEngine, SystemEngine {
    private volatile ContainerClient containers;

    /** The API version this client speaks (and the newest berthd serves). */
    public static final String API_VERSION = "1.44";
    public static final String DEFAULT_HOST = "unix:///run/berth/berth.sock";

    private final String host;
    final UnixHttp http;
    private final Function<String, RegistryAuth> credentials;
    private volatile String apiPrefix;

    /** A client for {@code unix:///path.sock} (or a bare socket path), with credentials from docker's config.json. */
    public BerthClient(String host) {
        this(host, registry -> DockerConfig.load().credentials(registry).orElse(null));
    }

    /** @param credentials registry host ("docker.io", "127.0.0.1:5000") → stored credentials or null */
    public BerthClient(String host, Function<String, RegistryAuth> credentials) {
        this.host = host;
        this.http = new UnixHttp(socketPath(host));
        this.credentials = credentials;
    }

    /** The socket path of a {@code unix://} host; other schemes are refused (berthd listens on unix sockets only). */
    public static Path socketPath(String host) {
        if (host.startsWith("unix://")) {
            String p = host.substring("unix://".length());
            if (p.isEmpty()) throw BerthException.invalid("invalid host %s: empty socket path", host);
            return Path.of(p);
        }
        if (host.startsWith("/")) return Path.of(host);
        throw BerthException.invalid("unsupported host %s: only unix:///path/to.sock is supported", host);
    }

    public String host() { return host; }

    /**
     * The container verbs over the same connection settings. A separate object because
     * {@link io.berth.api.container.ContainerEngine#inspect} and {@link ImageEngine#inspect}
     * share a signature with different results, so one class cannot implement both.
     */
    public ContainerClient containers() {
        ContainerClient c = containers;
        if (c == null) containers = c = new ContainerClient(this);
        return c;
    }

    /** The volume verbs ({@code /volumes}). */
    public VolumeClient volumes() { return new VolumeClient(this); }

    // ---------------------------------------------------------------- system

    /** What {@code GET /_ping} says: Api-Version, OS type and the Server header. */
    public record Ping(String apiVersion, String osType, String server) { }

    public Ping ping() {
        try (UnixHttp.Response r = send("GET", "/_ping", null, null)) {
            Ping p = new Ping(r.header("Api-Version"), r.header("Ostype"), r.header("Server"));
            if (apiPrefix == null) apiPrefix = negotiated(p.apiVersion());
            return p;
        }
    }

    /** The raw {@code /version} object (the CLI prints its Components). */
    public JsonNode versionJson() { return getJson("/version"); }

    @Override public VersionReport version() {
        JsonNode v = versionJson();
        String runtime = null;
        for (JsonNode c : v.path("Components")) if (c.path("Name").asText().equals("runc")) runtime = c.path("Version").asText();
        return new VersionReport(text(v, "Version"), text(v, "ApiVersion"), text(v, "MinAPIVersion"), text(v, "GitCommit"),
                text(v, "GoVersion"), text(v, "Os"), text(v, "Arch"), text(v, "KernelVersion"), text(v, "BuildTime"), runtime);
    }

    /** The raw {@code /info} object. */
    public JsonNode infoJson() { return getJson("/info"); }

    @Override public InfoReport info() {
        JsonNode i = infoJson();
        List<List<String>> driverStatus = new ArrayList<>();
        for (JsonNode pair : i.path("DriverStatus")) {
            List<String> row = new ArrayList<>();
            pair.forEach(x -> row.add(x.asText()));
            driverStatus.add(row);
        }
        return new InfoReport(text(i, "ID"), i.path("Containers").asInt(), i.path("ContainersRunning").asInt(),
                i.path("ContainersPaused").asInt(), i.path("ContainersStopped").asInt(), i.path("Images").asInt(),
                text(i, "Driver"), driverStatus, text(i, "DockerRootDir"), text(i, "KernelVersion"),
                text(i, "OperatingSystem"), text(i, "OSVersion"), text(i, "Architecture"), i.path("NCPU").asInt(),
                i.path("MemTotal").asLong(), text(i, "Name"), text(i, "ServerVersion"), text(i, "CgroupVersion"),
                text(i, "CgroupDriver"), strings(i.path("RegistryConfig").path("InsecureRegistryCIDRs")),
                strings(i.path("Warnings")));
    }

    /** What {@code POST /auth} answered. */
    public record AuthResult(String status, String identityToken) { }

    public AuthResult auth(RegistryAuth auth) {
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("username", auth.username()).put("password", auth.password()).put("serveraddress", auth.serverAddress());
        if (auth.identityToken() != null) body.put("identitytoken", auth.identityToken());
        JsonNode r = postJson("/auth", body);
        String token = text(r, "IdentityToken");
        return new AuthResult(text(r, "Status"), token == null || token.isEmpty() ? null : token);
    }

    @Override public String login(RegistryAuth auth) { return auth(auth).status(); }

    // ---------------------------------------------------------------- images

    /**
     * Pulls and reports Docker's JSON progress lines as they come; returns the final reference,
     * the manifest digest and whether anything was downloaded (imageId stays null here).
     * An {@code errorDetail} line becomes a BerthException.
     */
    public PullReport pullStream(PullOptions options, Consumer<JsonMessage> listener) {
        Reference ref;
        try { ref = Reference.parse(options.reference()); }
        catch (IllegalArgumentException e) { throw BerthException.invalid("%s", e.getMessage()); }
        Query q = new Query()
                .add("fromImage", ref.familiarName())
                .add("tag", ref.digest() != null ? ref.digest().toString() : ref.tag());
        if (options.platform() != null) q.add("platform", options.platform().toString());
        Map<String, String> headers = new LinkedHashMap<>();
        RegistryAuth auth = options.auth() != null ? options.auth() : credentials.apply(ref.domain());
        if (auth != null) headers.put("X-Registry-Auth", registryAuthHeader(auth));
        String[] finalRef = {ref.toString()};
        Digest[] digest = {null};
        boolean[] newer = {false};
        try (UnixHttp.Response r = send("POST", "/images/create" + q, headers, null)) {
            readMessages(r.body(), m -> {
                if (m.error() != null) throw streamError(m.error());
                String s = m.status();
                if (m.id() == null && s != null) {
                    if (s.startsWith("Digest: ")) {
                        try { digest[0] = Digest.parse(s.substring(8).trim()); } catch (IllegalArgumentException ignored) { }
                    } else if (s.startsWith("Status: Downloaded newer image for ")) {
                        newer[0] = true; finalRef[0] = s.substring("Status: Downloaded newer image for ".length()).trim();
                    } else if (s.startsWith("Status: Image is up to date for ")) {
                        finalRef[0] = s.substring("Status: Image is up to date for ".length()).trim();
                    }
                }
                listener.accept(m);
            });
        }
        return new PullReport(finalRef[0], null, digest[0], newer[0]);
    }

    @Override public PullReport pull(PullOptions options, PullListener listener) {
        PullReport r = pullStream(options, m -> {
            PullEvent e = toPullEvent(m);
            if (e != null) listener.onEvent(e);
        });
        Digest id = null;
        try { id = Digest.parse(text(getJson("/images/" + pathName(r.reference()) + "/json"), "Id")); }
        catch (RuntimeException ignored) { /* the pull succeeded; an ID we cannot read back stays null */ }
        return new PullReport(r.reference(), id, r.manifestDigest(), r.newer());
    }

    /** Docker's JSON progress line as a PullEvent; null for lines without meaning to a listener. */
    public static PullEvent toPullEvent(JsonMessage m) {
        String s = m.status();
        if (s == null) return m.stream() == null ? null : new PullEvent.Message(m.stream().strip());
        String id = m.id();
        if (id == null) return new PullEvent.Message(s);
        if (s.startsWith("Pulling from ")) return new PullEvent.Resolving(id, s.substring("Pulling from ".length()));
        return switch (s) {
            case "Pulling fs layer", "Waiting" -> new PullEvent.Waiting(id);
            case "Already exists" -> new PullEvent.AlreadyExists(id);
            case "Downloading" -> new PullEvent.Downloading(id, Math.max(0, m.current()), m.total());
            case "Verifying Checksum" -> new PullEvent.Verifying(id);
            case "Download complete" -> new PullEvent.Downloaded(id);
            case "Extracting" -> new PullEvent.Extracting(id, Math.max(0, m.current()), m.total());
            case "Pull complete" -> new PullEvent.Complete(id);
            default -> {
                if (s.startsWith("Retrying")) yield retrying(id, s);
                yield new PullEvent.Message(id + ": " + s);
            }
        }; 
    }

    private static PullEvent retrying(String id, String s) {
        // Berth says "Retrying (N): reason"; Docker says "Retrying in N seconds".
        int open = s.indexOf('('), close = s.indexOf("): ");
        if (open > 0 && close > open) {
            try { return new PullEvent.Retrying(id, s.substring(close + 3), Integer.parseInt(s.substring(open + 1, close))); }
            catch (NumberFormatException ignored) { }
        }
        return new PullEvent.Retrying(id, s, 0);
    }

    /** An error inside a stream has no status code; its kind is read from Docker's usual wording. */
    static BerthException streamError(String message) {
        String m = message.toLowerCase(java.util.Locale.ROOT);
        BerthException.Kind kind;
        if (m.contains("manifest unknown") || m.contains("not found") || m.contains("no such")) kind = BerthException.Kind.NOT_FOUND;
        else if (m.contains("unauthorized") || m.contains("denied") || m.contains("authentication required")) kind = BerthException.Kind.UNAUTHORIZED;
        else if (m.contains("digest") && (m.contains("mismatch") || m.contains("verif"))) kind = BerthException.Kind.DATA_LOSS;
        else kind = BerthException.Kind.UNAVAILABLE;
        return new BerthException(kind, message);
    }

    /** X-Registry-Auth: base64url (padded, as Go's URLEncoding) of the AuthConfig JSON. */
    public static String registryAuthHeader(RegistryAuth auth) {
        ObjectNode n = Json.mapper().createObjectNode();
        if (auth.username() != null) n.put("username", auth.username());
        if (auth.password() != null) n.put("password", auth.password());
        if (auth.serverAddress() != null) n.put("serveraddress", auth.serverAddress());
        if (auth.identityToken() != null) n.put("identitytoken", auth.identityToken());
        if (auth.registryToken() != null) n.put("registrytoken", auth.registryToken());
        return Base64.getUrlEncoder().encodeToString(n.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override public List<ImageSummary> list(ImageListOptions options) {
        JsonNode arr = listJson(options);
        List<ImageSummary> out = new ArrayList<>();
        for (JsonNode i : arr) {
            Map<String, String> labels = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : i.path("Labels").properties()) labels.put(e.getKey(), e.getValue().asText());
            out.add(new ImageSummary(Digest.parse(i.path("Id").asText()), refs(i.path("RepoTags")), refs(i.path("RepoDigests")),
                    Instant.ofEpochSecond(i.path("Created").asLong()), i.path("Size").asLong(), labels,
                    i.path("Containers").asInt(-1)));
        }
        return out;
    }

    /** The raw {@code GET /images/json} array. */
    public JsonNode listJson(ImageListOptions options) {
        Query q = new Query();
        if (options.all()) q.add("all", "1");
        ObjectNode filters = Json.mapper().createObjectNode();
        for (String r : options.references()) filters.withObjectProperty("reference").put(r, true);
        if (options.dangling() != null) filters.withObjectProperty("dangling").put(options.dangling().toString(), true);
        for (String l : options.labels()) filters.withObjectProperty("label").put(l, true);
        if (!filters.isEmpty()) q.add("filters", filters.toString());
        return getJson("/images/json" + q);
    }

    /** Docker lists untagged images with "&lt;none&gt;:&lt;none&gt;"; the API says so with an empty list. */
    private static List<String> refs(JsonNode arr) {
        List<String> out = new ArrayList<>();
        for (JsonNode t : arr) {
            String s = t.asText();
            if (!s.equals("<none>:<none>") && !s.equals("<none>@<none>")) out.add(s);
        }
        return List.copyOf(out);
    }

    @Override public ImageDetails inspect(String reference) {
        JsonNode n;
        try { n = Json.mapper().readTree(inspectRaw(reference)); }
        catch (IOException e) { throw BerthException.internal("inspecting " + reference + ": malformed response", e); }
        ImageConfig.Config config = null;
        if (n.path("Config").isObject()) {
            try { config = Json.mapper().treeToValue(n.get("Config"), ImageConfig.Config.class); }
            catch (IOException e) { throw BerthException.internal("inspecting " + reference + ": malformed Config", e); }
        }
        List<Digest> layers = new ArrayList<>();
        for (JsonNode l : n.path("RootFS").path("Layers")) layers.add(Digest.parse(l.asText()));
        ImageConfig ic = new ImageConfig(text(n, "Created"), text(n, "Author"), text(n, "Architecture"), text(n, "Os"),
                text(n, "Variant"), config, new ImageConfig.RootFs(n.path("RootFS").path("Type").asText("layers"), layers), null);
        Digest manifest = null;
        String desc = n.path("Descriptor").path("digest").asText(null);
        if (desc == null) {
            for (String rd : refs(n.path("RepoDigests"))) { desc = rd.substring(rd.indexOf('@') + 1); break; }
        }
        if (desc != null) try { manifest = Digest.parse(desc); } catch (IllegalArgumentException ignored) { }
        Map<String, String> gd = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : n.path("GraphDriver").path("Data").properties()) gd.put(e.getKey(), e.getValue().asText());
        return new ImageDetails(Digest.parse(n.path("Id").asText()), refs(n.path("RepoTags")), refs(n.path("RepoDigests")),
                instant(text(n, "Created")), ic, n.path("Size").asLong(), manifest, text(n.path("GraphDriver"), "Name"), gd,
                instant(text(n.path("Metadata"), "LastTagTime")));
    }

    /** The daemon's {@code GET /images/{name}/json} body as it was sent (docker prints it re-indented). */
    public String inspectRaw(String reference) {
        try (UnixHttp.Response r = send("GET", "/images/" + pathName(reference) + "/json", null, null)) {
            return new String(r.readAll(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw broken("inspecting " + reference, e);
        }
    }

    @Override public List<HistoryEntry> history(String reference) {
        List<HistoryEntry> out = new ArrayList<>();
        for (JsonNode h : getJson("/images/" + pathName(reference) + "/history")) {
            List<String> tags = new ArrayList<>();
            h.path("Tags").forEach(t -> tags.add(t.asText()));
            out.add(new HistoryEntry(h.path("Id").asText("<missing>"), Instant.ofEpochSecond(h.path("Created").asLong()),
                    h.path("CreatedBy").asText(""), List.copyOf(tags), h.path("Size").asLong(), h.path("Comment").asText("")));
        }
        return out;
    }

    @Override public void tag(String source, String target) {
        // Split like docker: the tag is what follows the last ':' after the last '/'; no tag means latest.
        try { Reference.parseName(target); }
        catch (IllegalArgumentException e) { throw BerthException.invalid("%s", e.getMessage()); }
        String repo = target, tag = "latest";
        int at = target.indexOf('@');
        if (at >= 0) throw BerthException.invalid("refusing to create a tag with a digest reference: %s", target);
        int colon = target.lastIndexOf(':');
        if (colon > target.lastIndexOf('/')) { repo = target.substring(0, colon); tag = target.substring(colon + 1); }
        Query q = new Query().add("repo", repo).add("tag", tag);
        send("POST", "/images/" + pathName(source) + "/tag" + q, null, null).close();
    }

    @Override public List<RemoveItem> remove(String reference, RemoveOptions options) {
        Query q = new Query();
        if (options.force()) q.add("force", "1");
        if (options.noPrune()) q.add("noprune", "1");
        return removeItems(requestJson("DELETE", "/images/" + pathName(reference) + q, null));
    }

    private static List<RemoveItem> removeItems(JsonNode arr) {
        List<RemoveItem> out = new ArrayList<>();
        for (JsonNode i : arr) {
            if (i.hasNonNull("Untagged")) out.add(RemoveItem.untagged(i.get("Untagged").asText()));
            if (i.hasNonNull("Deleted")) out.add(RemoveItem.deleted(i.get("Deleted").asText()));
        }
        return out;
    }

    @Override public LoadReport load(InputStream archive, PullListener listener) {
        return load(archive, false, m -> {
            PullEvent e = toPullEvent(m);
            if (e != null) listener.onEvent(e);
        });
    }

    /** Streams a docker-archive to {@code POST /images/load}; progress lines go to {@code listener}. */
    public LoadReport load(InputStream archive, boolean quiet, Consumer<JsonMessage> listener) {
        List<String> tags = new ArrayList<>(), ids = new ArrayList<>();
        Query q = new Query().add("quiet", quiet ? "1" : "0");
        try (UnixHttp.Response r = send("POST", "/images/load" + q, null, new UnixHttp.Body.Stream(archive, "application/x-tar"))) {
            readMessages(r.body(), m -> {
                if (m.error() != null) throw streamError(m.error());
                String line = m.stream() != null ? m.stream().strip() : m.id() == null && m.status() != null ? m.status().strip() : "";
                if (line.startsWith("Loaded image ID: ")) ids.add(line.substring("Loaded image ID: ".length()));
                else if (line.startsWith("Loaded image: ")) tags.add(line.substring("Loaded image: ".length()));
                listener.accept(m);
            });
        }
        return new LoadReport(List.copyOf(tags), List.copyOf(ids));
    }

    @Override public void save(List<String> references, OutputStream out) {
        Query q = new Query();
        for (String r : references) q.add("names", r);
        try (UnixHttp.Response r = send("GET", "/images/get" + q, null, null)) {
            r.body().transferTo(out);
            out.flush();
        } catch (IOException e) {
            throw broken("saving " + String.join(", ", references), e);
        }
    }

    @Override public PruneReport prune(PruneOptions options) {
        ObjectNode filters = Json.mapper().createObjectNode();
        if (options.all()) filters.withObjectProperty("dangling").put("false", true);
        for (String l : options.labels()) filters.withObjectProperty("label").put(l, true);
        Query q = new Query();
        if (!filters.isEmpty()) q.add("filters", filters.toString());
        JsonNode r = requestJson("POST", "/images/prune" + q, null);
        return new PruneReport(removeItems(r.path("ImagesDeleted")), r.path("SpaceReclaimed").asLong());
    }

    /** Berth extension (no Docker equivalent): {@code POST /berth/v1/images/{name}/mount} → {"Mountpoint": …}. */
    @Override public String mount(String reference) {
        return text(requestJsonAt("POST", "/berth/v1/images/" + pathName(reference) + "/mount", null), "Mountpoint");
    }

    /** Berth extension: {@code POST /berth/v1/images/{name}/unmount} → 204. */
    @Override public void unmount(String reference) {
        sendAt("POST", "/berth/v1/images/" + pathName(reference) + "/unmount", null, null).close();
    }

    // ---------------------------------------------------------------- plumbing

    /**
     * The version prefix, negotiated once like the docker CLI does: the server's Api-Version from
     * /_ping if it is older than ours (so a dockerd 20.10 at 1.41 works), else ours.
     */
    String prefix() {
        String p = apiPrefix;
        if (p == null) {
            ping();
            p = apiPrefix;
        }
        return p;
    }

    private static String negotiated(String serverVersion) {
        return "/v" + (serverVersion != null && compareVersions(serverVersion, API_VERSION) < 0 ? serverVersion : API_VERSION);
    }

    static int compareVersions(String a, String b) {
        String[] x = a.split("\\."), y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int p = i < x.length ? parseIntOr0(x[i]) : 0, q = i < y.length ? parseIntOr0(y[i]) : 0;
            if (p != q) return Integer.compare(p, q);
        }
        return 0;
    }

    private static int parseIntOr0(String s) { try { return Integer.parseInt(s); } catch (NumberFormatException e) { return 0; } }

    UnixHttp.Response send(String method, String path, Map<String, String> headers, UnixHttp.Body body) {
        return sendAt(method, path.equals("/_ping") ? path : prefix() + path, headers, body);
    }

    /** Sends to an exact path; a status ≥ 400 (or 304) becomes a {@link DaemonException}. */
    private UnixHttp.Response sendAt(String method, String target, Map<String, String> headers, UnixHttp.Body body) {
        UnixHttp.Response r;
        try {
            r = http.exchange(method, target, headers, body);
        } catch (UnixHttp.ConnectFailedException e) {
            throw new UnreachableException(host, e.getCause());
        } catch (IOException e) {
            throw broken(method + " " + target, e);
        }
        if (r.status() >= 400 || r.status() == 304) {
            try (r) {
                throw new DaemonException(r.status(), errorMessage(r.status(), r.readAll()));
            } catch (IOException e) {
                throw new DaemonException(r.status(), "HTTP " + r.status() + " (body unreadable: " + e.getMessage() + ")");
            }
        }
        return r;
    }

    /** Docker's {"message": …}, or the plain text some errors come as (e.g. "client version … is too old"). */
    static String errorMessage(int status, byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (text.startsWith("{")) {
            try {
                JsonNode n = Json.mapper().readTree(text);
                if (n.hasNonNull("message")) return n.get("message").asText();
            } catch (IOException ignored) { /* fall through to the text */ }
        }
        if (!text.isEmpty()) return text;
        return status == 304 ? "not modified" : "HTTP status " + status;
    }

    static BerthException broken(String what, IOException e) {
        return new BerthException(BerthException.Kind.UNAVAILABLE, what + ": connection to berthd failed: " + e.getMessage(), e);
    }

    JsonNode getJson(String path) { return requestJson("GET", path, null); }

    private JsonNode postJson(String path, JsonNode body) { return requestJson("POST", path, body); }

    JsonNode requestJson(String method, String path, JsonNode body) {
        return requestJsonAt(method, prefix() + path, body);
    }

    private JsonNode requestJsonAt(String method, String target, JsonNode body) {
        UnixHttp.Body b = body == null ? null
                : new UnixHttp.Body.Bytes(body.toString().getBytes(StandardCharsets.UTF_8), "application/json");
        try (UnixHttp.Response r = sendAt(method, target, null, b)) {
            byte[] bytes = r.readAll();
            return bytes.length == 0 ? Json.mapper().createObjectNode() : Json.mapper().readTree(bytes);
        } catch (IOException e) {
            throw broken(method + " " + target, e);
        }
    }

    /** Reads a stream of concatenated JSON objects (one per line in practice), handing each over as it arrives. */
    static void readMessages(InputStream in, Consumer<JsonMessage> each) {
        try (MappingIterator<JsonNode> it = Json.mapper().readerFor(JsonNode.class).readValues(in)) {
            while (it.hasNextValue()) each.accept(JsonMessage.of(it.nextValue()));
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.UNAVAILABLE, "reading progress from berthd: " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new BerthException(BerthException.Kind.UNAVAILABLE, "reading progress from berthd: " + e.getCause().getMessage(), e);
        } catch (RuntimeException e) {
            if (e.getCause() instanceof IOException io && !(e instanceof BerthException))
                throw new BerthException(BerthException.Kind.UNAVAILABLE, "reading progress from berthd: " + io.getMessage(), e);
            throw e;
        }
    }

    /**
     * An image name in a URL path, as docker sends it: '/', ':' and '@' stay literal (the server
     * matches the longest route), everything else outside the reference alphabet is escaped.
     */
    static String pathName(String name) {
        StringBuilder b = new StringBuilder(name.length());
        for (byte x : name.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (x & 0xff);
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~/:@".indexOf(c) >= 0) b.append(c);
            else b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16))).append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
        }
        return b.toString();
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    static List<String> strings(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(x -> out.add(x.asText()));
        return List.copyOf(out);
    }

    /** RFC 3339 as Docker writes it; the zero time (0001-01-01) and garbage mean "unknown" (null). */
    static Instant instant(String s) {
        if (s == null || s.isEmpty() || s.startsWith("0001-01-01")) return null;
        try { return OffsetDateTime.parse(s).toInstant(); }
        catch (DateTimeParseException e) { return null; }
    }

    /** A query string builder: "?a=1&b=2", URL-encoded, empty when no parameter was added. */
    static final class Query {
        private final StringBuilder b = new StringBuilder();

        Query add(String key, String value) {
            if (value == null) return this;
            b.append(b.isEmpty() ? '?' : '&').append(key).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
            return this;
        }

        @Override public String toString() { return b.toString(); }
    }

    // ---------------------------------------------------------------- networks (networking work)

    private volatile NetworkClient networks;

    /** The {@code /networks} verbs over the same connection settings. */
    public NetworkClient networks() {
        NetworkClient n = networks;
        if (n == null) networks = n = new NetworkClient(this);
        return n;
    }
}
