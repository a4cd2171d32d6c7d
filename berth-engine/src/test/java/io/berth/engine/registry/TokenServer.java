package io.berth.engine.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A token server for the registry's Bearer auth (the distribution "token" auth backend), for tests.
 * It signs RS256 JWTs with a key whose self-signed certificate (made by the {@code openssl} CLI,
 * since the JDK exports no certificate builder) is the registry's {@code rootcertbundle}; the
 * certificate also travels in the JWT header's {@code x5c}, which is how the registry finds the key.
 *
 * <p>Authenticated users (Basic, checked against {@code users}) get every action they ask for;
 * anonymous callers get {@code pull} only on {@code publicRepos}. Wrong credentials get 401.
 */
public final class TokenServer implements AutoCloseable {
    public static final String ISSUER = "berth-test-issuer";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final String service;
    private final Map<String, String> users;
    private final Set<String> publicRepos;
    private final PrivateKey key;
    private final X509Certificate cert;
    private final Path certFile;
    private final AtomicInteger requests = new AtomicInteger();
    /** Every request's query string and whether it carried Authorization, for assertions. */
    public final List<String> log = new CopyOnWriteArrayList<>();
    /** When true the response carries only {@code access_token} (the OAuth2 field name). */
    public volatile boolean accessTokenOnly;
    public volatile long expiresIn = 300;

    private TokenServer(Path dir, String service, Map<String, String> users, Set<String> publicRepos) throws IOException {
        this.service = service;
        this.users = Map.copyOf(users);
        this.publicRepos = Set.copyOf(publicRepos);
        Files.createDirectories(dir);
        Path keyFile = dir.resolve("token.key");
        this.certFile = dir.resolve("token.crt");
        run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile.toString(),
                "-out", certFile.toString(), "-days", "2", "-subj", "/CN=berth-test-token"));
        try {
            this.key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pemBody(Files.readString(keyFile))));
            this.cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(certFile)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("loading the token signing key", e);
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/token", this::handle);
        server.start();
    }

    public static TokenServer start(Path dir, String service, Map<String, String> users, Set<String> publicRepos) throws IOException {
        return new TokenServer(dir, service, users, publicRepos);
    }

    public String realm() { return "http://127.0.0.1:" + server.getAddress().getPort() + "/token"; }
    public String service() { return service; }
    public Path certificate() { return certFile; }
    public int requests() { return requests.get(); }

    /** Issues a token directly (for the test's own pushes). */
    public String issue(String subject, String repo, List<String> actions) {
        return sign(subject, repo == null ? List.of() : List.of(Map.of("type", "repository", "name", repo, "actions", actions)));
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            requests.incrementAndGet();
            String query = ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery();
            String authz = ex.getRequestHeaders().getFirst("Authorization");
            log.add(query + (authz != null ? " [auth]" : " [anon]"));
            String subject = null;
            if (authz != null) {
                subject = checkBasic(authz);
                if (subject == null) {
                    reply(ex, 401, "{\"details\":\"incorrect username or password\"}");
                    return;
                }
            }
            Map<String, List<String>> q = parseQuery(query);
            if (!service.equals(first(q, "service"))) {
                reply(ex, 400, "{\"details\":\"unknown service\"}");
                return;
            }
            List<Map<String, Object>> access = new ArrayList<>();
            for (String scope : q.getOrDefault("scope", List.of())) {
                // repository:NAME:pull,push  (NAME may contain ':' only in a port, which repository names never have)
                String[] p = scope.split(":");
                if (p.length != 3 || !p[0].equals("repository")) continue;
                List<String> actions = new ArrayList<>();
                for (String a : p[2].split(",")) {
                    if (subject != null || (a.equals("pull") && publicRepos.contains(p[1]))) actions.add(a);
                }
                access.add(Map.of("type", "repository", "name", p[1], "actions", actions));
            }
            String token = sign(subject == null ? "" : subject, access);
            Map<String, Object> body = new LinkedHashMap<>();
            if (!accessTokenOnly) body.put("token", token);
            body.put("access_token", token);
            body.put("expires_in", expiresIn);
            body.put("issued_at", Instant.now().toString());
            reply(ex, 200, JSON.writeValueAsString(body));
        }
    }

    private String checkBasic(String authz) {
        if (!authz.regionMatches(true, 0, "Basic ", 0, 6)) return null;
        String plain = new String(Base64.getDecoder().decode(authz.substring(6).trim()), StandardCharsets.UTF_8);
        int colon = plain.indexOf(':');
        if (colon < 0) return null;
        String user = plain.substring(0, colon), pass = plain.substring(colon + 1);
        return pass.equals(users.get(user)) ? user : null;
    }

    private String sign(String subject, List<Map<String, Object>> access) {
        try {
            Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
            Map<String, Object> header = new LinkedHashMap<>();
            header.put("typ", "JWT");
            header.put("alg", "RS256");
            header.put("x5c", List.of(Base64.getEncoder().encodeToString(cert.getEncoded())));
            long now = Instant.now().getEpochSecond();
            Map<String, Object> claims = new LinkedHashMap<>();
            claims.put("iss", ISSUER);
            claims.put("sub", subject);
            claims.put("aud", service);
            claims.put("exp", now + expiresIn);
            claims.put("nbf", now - 10);
            claims.put("iat", now);
            claims.put("jti", UUID.randomUUID().toString());
            claims.put("access", access);
            String signingInput = url.encodeToString(JSON.writeValueAsBytes(header)) + "." + url.encodeToString(JSON.writeValueAsBytes(claims));
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(key);
            s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + url.encodeToString(s.sign());
        } catch (Exception e) {
            throw new IllegalStateException("signing a token", e);
        }
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    static Map<String, List<String>> parseQuery(String raw) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) return m;
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            m.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return m;
    }

    private static String first(Map<String, List<String>> q, String k) {
        List<String> v = q.get(k);
        return v == null || v.isEmpty() ? null : v.getFirst();
    }

    private static byte[] pemBody(String pem) {
        String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(b64);
    }

    static void run(List<String> argv) throws IOException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        try (InputStream in = p.getInputStream()) {
            String out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0)
                throw new IOException(String.join(" ", argv) + " failed: " + out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + argv.getFirst(), e);
        }
    }

    @Override public void close() { server.stop(0); }
}
