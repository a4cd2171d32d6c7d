package io.berth.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Wire-level checks with curl and a raw socket: headers, version prefixes, errors, streaming, keep-alive. */
class RawHttpTest {
    static final String BUSYBOX = "127.0.0.1:5055/rsch/busybox:1";
    @TempDir static Path tmp;
    static FakeEngine engine;
    static BerthServer.Handle server;
    static Path sock;

    @BeforeAll static void start() throws Exception {
        engine = new FakeEngine();
        engine.add(FakeEngine.config("2026-11-23T13:37:15.497673507Z", "sh", null,
                "sha256:39fce6fb821fbc03a62e2e8b9455e62884ec1fbaa7f69022e830fa812ebf432b"), BUSYBOX);
        sock = tmp.resolve("berth.sock");
        server = new BerthServer(ServerConfig.of(sock, "0.1.0-test"), engine, engine).start();
    }

    @AfterAll static void stop() { if (server != null) server.close(); }

    static Proc curl(String... args) {
        List<String> cmd = Proc.args("curl", "-sS", "--unix-socket", sock.toString());
        cmd.addAll(List.of(args));
        return Proc.run(Map.of(), null, cmd.toArray(String[]::new));
    }

    /** Splits curl -i output into head and body. */
    static String[] headBody(Proc p) {
        String s = p.out();
        while (s.startsWith("HTTP/1.1 100 Continue\r\n")) s = s.substring(s.indexOf("\r\n\r\n") + 4);
        int i = s.indexOf("\r\n\r\n");
        return new String[]{s.substring(0, i), s.substring(i + 4)};
    }

