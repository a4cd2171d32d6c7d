package io.berth.engine.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.api.BerthException;
import io.berth.api.image.RegistryAuth;
import io.berth.engine.content.ContentIngester;
import io.berth.engine.content.ContentWriter;
import io.berth.spec.image.Descriptor;
import io.berth.spec.image.Digest;
import io.berth.spec.image.MediaTypes;
import io.berth.spec.image.Reference;

import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The OCI distribution client on {@link java.net.http.HttpClient}.
 *
 * <p><b>Transport.</b> HTTPS unless {@link RegistryHosts} says the host is insecure. HTTP/1.1 on
 * purpose: parallel layer downloads then use parallel TCP connections, which is what saturates a link
 * (HTTP/2 would multiplex them over one connection and one congestion window). Redirects are followed
 * here, not by HttpClient, so the registry's Authorization header is never sent to another host (blob
 * storage such as S3 authenticates with the signed URL instead).
 *
 * <p><b>Auth.</b> Requests start anonymous unless this host already answered with a challenge, in which
 * case the matching Authorization is sent up front (saving one round trip per blob). On 401 the
 * {@code WWW-Authenticate} challenge decides: Basic sends the credentials; Bearer fetches a token from
 * the realm for {@code repository:NAME:pull} (with Basic credentials when there are any) and caches it in
 * {@link TokenCache}. Credentials come from the request's {@link RegistryAuth}, else from config.json.
 *
 * <p><b>Verification.</b> Manifests are limited to {@link #MAX_MANIFEST_BYTES} and hashed; the
 * descriptor returned by {@link #resolve} carries the digest computed from the body, never the
 * {@code Docker-Content-Digest} header. Blobs are hashed while they stream into the content store, a
 * body longer than declared is cut off at once, and the commit checks size and digest (DATA_LOSS).
 *
 * <p><b>Retries.</b> 5xx, 429, connection failures and stalled bodies are retried per {@link RetryPolicy}
 * with exponential backoff; a partial blob resumes with {@code Range: bytes=N-} (a 200 answer restarts
 * it from zero).
 */
public final class RegistryClient implements Registry, AutoCloseable {
    /** Manifests and indexes larger than this are refused: real ones are a few KiB, a hostile one could be anything. */
    public static final int MAX_MANIFEST_BYTES = 4 << 20;
    private static final int MAX_ERROR_BODY = 64 << 10;
    private static final int MAX_REDIRECTS = 10;
    private static final int READ_BUFFER = 1 << 20;
    private static final String USER_AGENT = "berth/0.1 (+java.net.http)";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryHosts hosts;
    private final DockerCredentials credentials;
    private final RetryPolicy retry;
    private final HttpClient http;
    private final TokenCache tokens = new TokenCache();
    /** The last challenge each registry host answered with, to authenticate the next request up front. */
    private final Map<String, AuthChallenge> challenges = new ConcurrentHashMap<>();
    private final ScheduledExecutorService watchdog;

    /**
     * @param hosts        insecure-registry rules and the docker.io mapping
     * @param dockerConfig Docker's config.json holding stored credentials (may not exist; null for none)
     * @param retry        retry, backoff and timeout settings ({@link RetryPolicy#DEFAULT})
     */
    public RegistryClient(RegistryHosts hosts, Path dockerConfig, RetryPolicy retry) {
        this.hosts = Objects.requireNonNull(hosts);
        this.credentials = new DockerCredentials(dockerConfig);
        this.retry = Objects.requireNonNull(retry);
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(retry.connectTimeout())
                .build();
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "berth-registry-watchdog");
            t.setDaemon(true);
            return t;
        });
    }

    public RegistryHosts hosts() { return hosts; }

    public DockerCredentials credentials() { return credentials; }

    @Override
    public void close() {
        watchdog.shutdownNow();
        http.close();
    }

    // ---- resolve and manifests -------------------------------------------------------------------

    @Override
    public Resolved resolve(Reference ref, RegistryAuth auth) throws IOException {
        String what = "resolving " + ref.familiarString();
        String tagOrDigest = ref.digest() != null ? ref.digest().toString() : (ref.tag() != null ? ref.tag() : Reference.DEFAULT_TAG);
        Session s = session(ref, auth);
        Fetched f = withRetry(what, BlobProgress.NONE, () -> getManifest(s, what, ref, tagOrDigest, MediaTypes.MANIFEST_ACCEPT, MAX_MANIFEST_BYTES));
        Digest actual = ref.digest() != null ? hash(ref.digest(), f.body) : Digest.sha256(f.body);
        if (ref.digest() != null && !actual.equals(ref.digest()))
            throw BerthException.dataLoss("%s: manifest digest mismatch: expected %s, got %s", what, ref.digest(), actual);
        String mediaType = mediaTypeOf(what, f.contentType, f.body);
        return new Resolved(new Descriptor(mediaType, actual, f.body.length), f.body);
    }

    @Override
    public byte[] fetchManifest(Reference repo, Descriptor d, RegistryAuth auth) throws IOException {
        String what = "fetching manifest " + d.digest() + " from " + repo.name();
        if (d.size() > MAX_MANIFEST_BYTES)
            throw BerthException.invalid("%s: manifest size %d exceeds the limit of %d bytes", what, d.size(), MAX_MANIFEST_BYTES);
        Session s = session(repo, auth);
        String accept = d.mediaType() != null && !MediaTypes.MANIFEST_ACCEPT.contains(d.mediaType())
                ? d.mediaType() + ", " + MediaTypes.MANIFEST_ACCEPT : MediaTypes.MANIFEST_ACCEPT;
        int limit = d.size() > 0 ? (int) d.size() : MAX_MANIFEST_BYTES;
        Fetched f = withRetry(what, BlobProgress.NONE, () -> getManifest(s, what, repo.withDigest(d.digest()), d.digest().toString(), accept, limit));
        if (d.size() > 0 && f.body.length != d.size())
            throw BerthException.dataLoss("%s: size mismatch: expected %d bytes, got %d", what, d.size(), f.body.length);
        Digest actual = hash(d.digest(), f.body);
        if (!actual.equals(d.digest()))
            throw BerthException.dataLoss("%s: digest mismatch: expected %s, got %s", what, d.digest(), actual);
        return f.body;
    }

    private record Fetched(byte[] body, String contentType) { }

    private Fetched getManifest(Session s, String what, Reference ref, String tagOrDigest, String accept, int limit) throws IOException {
        URI uri = s.uri("/v2/" + ref.path() + "/manifests/" + tagOrDigest);
        try (Response r = exchange(s, "GET", uri, Map.of("Accept", accept))) {
            int st = r.status();
            if (st == 200) {
                long declared = r.resp.headers().firstValueAsLong("Content-Length").orElse(-1);
                if (declared > limit)
                    throw BerthException.dataLoss("%s: manifest of %d bytes is over the limit of %d", what, declared, limit);
                byte[] body = readLimited(r.body(), limit);
                if (body == null)
                    throw BerthException.dataLoss("%s: manifest is over the limit of %d bytes", what, limit);
                return new Fetched(body, r.resp.headers().firstValue("Content-Type").orElse(null));
            }
            if (st == 404)
                throw BerthException.notFound("manifest for %s not found: %s", ref.familiarString(), registryError(r, "manifest unknown"));
            throw statusError(what, r);
        }
    }

    /** The manifest's media type: the body's own {@code mediaType}, else Content-Type, else its shape. */
    static String mediaTypeOf(String what, String contentType, byte[] body) {
        JsonNode n;
        try { n = JSON.readTree(body); }
        catch (IOException e) { throw BerthException.dataLoss("%s: manifest is not valid JSON: %s", what, e.getMessage()); }
        if (n == null || !n.isObject()) throw BerthException.dataLoss("%s: manifest is not a JSON object", what);
        String mt = n.path("mediaType").asText("");
        if (mt.isEmpty() && contentType != null) {
            String ct = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
            if (!ct.equals("application/json") && !ct.equals("text/plain") && !ct.isEmpty()) mt = ct;
        }
        if (mt.isEmpty()) {
            if (n.has("manifests")) mt = MediaTypes.OCI_INDEX;
            else if (n.has("config") && n.has("layers")) mt = MediaTypes.OCI_MANIFEST;
        }
        if (mt.startsWith("application/vnd.docker.distribution.manifest.v1") || n.path("schemaVersion").asInt(2) == 1)
            throw BerthException.invalid("%s: Docker image manifest version 2, schema 1 is not supported; push the image again with a current client", what);
        if (!MediaTypes.isIndex(mt) && !MediaTypes.isManifest(mt))
            throw BerthException.invalid("%s: unsupported manifest media type \"%s\"", what, mt);
        return mt;
    }

    // ---- blobs -----------------------------------------------------------------------------------

    @Override
    public void fetchBlob(Reference repo, Descriptor d, RegistryAuth auth, ContentIngester into, BlobProgress progress) throws IOException {
        BlobProgress p = progress == null ? BlobProgress.NONE : progress;
        String what = "fetching blob " + d.digest() + " from " + repo.name();
        if (d.size() < 0) throw BerthException.invalid("%s: descriptor has no size", what);
        Session s = session(repo, auth);
        try (ContentWriter w = into.writer(d.digest().toString(), d.digest(), d.size())) {
            if (w.offset() == d.size()) {
                // Already stored (a no-op writer), or a complete partial left by a crash before commit.
                commit(what, w);
                p.progress(d.size(), d.size());
                return;
            }
            for (int attempt = 1; ; attempt++) {
                try {
                    downloadOnce(s, what, d, w, p);
                    commit(what, w);
                    return;
                } catch (Retryable e) {
                    if (attempt >= retry.maxAttempts())
                        throw BerthException.unavailable("%s: giving up after %d attempts: %s", what, attempt, e.getMessage());
                    p.retrying(e.getMessage(), attempt);
                    sleep(retry.backoff(attempt));
                }
            }
        }
    }

    private static void commit(String what, ContentWriter w) throws IOException {
        try {
            w.commit();
        } catch (BerthException e) {
            throw e.withContext(what);
        }
    }

    private void downloadOnce(Session s, String what, Descriptor d, ContentWriter w, BlobProgress p) throws IOException {
        long size = d.size();
        long off = w.offset();
        if (off > size) { w.truncate(); off = 0; }
        Map<String, String> headers = off > 0 ? Map.of("Range", "bytes=" + off + "-") : Map.of();
        URI uri = s.uri("/v2/" + s.repo.path() + "/blobs/" + d.digest());
        try (Response r = exchange(s, "GET", uri, headers)) {
            int st = r.status();
            if (st == 200) {
                if (off > 0) { w.truncate(); off = 0; } // the server ignored our Range: start over
            } else if (st == 206) {
                long start = contentRangeStart(r.resp.headers().firstValue("Content-Range").orElse(""));
                if (start != off) {
                    w.truncate();
                    throw new Retryable("registry answered Range " + off + "- with a range starting at " + start);
                }
            } else if (st == 416) {
                w.truncate();
                throw new Retryable("registry refused Range bytes=" + off + "-");
            } else if (st == 404) {
                throw BerthException.notFound("%s: blob unknown: %s", what, registryError(r, "blob unknown to registry"));
            } else {
                throw statusError(what, r);
            }
            if (size == 0) return;
            p.progress(off, size);
            copy(what, r, w, off, size, p);
        }
    }

    /**
     * Streams the body into the writer; read failures are retryable, write failures are not. The JDK
     * hands the body over in ~16 KiB pieces, so they are gathered into one large buffer before each
     * write and hash update (fewer syscalls, fewer progress events).
     */
    private void copy(String what, Response r, ContentWriter w, long off, long size, BlobProgress p) throws IOException {
        InputStream in = r.body();
        OutputStream out = w.stream();
        byte[] buf = new byte[READ_BUFFER];
        StallGuard guard = new StallGuard(in);
        ScheduledFuture<?> check = guard.schedule(watchdog, retry.stallTimeout());
        try {
            boolean eof = false;
            while (!eof) {
                int filled = 0;
                IOException failed = null;
                while (filled < buf.length) {
                    int n;
                    try {
                        n = in.read(buf, filled, buf.length - filled);
                    } catch (IOException e) {
                        failed = e;
                        break;
                    }
                    if (n < 0) { eof = true; break; }
                    filled += n;
                    guard.touch();
                    if (off + filled > size) {
                        w.abort();
                        throw BerthException.dataLoss("%s: size mismatch: registry sent more than the expected %d bytes", what, size);
                    }
                }
                if (filled > 0) {
                    // Bytes received before a failure are good: keeping them makes the resume shorter.
                    out.write(buf, 0, filled);
                    guard.touch(); // a slow disk is not a stalled network
                    off += filled;
                    p.progress(off, size);
                }
                if (failed != null) {
                    if (Thread.currentThread().isInterrupted()) throw new InterruptedIOException("interrupted: " + what);
                    throw new Retryable(guard.stalled ? "no data for " + retry.stallTimeout().toSeconds() + "s" : describe(failed));
                }
            }
            // End of body: the commit checks the size and digest.
        } finally {
            check.cancel(false);
        }
    }

    /** Closes a response body that makes no progress, which wakes the reader with an IOException. */
    private static final class StallGuard {
        private final InputStream in;
        private volatile long last = System.nanoTime();
        volatile boolean stalled;

        StallGuard(InputStream in) { this.in = in; }

        void touch() { last = System.nanoTime(); }

        ScheduledFuture<?> schedule(ScheduledExecutorService ses, Duration timeout) {
            long period = Math.max(timeout.toMillis() / 4, 20);
            return ses.scheduleWithFixedDelay(() -> {
                if (System.nanoTime() - last > timeout.toNanos()) {
                    stalled = true;
                    try { in.close(); } catch (IOException ignored) { }
                }
            }, period, period, TimeUnit.MILLISECONDS);
        }
    }

    static long contentRangeStart(String header) {
        // "bytes 100-999/1000"
        String h = header.trim();
        if (!h.regionMatches(true, 0, "bytes ", 0, 6)) return -1;
        int dash = h.indexOf('-', 6);
        if (dash < 0) return -1;
        try { return Long.parseLong(h.substring(6, dash).trim()); }
        catch (NumberFormatException e) { return -1; }
    }

    // ---- login -----------------------------------------------------------------------------------

    @Override
    public String login(RegistryAuth auth) throws IOException {
        String domain = RegistryHosts.domainOf(auth == null ? null : auth.serverAddress());
        String what = "logging in to " + domain;
        Reference root = new Reference(domain, "", null, null);
        RegistryAuth creds = usable(auth) ? auth : credentials.lookup(domain).orElse(null);
        if (creds == null) throw BerthException.unauthorized("%s: no credentials given", what);
        // Fresh state: a cached token or challenge must not make wrong credentials look right.
        Session s = new Session(root, hosts.baseUri(domain), creds, null, true);
        try {
            return withRetry(what, BlobProgress.NONE, () -> {
                try (Response r = exchange(s, "GET", s.uri("/v2/"), Map.of())) {
                    if (r.status() == 200) return "Login Succeeded";
                    if (r.status() == 401 || r.status() == 403)
                        throw BerthException.unauthorized("unauthorized: incorrect username or password");
                    throw statusError(what, r);
                }
            });
        } catch (BerthException e) {
            if (e.kind() == BerthException.Kind.UNAUTHORIZED)
                throw BerthException.unauthorized("unauthorized: incorrect username or password");
            throw e;
        }
    }

    // ---- sessions and auth -----------------------------------------------------------------------

    private Session session(Reference repo, RegistryAuth auth) {
        RegistryAuth creds = usable(auth) ? auth : credentials.lookup(repo.domain()).orElse(null);
        return new Session(repo, hosts.baseUri(repo.domain()), creds, "repository:" + repo.path() + ":pull", false);
    }

    private static boolean usable(RegistryAuth a) {
        return a != null && ((a.username() != null && !a.username().isEmpty()) || a.identityToken() != null || a.registryToken() != null);
    }

    /** Everything one operation needs to talk to one repository. */
    private final class Session {
        final Reference repo;
        final URI base;
        final String hostKey;
        final RegistryAuth creds;
        final String scope;
        final String credentialId;
        /** login() must prove the credentials, so it uses no shared cached state. */
        final boolean isolated;
        /** Names the operation's target in errors: "pulling from host/repo" or "logging in to host". */
        final String label;
        AuthChallenge challenge;

        Session(Reference repo, URI base, RegistryAuth creds, String scope, boolean isolated) {
            this.repo = repo;
            this.base = base;
            this.hostKey = base.getScheme() + "://" + base.getAuthority();
            this.creds = creds;
            this.scope = scope;
            this.credentialId = fingerprint(creds);
            this.isolated = isolated;
            this.label = isolated ? "logging in to " + hostKey : "pulling from " + repo.name();
            this.challenge = isolated ? null : challenges.get(hostKey);
        }

        URI uri(String path) { return base.resolve(path); }

        boolean sameOrigin(URI u) {
            return u.getScheme() != null && (u.getScheme() + "://" + u.getAuthority()).equalsIgnoreCase(hostKey);
        }

        TokenCache.Key tokenKey() { return new TokenCache.Key(hostKey, scope == null ? "" : scope, credentialId); }

        /** The Authorization to send up front, from what this host asked for last time; null for none. */
        String preauthorize() throws IOException {
            if (challenge == null) return null;
            if (challenge.isBasic()) return basic();
            if (challenge.isBearer()) {
                if (!isolated) {
                    var cached = tokens.get(tokenKey());
                    if (cached.isPresent()) return "Bearer " + cached.get();
                }
                return "Bearer " + fetchToken(challenge);
            }
            return null;
        }

        /** Answers a fresh challenge; null when it cannot be answered (no credentials for Basic, unknown scheme). */
        String answer(List<AuthChallenge> offered) throws IOException {
            AuthChallenge pick = null;
            for (AuthChallenge c : offered) if (c.isBearer() && c.realm() != null) { pick = c; break; }
            if (pick == null) for (AuthChallenge c : offered) if (c.isBasic()) { pick = c; break; }
            if (pick == null) return null;
            challenge = pick;
            if (!isolated) challenges.put(hostKey, pick);
            if (pick.isBasic()) return basic();
            if (!isolated) tokens.invalidate(tokenKey());
            return "Bearer " + fetchToken(pick);
        }

        private String basic() {
            if (creds == null || creds.username() == null) return null;
            String pw = creds.password() == null ? "" : creds.password();
            return "Basic " + Base64.getEncoder().encodeToString((creds.username() + ":" + pw).getBytes(StandardCharsets.UTF_8));
        }

        /** The Bearer token flow of the distribution spec (GET with Basic, or the OAuth2 refresh-token POST). */
        private String fetchToken(AuthChallenge c) throws IOException {
            if (creds != null && creds.registryToken() != null) return creds.registryToken();
            String realm = c.realm();
            if (realm == null) throw BerthException.unauthorized("authenticating to %s: bearer challenge without realm", hostKey);
            URI realmUri;
            try { realmUri = URI.create(realm); }
            catch (IllegalArgumentException e) { throw BerthException.unauthorized("authenticating to %s: invalid token realm %s", hostKey, realm); }
            if (!"https".equalsIgnoreCase(realmUri.getScheme()) && !"http".equalsIgnoreCase(realmUri.getScheme()))
                throw BerthException.unauthorized("authenticating to %s: token realm must be http(s): %s", hostKey, realm);
            List<String> scopes = new ArrayList<>();
            if (scope != null) scopes.add(scope);
            if (c.scope() != null && !scopes.contains(c.scope())) scopes.add(c.scope());
            Map<String, String> q = new LinkedHashMap<>();
            if (c.service() != null) q.put("service", c.service());
            HttpRequest.Builder b;
            if (creds != null && creds.identityToken() != null) {
                StringBuilder form = new StringBuilder("grant_type=refresh_token&client_id=berth&refresh_token=" + enc(creds.identityToken()));
                q.forEach((k, v) -> form.append('&').append(k).append('=').append(enc(v)));
                for (String sc : scopes) form.append("&scope=").append(enc(sc));
                b = HttpRequest.newBuilder(realmUri)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form.toString()));
            } else {
                StringBuilder query = new StringBuilder();
                q.forEach((k, v) -> query.append(query.isEmpty() ? "" : "&").append(k).append('=').append(enc(v)));
                for (String sc : scopes) query.append(query.isEmpty() ? "" : "&").append("scope=").append(enc(sc));
                if (creds != null && creds.username() != null) {
                    query.append(query.isEmpty() ? "" : "&").append("account=").append(enc(creds.username()));
                }
                String sep = realmUri.getRawQuery() == null ? "?" : "&";
                b = HttpRequest.newBuilder(URI.create(realm + (query.isEmpty() ? "" : sep + query))).GET();
                String basic = basic();
                if (basic != null) b.header("Authorization", basic);
            }
            b.header("User-Agent", USER_AGENT).timeout(retry.connectTimeout());
            HttpResponse<InputStream> resp = send(b.build());
            try (InputStream in = resp.body()) {
                byte[] body = readLimited(in, MAX_ERROR_BODY);
                int st = resp.statusCode();
                if (st == 401 || st == 403)
                    throw BerthException.unauthorized("authenticating to %s: unauthorized: token server %s refused the credentials (HTTP %d); run berth login (or docker login) for this registry", hostKey, realmUri.getHost(), st);
                if (st >= 500 || st == 429) throw new Retryable("token server " + realmUri.getHost() + " answered HTTP " + st);
                if (st != 200 || body == null)
                    throw BerthException.unauthorized("authenticating to %s: token server %s answered HTTP %d", hostKey, realmUri.getHost(), st);
                JsonNode n = JSON.readTree(body);
                String token = n.path("token").asText("");
                if (token.isEmpty()) token = n.path("access_token").asText("");
                if (token.isEmpty()) throw BerthException.unauthorized("authenticating to %s: token server sent no token", hostKey);
                long expiresIn = n.path("expires_in").asLong(60);
                if (expiresIn <= 0) expiresIn = 60; // the spec's default when the server says nothing useful
                if (!isolated) tokens.put(tokenKey(), token, Duration.ofSeconds(expiresIn));
                return token;
            }
        }
    }

    private static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8); }

    private static String fingerprint(RegistryAuth a) {
        if (a == null) return "";
        String s = a.username() + "\0" + a.password() + "\0" + a.identityToken() + "\0" + a.registryToken();
        return Digest.sha256(s.getBytes(StandardCharsets.UTF_8)).hex();
    }

    // ---- HTTP ------------------------------------------------------------------------------------

    /** A response whose body must be closed; {@code uri} is where it came from after redirects. */
    private record Response(HttpResponse<InputStream> resp, URI uri) implements AutoCloseable {
        int status() { return resp.statusCode(); }
        InputStream body() { return resp.body(); }
        @Override public void close() {
            try { resp.body().close(); } catch (IOException ignored) { }
        }
    }

    /** Sends with auth (answering one 401 challenge) and redirects. IO failures become {@link Retryable}. */
    private Response exchange(Session s, String method, URI uri, Map<String, String> headers) throws IOException {
        String authz = s.preauthorize();
        Response r = follow(s, method, uri, headers, authz);
        if (r.status() == 401 && s.sameOrigin(r.uri())) {
            List<AuthChallenge> offered = AuthChallenge.parse(r.resp.headers().allValues("WWW-Authenticate"));
            String detail = registryError(r, "authentication required");
            r.close();
            String next = s.answer(offered);
            if (next == null) {
                String hint = s.creds == null && !offered.isEmpty() ? " (no credentials for " + s.repo.domain() + ")" : "";
                throw BerthException.unauthorized("%s: unauthorized: %s%s", s.label, detail, hint);
            }
            r = follow(s, method, uri, headers, next);
        }
        if ((r.status() == 401 || r.status() == 403) && !s.isolated) {
            String detail = registryError(r, r.status() == 401 ? "authentication required" : "access denied");
            r.close();
            throw BerthException.unauthorized("%s: unauthorized: %s", s.label, detail);
        }
        return r;
    }

    private Response follow(Session s, String method, URI uri, Map<String, String> headers, String authz) throws IOException {
        URI at = uri;
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(at).method(method, HttpRequest.BodyPublishers.noBody())
                    .header("User-Agent", USER_AGENT)
                    .timeout(retry.connectTimeout().plus(retry.stallTimeout()));
            headers.forEach(b::header);
            // Only the registry itself gets its credentials; a redirect target authenticates by URL.
            if (authz != null && s.sameOrigin(at)) b.header("Authorization", authz);
            HttpResponse<InputStream> resp = send(b.build());
            int st = resp.statusCode();
            if (st == 301 || st == 302 || st == 303 || st == 307 || st == 308) {
                String loc = resp.headers().firstValue("Location").orElse(null);
                try { resp.body().close(); } catch (IOException ignored) { }
                if (loc == null) throw new Retryable("HTTP " + st + " without Location from " + at.getHost());
                if (hop >= MAX_REDIRECTS) throw BerthException.unavailable("%s %s: too many redirects", method, uri);
                URI next = at.resolve(loc);
                if (!"https".equalsIgnoreCase(next.getScheme()) && !"http".equalsIgnoreCase(next.getScheme()))
                    throw BerthException.unavailable("%s %s: redirect to unsupported URL %s", method, uri, next);
                at = next;
                continue;
            }
            return new Response(resp, at);
        }
    }

    private HttpResponse<InputStream> send(HttpRequest req) throws IOException {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted: " + req.method() + " " + req.uri());
        } catch (SSLHandshakeException e) {
            throw BerthException.unavailable("%s %s: TLS handshake failed: %s (if the registry serves plain HTTP, list it in insecure-registries)",
                    req.method(), req.uri(), e.getMessage());
        } catch (IOException e) {
            if (e instanceof InterruptedIOException && Thread.currentThread().isInterrupted()) throw e;
            throw new Retryable(req.method() + " " + req.uri() + ": " + describe(e));
        }
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        if (e instanceof java.net.ConnectException) return "connection refused" + (m == null ? "" : " (" + m + ")");
        if (e instanceof java.net.http.HttpTimeoutException) return "timed out";
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /**
     * The error for a status that is not success: throws {@link Retryable} for 429 and 5xx, returns
     * the BerthException for everything else (callers write {@code throw statusError(...)}).
     */
    private static BerthException statusError(String what, Response r) throws Retryable {
        int st = r.status();
        String detail = registryError(r, "HTTP " + st);
        if (st == 429 || st >= 500) throw new Retryable("HTTP " + st + ": " + detail);
        if (st == 401 || st == 403) return BerthException.unauthorized("%s: unauthorized: %s", what, detail);
        if (st == 404) return BerthException.notFound("%s: %s", what, detail);
        if (st == 400) return BerthException.invalid("%s: %s", what, detail);
        return BerthException.unavailable("%s: unexpected HTTP %d: %s", what, st, detail);
    }

    /** "code: message" from the registry's JSON error body, or {@code fallback}. Consumes the body. */
    private static String registryError(Response r, String fallback) {
        try {
            byte[] body = readLimited(r.body(), MAX_ERROR_BODY);
            if (body == null || body.length == 0) return fallback;
            JsonNode errs = JSON.readTree(body).path("errors");
            if (errs.isArray() && !errs.isEmpty()) {
                JsonNode e = errs.get(0);
                String msg = e.path("message").asText("");
                if (!msg.isEmpty()) return msg;
                String code = e.path("code").asText("");
                if (!code.isEmpty()) return code.toLowerCase(Locale.ROOT).replace('_', ' ');
            }
            return fallback;
        } catch (IOException | RuntimeException e) {
            return fallback;
        }
    }

    /** Reads at most {@code limit} bytes; null if the stream holds more. */
    private static byte[] readLimited(InputStream in, int limit) throws IOException {
        byte[] b = in.readNBytes(limit + 1);
        return b.length > limit ? null : b;
    }

    private static Digest hash(Digest like, byte[] body) {
        return new Digest(like.algorithm(), HexFormat.of().formatHex(like.newHasher().digest(body)));
    }

    // ---- retries ---------------------------------------------------------------------------------

    /** A transient failure worth another attempt (an IOException so it flows through IO signatures). */
    static final class Retryable extends IOException {
        Retryable(String message) { super(message); }
    }

    @FunctionalInterface
    private interface Attempt<T> { T run() throws IOException; }

    private <T> T withRetry(String what, BlobProgress p, Attempt<T> a) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return a.run();
            } catch (Retryable e) {
                if (attempt >= retry.maxAttempts())
                    throw BerthException.unavailable("%s: giving up after %d attempts: %s", what, attempt, e.getMessage());
                p.retrying(e.getMessage(), attempt);
                sleep(retry.backoff(attempt));
            }
        }
    }

    private static void sleep(Duration d) throws InterruptedIOException {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to retry");
        }
    }
}
