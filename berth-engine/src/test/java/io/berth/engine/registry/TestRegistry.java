package io.berth.engine.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.spec.image.Descriptor;
import io.berth.spec.image.Digest;
import io.berth.spec.image.Index;
import io.berth.spec.image.Manifest;
import io.berth.spec.image.MediaTypes;
import io.berth.spec.image.Platform;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code docker-registry} (distribution 2.8) on a free 127.0.0.1 port, for tests: open, with
 * htpasswd Basic auth, or with Bearer token auth served by a {@link TokenServer}. It pushes blobs,
 * manifests and whole images over the distribution HTTP API, so tests build their fixtures in code.
 *
 * <pre>
 *   try (TestRegistry reg = TestRegistry.start(tmp)) {
 *       TestRegistry.Pushed img = reg.pushImage("test/app", "v1", TestRegistry.Flavor.OCI, layers);
 *       ... Reference.parse(reg.host() + "/test/app:v1") ...
 *   }
 * </pre>
 * Copy it freely into other modules' tests.
 */
public final class TestRegistry implements AutoCloseable {
    public static final String BINARY = "/usr/bin/docker-registry";
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Flavor {
        OCI(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX, MediaTypes.OCI_CONFIG, MediaTypes.OCI_LAYER_GZIP),
        DOCKER(MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_CONFIG, MediaTypes.DOCKER_LAYER_GZIP);

        public final String manifest, index, config, layer;

        Flavor(String manifest, String index, String config, String layer) {
            this.manifest = manifest; this.index = index; this.config = config; this.layer = layer;
        }
    }

    /** What {@link #pushImage} pushed. */
    public record Pushed(Descriptor manifest, byte[] manifestBody, Descriptor config, List<Descriptor> layers) { }

    private final Path dir;
    private final Process process;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final String basicAuth;
    private final TokenServer tokens;

    private TestRegistry(Path dir, Process process, int port, String basicAuth, TokenServer tokens) {
        this.dir = dir; this.process = process; this.port = port; this.basicAuth = basicAuth; this.tokens = tokens;
    }

    /** An open registry: anyone may pull and push. */
    public static TestRegistry start(Path dir) throws IOException {
        return launch(dir, "", null, null);
    }

    /** A registry with htpasswd Basic auth for one user (bcrypt entry made by {@code htpasswd -Bbn}). */
    public static TestRegistry startWithHtpasswd(Path dir, String user, String password) throws IOException {
        Files.createDirectories(dir);
        Path htpasswd = dir.resolve("htpasswd");
        Process p = new ProcessBuilder("htpasswd", "-Bbn", user, password).redirectErrorStream(false).start();
        String entry = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        waitOk(p, "htpasswd");
        Files.writeString(htpasswd, entry + "\n");
        String auth = """
                auth:
                  htpasswd:
                    realm: berth-test
                    path: %s
                """.formatted(htpasswd);
        String basic = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return launch(dir, auth, basic, null);
    }

    /** A registry trusting {@code tokens}' certificate; its pushes use tokens issued directly. */
    public static TestRegistry startWithToken(Path dir, TokenServer tokens) throws IOException {
        String auth = """
                auth:
                  token:
                    realm: %s
                    service: %s
                    issuer: %s
                    rootcertbundle: %s
                """.formatted(tokens.realm(), tokens.service(), TokenServer.ISSUER, tokens.certificate());
        return launch(dir, auth, null, tokens);
    }