    @Test void socketIsMode0660() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock))).isEqualTo("rw-rw----");
        assertThat(Files.list(tmp).map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".berth-bind-"));
    }

    @Test void pingHeaders() {
        String[] get = headBody(curl("-i", "http://d/_ping"));
        assertThat(get[0]).startsWith("HTTP/1.1 200 OK")
                .contains("Api-Version: 1.44").contains("Ostype: linux").contains("Docker-Experimental: false")
                .contains("Builder-Version: 1").contains("Cache-Control: no-cache, no-store, must-revalidate")
                .contains("Pragma: no-cache").contains("Server: Berth/0.1.0-test (linux)")
                .contains("Content-Type: text/plain; charset=utf-8").containsPattern("Date: \\w{3}, ");
        assertThat(get[1]).isEqualTo("OK");
        String[] head = headBody(curl("-I", "http://d/_ping"));
        assertThat(head[0]).startsWith("HTTP/1.1 200 OK").contains("Api-Version: 1.44").contains("Content-Length: 0");
        assertThat(head[1]).isEmpty();
        assertThat(headBody(curl("-i", "http://d/v1.44/_ping"))[1]).isEqualTo("OK");
    }

    @Test void versionPrefixes() throws Exception {
        for (String path : List.of("/version", "/v1.24/version", "/v1.41/version", "/v1.44/version")) {
            Proc p = curl("-i", "http://d" + path);
            String[] hb = headBody(p);
            assertThat(hb[0]).as(path).startsWith("HTTP/1.1 200 OK").contains("Content-Type: application/json");
            JsonNode v = FakeEngine.JSON.readTree(hb[1]);
            assertThat(v.get("ApiVersion").asText()).isEqualTo("1.44");
            assertThat(v.get("MinAPIVersion").asText()).isEqualTo("1.24");
            assertThat(v.get("Components").get(0).get("Name").asText()).isEqualTo("Engine");
        }
        String[] tooNew = headBody(curl("-i", "http://d/v1.99/version"));
        assertThat(tooNew[0]).startsWith("HTTP/1.1 400").contains("Content-Type: application/json");
        assertThat(tooNew[1]).isEqualTo("{\"message\":\"client version 1.99 is too new. Maximum supported API version is 1.44\"}");
        String[] tooOld = headBody(curl("-i", "http://d/v1.11/_ping"));
        assertThat(tooOld[0]).startsWith("HTTP/1.1 400").contains("Content-Type: text/plain; charset=utf-8");
        assertThat(tooOld[1]).isEqualTo("client version 1.11 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version");
    }

    @Test void unknownRoutes() {
        for (String path : List.of("/nosuch/endpoint", "/v1.41/nosuch/endpoint", "/v1.99/nosuch", "/images")) {
            String[] hb = headBody(curl("-i", "http://d" + path));
            assertThat(hb[0]).as(path).startsWith("HTTP/1.1 404").contains("Api-Version: 1.44");
            assertThat(hb[1]).isEqualTo("{\"message\":\"page not found\"}");
        }
        String[] wrongMethod = headBody(curl("-i", "-X", "PUT", "http://d/images/json"));
        assertThat(wrongMethod[0]).startsWith("HTTP/1.1 404");
    }

    @Test void errorsCarryStatusAndMessage() {
        String[] missing = headBody(curl("-i", "http://d/v1.44/images/nosuch/img:1/json"));
        assertThat(missing[0]).startsWith("HTTP/1.1 404");
        assertThat(missing[1]).isEqualTo("{\"message\":\"no such image: nosuch/img:1: No such image: nosuch/img:1\"}");
        String[] badFilter = headBody(curl("-i", "-G", "http://d/images/json", "--data-urlencode", "filters={\"bogus\":[\"x\"]}"));
        assertThat(badFilter[0]).startsWith("HTTP/1.1 400");
        assertThat(badFilter[1]).contains("invalid filter 'bogus'");
        String[] importSrc = headBody(curl("-i", "-X", "POST", "http://d/images/create?fromSrc=-"));
        assertThat(importSrc[0]).startsWith("HTTP/1.1 501");
        String[] badAuth = headBody(curl("-i", "-X", "POST", "-H", "X-Registry-Auth: !!!", "http://d/images/create?fromImage=busybox&tag=1"));
        assertThat(badAuth[0]).startsWith("HTTP/1.1 400");
        assertThat(badAuth[1]).contains("invalid X-Registry-Auth header");
        String[] badPlatform = headBody(curl("-i", "-X", "POST", "http://d/images/create?fromImage=busybox&platform=linux"));
        assertThat(badPlatform[0]).startsWith("HTTP/1.1 400");
        String[] conflict = headBody(curl("-i", "-X", "POST", "http://d/images/" + BUSYBOX + "/tag?repo=&tag=x"));
        assertThat(conflict[0]).startsWith("HTTP/1.1 400");
    }

    @Test void filtersInMapAndArrayForm() throws Exception {
        engine.add(FakeEngine.config("2026-01-02T00:00:00Z", "x", Map.of("org.testcontainers", "true")), "labelled:1");
        for (String filters : List.of("{\"label\":{\"org.testcontainers=true\":true}}", "{\"label\":[\"org.testcontainers=true\"]}")) {
            Proc p = curl("-G", "http://d/v1.32/images/json", "--data-urlencode", "filters=" + filters);
            JsonNode list = FakeEngine.JSON.readTree(p.out());
            assertThat(list).as(filters).hasSize(1);
            assertThat(list.get(0).get("RepoTags").get(0).asText()).isEqualTo("labelled:1");
            assertThat(list.get(0).has("VirtualSize")).as("VirtualSize below 1.44").isTrue();
        }
        JsonNode v144 = FakeEngine.JSON.readTree(curl("http://d/v1.44/images/json").out());
        assertThat(v144.get(0).has("VirtualSize")).isFalse();
        assertThat(v144.get(0).get("Containers").asInt()).isEqualTo(-1);
    }

    @Test void pullStreamIsDockersJson() {
        Proc p = curl("-i", "-X", "POST", "http://d/v1.44/images/create?fromImage=127.0.0.1%3A5055%2Frsch%2Fwire&tag=1");
        String[] hb = headBody(p);
        assertThat(hb[0]).startsWith("HTTP/1.1 200 OK").contains("Transfer-Encoding: chunked").contains("Content-Type: application/json");
        assertThat(hb[1].split("\r\n")).containsSubsequence(
                "{\"status\":\"Pulling from rsch/wire\",\"id\":\"1\"}",
                "{\"status\":\"Pulling fs layer\",\"progressDetail\":{},\"id\":\"fdd779cd6f10\"}",
                "{\"status\":\"Downloading\",\"progressDetail\":{\"current\":36564,\"total\":1028018},\"progress\":\"[=>                                                 ]  36.56kB/1.028MB\",\"id\":\"fdd779cd6f10\"}",
                "{\"status\":\"Verifying Checksum\",\"progressDetail\":{},\"id\":\"fdd779cd6f10\"}",
                "{\"status\":\"Download complete\",\"progressDetail\":{},\"id\":\"fdd779cd6f10\"}",
                "{\"status\":\"Extracting\",\"progressDetail\":{\"current\":32768,\"total\":1028018},\"progress\":\"[=>                                                 ]  32.77kB/1.028MB\",\"id\":\"fdd779cd6f10\"}",
                "{\"status\":\"Pull complete\",\"progressDetail\":{},\"id\":\"fdd779cd6f10\"}",
                "{\"status\":\"Status: Downloaded newer image for 127.0.0.1:5055/rsch/wire:1\"}");
        assertThat(hb[1]).containsPattern("\\{\"status\":\"Digest: sha256:[0-9a-f]{64}\"}\r\n");
        String[] before = headBody(curl("-i", "-X", "POST", "http://d/images/create?fromImage=127.0.0.1%3A5055%2Frsch%2Fnosuch&tag=1"));
        assertThat(before[0]).startsWith("HTTP/1.1 500");
        assertThat(before[1]).isEqualTo("{\"message\":\"manifest unknown\"}");
        String[] mid = headBody(curl("-i", "-X", "POST", "http://d/images/create?fromImage=127.0.0.1%3A5055%2Frsch%2Ffailmid&tag=1"));
        assertThat(mid[0]).startsWith("HTTP/1.1 200");
        assertThat(mid[1]).endsWith("{\"errorDetail\":{\"message\":\"pulling 127.0.0.1:5055/rsch/failmid:1: layer fdd779cd6f10: digest mismatch\"},"
                + "\"error\":\"pulling 127.0.0.1:5055/rsch/failmid:1: layer fdd779cd6f10: digest mismatch\"}\r\n");
    }

    @Test void pullPassesPlatformAndAuth() {
        String auth = Base64.getUrlEncoder().encodeToString(
                "{\"username\":\"u\",\"password\":\"p\",\"serveraddress\":\"r.example:5000\"}".getBytes(StandardCharsets.UTF_8));
        Proc p = curl("-X", "POST", "-H", "X-Registry-Auth: " + auth,
                "http://d/images/create?fromImage=r.example:5000/a/b&tag=sha256:" + "a".repeat(64) + "&platform=linux/arm64/v8");
        assertThat(p.exit()).isZero();
        var opts = engine.pulls.getLast();
        assertThat(opts.reference()).isEqualTo("r.example:5000/a/b@sha256:" + "a".repeat(64));
        assertThat(opts.platform().toString()).isEqualTo("linux/arm64");
        assertThat(opts.auth().username()).isEqualTo("u");
        assertThat(opts.auth().serverAddress()).isEqualTo("r.example:5000");
    }

    @Test void inspectShape() throws Exception {
        JsonNode img = FakeEngine.JSON.readTree(curl("http://d/v1.44/images/" + BUSYBOX + "/json").out());
        assertThat(img.fieldNames()).toIterable().containsExactly("Id", "RepoTags", "RepoDigests", "Parent", "Comment", "Created",
                "DockerVersion", "Author", "Config", "Architecture", "Os", "Size", "GraphDriver", "RootFS", "Metadata");
        assertThat(img.get("GraphDriver").get("Name").asText()).isEqualTo("overlay");
        assertThat(img.get("Config").get("Env").get(0).asText()).startsWith("PATH=");
        assertThat(img.get("Config").get("Labels").isNull()).isTrue();
    }

    @Test void keepAliveServesSeveralRequestsOnOneConnection() {
        Proc p = curl("-v", "http://d/_ping", "http://d/v1.44/version", "http://d/nosuch", "http://d/_ping");
        assertThat(p.out()).startsWith("OK").endsWith("OK");
        assertThat(p.err()).contains("Re-using existing connection").doesNotContain("Connection #1");
    }

    @Test void pipelinedRequestsAnswerInOrder() throws Exception {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(sock));
            String reqs = "GET /images/" + BUSYBOX + "/history HTTP/1.1\r\nHost: d\r\n\r\n"
                    + "GET /nosuch HTTP/1.1\r\nHost: d\r\n\r\n"
                    + "GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n";
            ch.write(ByteBuffer.wrap(reqs.getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (ch.read(buf) >= 0) { all.write(buf.array(), 0, buf.position()); buf.clear(); }
            String s = all.toString(StandardCharsets.UTF_8);
            int a = s.indexOf("HTTP/1.1 200"), b = s.indexOf("HTTP/1.1 404"), c = s.lastIndexOf("HTTP/1.1 200");
            assertThat(a).isZero();
            assertThat(b).isGreaterThan(a);
            assertThat(c).isGreaterThan(b);
            assertThat(s).contains("\"CreatedBy\"").endsWith("OK");
        }
    }

    @Test void largeLoadBodyIsStreamed() throws Exception {
        // 8 MB of padding in the archive exercises the body's backpressure (it queues at most ~1 MB).
        byte[] cfg = FakeEngine.config("2026-02-02T00:00:00Z", "big", null);
        Path tar = tmp.resolve("big.tar");
        try (OutputStream f = Files.newOutputStream(tar); TarArchiveOutputStream t = new TarArchiveOutputStream(f)) {
            put(t, "padding.bin", new byte[8 << 20]);
            put(t, "cfg.json", cfg);
            put(t, "manifest.json", ("[{\"Config\":\"cfg.json\",\"RepoTags\":[\"big:1\"],\"Layers\":[]}]").getBytes(StandardCharsets.UTF_8));
        }
        Proc p = curl("-i", "-X", "POST", "-H", "Content-Type: application/x-tar", "--data-binary", "@" + tar, "http://d/images/load?quiet=1");
        assertThat(p.out()).as("curl waits for 100-continue before a large body").startsWith("HTTP/1.1 100 Continue\r\n");
        String[] hb = headBody(p);
        assertThat(hb[0]).startsWith("HTTP/1.1 200").contains("Content-Type: application/json");
        assertThat(hb[1]).isEqualTo("{\"stream\":\"Loaded image: big:1\\n\"}\r\n");
        Proc bad = curl("-i", "-X", "POST", "--data-binary", "not a tar", "http://d/images/load");
        assertThat(headBody(bad)[0]).startsWith("HTTP/1.1 400");
    }

    @Test void saveStreamsATar() throws Exception {
        Path out = tmp.resolve("saved.tar");
        Proc p = curl("-D", "-", "-o", out.toString(), "http://d/images/get?names=" + BUSYBOX + "&names=" + BUSYBOX);
        assertThat(p.out()).startsWith("HTTP/1.1 200").contains("Content-Type: application/x-tar").contains("Transfer-Encoding: chunked");
        assertThat(Files.size(out)).isGreaterThan(1024);
        String[] none = headBody(curl("-i", "http://d/images/get"));
        assertThat(none[0]).startsWith("HTTP/1.1 400");
    }

    @Test void authEndpoint() {
        Proc ok = curl("-X", "POST", "-H", "Content-Type: application/json",
                "-d", "{\"username\":\"a\",\"password\":\"b\",\"serveraddress\":\"r:5000\"}", "http://d/v1.44/auth");
        assertThat(ok.out()).isEqualTo("{\"Status\":\"Login Succeeded\",\"IdentityToken\":\"\"}");
        String[] denied = headBody(curl("-i", "-X", "POST", "-d", "{\"username\":\"a\",\"password\":\"bad\"}", "http://d/auth"));
        assertThat(denied[0]).startsWith("HTTP/1.1 401");
        String[] garbage = headBody(curl("-i", "-X", "POST", "-d", "{nope", "http://d/auth"));
        assertThat(garbage[0]).startsWith("HTTP/1.1 400");
    }

    private static void put(TarArchiveOutputStream t, String name, byte[] data) throws Exception {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(data.length);
        t.putArchiveEntry(e);
        t.write(data);
        t.closeArchiveEntry();
    }
}
