package io.berth.engine.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fault-injecting HTTP proxy in front of a {@link TestRegistry}, for tests: it forwards every request
 * (auth headers included) and, when told to, breaks blob and manifest responses the ways networks and
 * hostile registries do. Each fault counter is decremented as it fires; -1 means always.
 */
public final class FaultProxy implements AutoCloseable {
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding", "content-length",
            "te", "trailer", "upgrade", "proxy-authenticate", "proxy-authorization", "date");

    private final HttpServer server;
    private final URI upstream;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .version(HttpClient.Version.HTTP_1_1).build();

    /** "GET /v2/x/blobs/sha256:.. range=bytes=10- -> 206" for every request. */
    public final List<String> log = new CopyOnWriteArrayList<>();

    /** Answer the next N blob GETs with {@link #failStatus}. */
    public final AtomicInteger failBlobs = new AtomicInteger();
    public volatile int failStatus = 500;
    /** Send headers and half the body of the next N blob GETs, then drop the connection. */
    public final AtomicInteger dropBlobs = new AtomicInteger();
    /** Send half the body of the next N blob GETs, then stall (send nothing, keep the connection open). */
    public final AtomicInteger stallBlobs = new AtomicInteger();
    /** Flip one byte of blob bodies. */
    public final AtomicInteger corruptBlobs = new AtomicInteger();
    /** Append bytes to blob bodies. */
    public final AtomicInteger extendBlobs = new AtomicInteger();
    /** Strip Range from blob requests, as servers without range support do (they answer 200). */
    public volatile boolean ignoreRange;
    /** Flip one byte of manifest bodies. */
    public final AtomicInteger corruptManifests = new AtomicInteger();
    /** Replace manifest bodies with this many bytes of JSON-ish padding. */
    public volatile int hugeManifest;
    /** Send a wrong Docker-Content-Digest header on manifests. */
    public volatile boolean lieDigestHeader;
    /** Redirect blob GETs to {@code redirectTo + path}. */
    public volatile URI redirectTo;

    public FaultProxy(URI upstream) throws IOException {
        this.upstream = upstream;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    /** {@code 127.0.0.1:PORT}, to use as the registry domain of references. */
    public String host() { return "127.0.0.1:" + server.getAddress().getPort(); }

    public URI uri() { return URI.create("http://" + host()); }

    public long count(String contains) { return log.stream().filter(l -> l.contains(contains)).count(); }

    private static boolean take(AtomicInteger n) {
        while (true) {
            int v = n.get();
            if (v == 0) return false;
            if (v < 0) return true;
            if (n.compareAndSet(v, v - 1)) return true;
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getRawPath();
        String query = ex.getRequestURI().getRawQuery();
        boolean blob = method.equals("GET") && path.contains("/blobs/sha256:");
        boolean manifest = method.equals("GET") && path.contains("/manifests/");
        String range = ex.getRequestHeaders().getFirst("Range");
        String entry = method + " " + path + (range != null ? " range=" + range : "")
                + (ex.getRequestHeaders().containsKey("Authorization") ? " [auth]" : "");
        try (ex) {
            if (blob && take(failBlobs)) {
                log.add(entry + " -> " + failStatus + " (injected)");
                ex.sendResponseHeaders(failStatus, -1);
                return;
            }
            if (blob && redirectTo != null) {
                log.add(entry + " -> 307 (injected)");
                ex.getResponseHeaders().set("Location", redirectTo.resolve(path).toString());
                ex.sendResponseHeaders(307, -1);
                return;
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(upstream.resolve(path + (query == null ? "" : "?" + query)))
                    .method(method, ex.getRequestBody().available() >= 0 && !method.equals("GET") && !method.equals("HEAD")
                            ? HttpRequest.BodyPublishers.ofByteArray(ex.getRequestBody().readAllBytes())
                            : HttpRequest.BodyPublishers.noBody())
                    .timeout(Duration.ofSeconds(30));
            ex.getRequestHeaders().forEach((k, vs) -> {
                String lk = k.toLowerCase(Locale.ROOT);
                if (HOP_BY_HOP.contains(lk) || lk.equals("host") || lk.equals("expect")) return;
                if (lk.equals("range") && blob && ignoreRange) return;
                for (String v : vs) b.header(k, v);
            });
            HttpResponse<InputStream> up;
            try {
                up = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            try (InputStream in = up.body()) {
                byte[] body = in.readAllBytes();
                int status = up.statusCode();
                up.headers().map().forEach((k, vs) -> {
                    if (!HOP_BY_HOP.contains(k.toLowerCase(Locale.ROOT))) ex.getResponseHeaders().put(k, vs);
                });
                log.add(entry + " -> " + status);
                boolean ok = status == 200 || status == 206;
                if (ok && manifest) {
                    if (hugeManifest > 0) body = ("{\"pad\":\"" + "x".repeat(hugeManifest) + "\"}").getBytes();
                    if (take(corruptManifests)) body = flip(body);
                    if (lieDigestHeader) ex.getResponseHeaders().set("Docker-Content-Digest", "sha256:" + "0".repeat(64));
                }
                if (ok && blob) {
                    if (take(corruptBlobs)) body = flip(body);
                    if (take(extendBlobs)) {
                        byte[] longer = java.util.Arrays.copyOf(body, body.length + 1000);
                        body = longer;
                    }
                    if (take(dropBlobs)) {
                        ex.sendResponseHeaders(status, body.length);
                        OutputStream out = ex.getResponseBody();
                        out.write(body, 0, body.length / 2);
                        out.flush();
                        // Closing a fixed-length exchange short of its length drops the connection.
                        return;
                    }
                    if (take(stallBlobs)) {
                        ex.sendResponseHeaders(status, body.length);
                        OutputStream out = ex.getResponseBody();
                        out.write(body, 0, body.length / 2);
                        out.flush();
                        try { Thread.sleep(Duration.ofSeconds(10)); } catch (InterruptedException ignored) { }
                        return;
                    }
                }
                if (method.equals("HEAD") || status == 204 || status == 304) {
                    ex.sendResponseHeaders(status, -1);
                } else {
                    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
                    ex.getResponseBody().write(body);
                }
            }
        } catch (IOException e) {
            // A dropped client connection is expected in some tests.
        }
    }

    private static byte[] flip(byte[] b) {
        if (b.length == 0) return b;
        byte[] c = b.clone();
        c[c.length / 2] ^= 0x5a;
        return c;
    }

    @Override public void close() {
        server.stop(0);
        http.close();
    }
}