    private static TestRegistry launch(Path dir, String authYaml, String basic, TokenServer tokens) throws IOException {
        if (!Files.isExecutable(Path.of(BINARY)))
            throw new IllegalStateException(BINARY + " is missing: run scripts/install-deps.sh (Debian package docker-registry)");
        Files.createDirectories(dir);
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            Path config = dir.resolve("config.yml");
            Files.writeString(config, """
                    version: 0.1
                    log:
                      level: warn
                      accesslog:
                        disabled: true
                    storage:
                      filesystem:
                        rootdirectory: %s
                      delete:
                        enabled: true
                    http:
                      addr: 127.0.0.1:%d
                    %s""".formatted(dir.resolve("data"), port, authYaml));
            Path log = dir.resolve("registry.log");
            Process p = new ProcessBuilder(BINARY, "serve", config.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            TestRegistry r = new TestRegistry(dir, p, port, basic, tokens);
            try {
                r.awaitReady();
                return r;
            } catch (IOException e) {
                r.close();
                last = new IOException(e.getMessage() + "; registry log:\n" + Files.readString(log), e);
            }
        }
        throw last;
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IOException("docker-registry exited with " + process.exitValue());
            try {
                int st = http.send(HttpRequest.newBuilder(uri().resolve("/v2/")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (st == 200 || st == 401) return;
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            sleep(50);
        }
        throw new IOException("docker-registry did not answer on " + host());
    }

    /** {@code 127.0.0.1:PORT}, the domain of references to this registry. */
    public String host() { return "127.0.0.1:" + port; }

    public int port() { return port; }

    public URI uri() { return URI.create("http://" + host()); }

    public Path dir() { return dir; }

    // ---- pushing ---------------------------------------------------------------------------------

    private String authFor(String repo) {
        if (basicAuth != null) return basicAuth;
        if (tokens != null) return "Bearer " + tokens.issue("pusher", repo, List.of("pull", "push"));
        return null;
    }

    private HttpRequest.Builder req(URI u, String repo) {
        HttpRequest.Builder b = HttpRequest.newBuilder(u).timeout(Duration.ofSeconds(30));
        String a = authFor(repo);
        if (a != null) b.header("Authorization", a);
        return b;
    }

    /** Uploads a blob (POST then monolithic PUT ?digest=) and returns its descriptor. */
    public Descriptor pushBlob(String repo, byte[] data, String mediaType) throws IOException {
        Digest d = Digest.sha256(data);
        HttpResponse<String> start = send(req(uri().resolve("/v2/" + repo + "/blobs/uploads/"), repo)
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        if (start.statusCode() != 202) throw new IOException("starting upload to " + repo + ": HTTP " + start.statusCode() + " " + start.body());
        String loc = start.headers().firstValue("Location").orElseThrow();
        URI put = uri().resolve(loc);
        String sep = put.getRawQuery() == null ? "?" : "&";
        HttpResponse<String> done = send(req(URI.create(put + sep + "digest=" + d), repo)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(data)).build());
        if (done.statusCode() != 201) throw new IOException("uploading blob " + d + ": HTTP " + done.statusCode() + " " + done.body());
        return new Descriptor(mediaType, d, data.length);
    }

    /** PUTs a manifest or index under a tag (or its digest when {@code tag} is null). */
    public Descriptor pushManifest(String repo, String tag, byte[] body, String mediaType) throws IOException {
        Digest d = Digest.sha256(body);
        HttpResponse<String> r = send(req(uri().resolve("/v2/" + repo + "/manifests/" + (tag == null ? d.toString() : tag)), repo)
                .header("Content-Type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build());
        if (r.statusCode() != 201) throw new IOException("pushing manifest " + repo + ":" + tag + ": HTTP " + r.statusCode() + " " + r.body());
        return new Descriptor(mediaType, d, body.length);
    }

    /** Builds a config naming the layers' diff_ids (here: the digests of the bytes as given) and pushes everything. */
    public Pushed pushImage(String repo, String tag, Flavor flavor, Platform platform, List<byte[]> layers) throws IOException {
        List<Descriptor> ls = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (byte[] l : layers) {
            ls.add(pushBlob(repo, l, flavor.layer));
            diffIds.add(Digest.sha256(l).toString());
        }
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("architecture", platform.architecture());
        cfg.put("os", platform.os());
        if (platform.variant() != null) cfg.put("variant", platform.variant());
        cfg.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
        cfg.put("config", Map.of("Cmd", List.of("/bin/sh")));
        Descriptor config = pushBlob(repo, JSON.writeValueAsBytes(cfg), flavor.config);
        return pushManifestFor(repo, tag, flavor, config, ls);
    }

    /** Pushes a manifest naming the given config and layers as they are (they may lie: tests use that). */
    public Pushed pushManifestFor(String repo, String tag, Flavor flavor, Descriptor config, List<Descriptor> layers) throws IOException {
        byte[] body = JSON.writeValueAsBytes(new Manifest(2, flavor.manifest, config, layers, null));
        Descriptor m = pushManifest(repo, tag, body, flavor.manifest);
        return new Pushed(m, body, config, layers);
    }

    /** Pushes an index (or manifest list) over already pushed manifests, each with its platform. */
    public Descriptor pushIndex(String repo, String tag, Flavor flavor, List<Descriptor> platformManifests) throws IOException {
        byte[] body = JSON.writeValueAsBytes(new Index(2, flavor.index, platformManifests, null));
        return pushManifest(repo, tag, body, flavor.index);
    }

    public byte[] indexBody(Flavor flavor, List<Descriptor> platformManifests) throws IOException {
        return JSON.writeValueAsBytes(new Index(2, flavor.index, platformManifests, null));
    }

    private HttpResponse<String> send(HttpRequest r) throws IOException {
        try {
            return http.send(r, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    // ---- lifecycle -------------------------------------------------------------------------------

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.close();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) { return s.getLocalPort(); }
    }

    private static void waitOk(Process p, String what) throws IOException {
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(what + " failed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + what, e);
        }
    }

    private static void sleep(long ms) {
        try { Thread.sleep(ms); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
    }
}
