package io.berth.client;

import io.berth.api.BerthException;
import io.berth.api.image.ImageDetails;
import io.berth.api.image.ImageListOptions;
import io.berth.api.image.ImageSummary;
import io.berth.api.image.LoadReport;
import io.berth.api.image.PruneOptions;
import io.berth.api.image.PruneReport;
import io.berth.api.image.PullEvent;
import io.berth.api.image.PullOptions;
import io.berth.api.image.PullReport;
import io.berth.api.image.RegistryAuth;
import io.berth.api.image.RemoveItem;
import io.berth.api.image.RemoveOptions;
import io.berth.api.system.VersionReport;
import io.berth.spec.image.Platform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BerthClientTest {
    static final String ID = "sha256:645444d5eff4ed8a4df0ae3eba91680143678c0448f7253c86b9a8dd801f397a";
    @TempDir Path dir;

    private FakeDaemon daemon(FakeDaemon.Handler h) throws IOException { return new FakeDaemon(dir.resolve("d.sock"), h); }

    private BerthClient client(FakeDaemon d) { return new BerthClient(d.host(), registry -> null); }

    @ParameterizedTest
    @CsvSource({"404,NOT_FOUND", "409,CONFLICT", "400,INVALID_ARGUMENT", "401,UNAUTHORIZED", "500,INTERNAL", "503,UNAVAILABLE"})
    void mapsErrorStatusToKind(int status, BerthException.Kind kind) throws IOException {
        try (FakeDaemon d = daemon((r, out) -> FakeDaemon.json(out, status, "{\"message\":\"No such image: nosuch:latest\"}"))) {
            assertThatThrownBy(() -> client(d).inspect("nosuch"))
                    .isInstanceOfSatisfying(DaemonException.class, e -> {
                        assertThat(e.kind()).isEqualTo(kind);
                        assertThat(e.status()).isEqualTo(status);
                        assertThat(e.getMessage()).isEqualTo("No such image: nosuch:latest");
                    });
        }
    }

    @Test void mapsNotModifiedAndPlainTextErrors() throws IOException {
        try (FakeDaemon d = daemon((r, out) -> {
            if (r.path().startsWith("/images/a")) out.write("HTTP/1.1 304 Not Modified\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            else FakeDaemon.respond(out, 400, "text/plain", "client version 1.44 is too old. Minimum supported API version is 1.45", Map.of());
        })) {
            assertThatThrownBy(() -> client(d).tag("a", "b")).isInstanceOfSatisfying(DaemonException.class,
                    e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.NOT_MODIFIED));
            assertThatThrownBy(() -> client(d).tag("x", "b")).isInstanceOf(DaemonException.class)
                    .hasMessage("client version 1.44 is too old. Minimum supported API version is 1.45");
        }
    }

    @Test void unreachableSocketIsUnreachableException() {
        assertThatThrownBy(() -> new BerthClient("unix://" + dir.resolve("none.sock")).ping())
                .isInstanceOf(UnreachableException.class).hasMessageContaining("Cannot connect to berthd at unix://");
    }

    @Test void refusesNonUnixHosts() {
        assertThatThrownBy(() -> new BerthClient("tcp://1.2.3.4:2375")).isInstanceOf(BerthException.class)
                .hasMessageContaining("only unix://");
    }

    @Test void negotiatesDownToAnOlderServerApiVersion() throws IOException {
        try (FakeDaemon d = new FakeDaemon(dir.resolve("old.sock"), (r, out) -> {
            FakeDaemon.json(out, 200, "{\"Version\":\"20.10.24\",\"ApiVersion\":\"1.41\",\"Components\":[{\"Name\":\"runc\",\"Version\":\"1.1.5\"}]}");
        })) {
            d.pingVersion = "1.41";
            VersionReport v = client(d).version();
            assertThat(v.version()).isEqualTo("20.10.24");
            assertThat(v.runtimeVersion()).isEqualTo("1.1.5");
            assertThat(d.requests.getLast().target()).isEqualTo("/v1.41/version");
        }
    }

    @Test void parsesPullStreamIntoEventsAndSendsRegistryAuth() throws IOException {
        List<String> lines = List.of(
                "{\"status\":\"Pulling from rsch/busybox\",\"id\":\"1\"}\r\n",
                "{\"status\":\"Pulling fs layer\",\"progressDetail\":{},\"id\":\"fdd779cd6f10\"}\r\n",
                "{\"status\":\"Downloading\",\"progressDetail\":{\"current\":36564,\"total\":1028018},\"progress\":\"[=> ]\",\"id\":\"fdd779cd6f10\"}\r\n"
                        + "{\"status\":\"Verifying Checksum\",\"progressDetail\":{},\"id\":\"fdd779cd6f10\"}\r\n", // two in one chunk
                "{\"status\":\"Download complete\",\"progressDetail\":{},\"id\":\"fdd779cd6f10\"}\r\n{\"status\":\"Extr",  // split across chunks
                "acting\",\"progressDetail\":{\"current\":32768,\"total\":1028018},\"id\":\"fdd779cd6f10\"}\r\n",
                "{\"status\":\"Pull complete\",\"progressDetail\":{},\"id\":\"fdd779cd6f10\"}\r\n",
                "{\"status\":\"Digest: sha256:72158f8b2bb1c3117abbf89f6aef1ce50e157a094abe22b8f782b2e3d7091b52\"}\r\n",
                "{\"status\":\"Status: Downloaded newer image for 127.0.0.1:5055/rsch/busybox:1\"}\r\n");
        try (FakeDaemon d = daemon((r, out) -> {
            if (r.path().startsWith("/images/create")) FakeDaemon.chunked(out, 200, lines);
            else FakeDaemon.json(out, 200, "{\"Id\":\"" + ID + "\"}");
        })) {
            BerthClient c = new BerthClient(d.host(), reg -> reg.equals("127.0.0.1:5055") ? RegistryAuth.basic("u", "p<&>", "127.0.0.1:5055") : null);
            List<PullEvent> events = new ArrayList<>();
            PullReport rep = c.pull(PullOptions.of("127.0.0.1:5055/rsch/busybox:1").withPlatform(Platform.parse("linux/arm64")), events::add);
            assertThat(events).containsExactly(
                    new PullEvent.Resolving("1", "rsch/busybox"),
                    new PullEvent.Waiting("fdd779cd6f10"),
                    new PullEvent.Downloading("fdd779cd6f10", 36564, 1028018),
                    new PullEvent.Verifying("fdd779cd6f10"),
                    new PullEvent.Downloaded("fdd779cd6f10"),
                    new PullEvent.Extracting("fdd779cd6f10", 32768, 1028018),
                    new PullEvent.Complete("fdd779cd6f10"),
                    new PullEvent.Message("Digest: sha256:72158f8b2bb1c3117abbf89f6aef1ce50e157a094abe22b8f782b2e3d7091b52"),
                    new PullEvent.Message("Status: Downloaded newer image for 127.0.0.1:5055/rsch/busybox:1"));
            assertThat(rep.newer()).isTrue();
            assertThat(rep.reference()).isEqualTo("127.0.0.1:5055/rsch/busybox:1");
            assertThat(rep.manifestDigest().hex()).startsWith("72158f8b");
            assertThat(rep.imageId().toString()).isEqualTo(ID);
            FakeDaemon.Request req = d.requests.stream().filter(x -> x.path().startsWith("/images/create")).findFirst().orElseThrow();
            assertThat(req.target()).isEqualTo("/v1.44/images/create?fromImage=127.0.0.1%3A5055%2Frsch%2Fbusybox&tag=1&platform=linux%2Farm64");
            String json = new String(Base64.getUrlDecoder().decode(req.headers().get("x-registry-auth")), StandardCharsets.UTF_8);
            assertThat(json).isEqualTo("{\"username\":\"u\",\"password\":\"p<&>\",\"serveraddress\":\"127.0.0.1:5055\"}");
        }
    }

    @Test void pullOfDigestSendsDigestAsTagAndNoAuthWithoutCredentials() throws IOException {
        try (FakeDaemon d = daemon((r, out) -> FakeDaemon.chunked(out, 200, List.of("{\"status\":\"Status: Image is up to date for busybox@sha256:" + "a".repeat(64) + "\"}\n")))) {
            PullReport rep = client(d).pullStream(PullOptions.of("busybox@sha256:" + "a".repeat(64)), m -> { });
            assertThat(rep.newer()).isFalse();
            assertThat(d.requests.getLast().target()).isEqualTo("/v1.44/images/create?fromImage=busybox&tag=sha256%3A" + "a".repeat(64));
            assertThat(d.requests.getLast().headers()).doesNotContainKey("x-registry-auth");
        }
    }

    @Test void errorDetailInPullStreamBecomesBerthException() throws IOException {
        try (FakeDaemon d = daemon((r, out) -> FakeDaemon.chunked(out, 200, List.of(
                "{\"status\":\"Pulling from rsch/busybox\",\"id\":\"1\"}\n",
                "{\"errorDetail\":{\"message\":\"unauthorized: authentication required\"},\"error\":\"unauthorized: authentication required\"}\n")))) {
            List<JsonMessage> seen = new ArrayList<>();
            assertThatThrownBy(() -> client(d).pullStream(PullOptions.of("rsch/busybox:1"), seen::add))
                    .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.UNAUTHORIZED))
                    .hasMessage("unauthorized: authentication required");
            assertThat(seen).hasSize(1);
        }
    }

    @Test void pullErrorBeforeStreamKeepsStatus() throws IOException {
        try (FakeDaemon d = daemon((r, out) -> FakeDaemon.json(out, 500, "{\"message\":\"manifest unknown\"}"))) {
            assertThatThrownBy(() -> client(d).pullStream(PullOptions.of("rsch/nosuch:1"), m -> { }))
                    .isInstanceOf(DaemonException.class).hasMessage("manifest unknown");
        }
    }

    @Test void invalidReferenceIsRefusedLocally() throws IOException {
        try (FakeDaemon d = daemon((r, out) -> FakeDaemon.json(out, 200, "{}"))) {
            assertThatThrownBy(() -> client(d).pullStream(PullOptions.of("UPPER/case"), m -> { }))
                    .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.INVALID_ARGUMENT));
            assertThat(d.requests).isEmpty();
        }
    }

    @Test void listsImagesWithFiltersAndDropsNoneTags() throws IOException {
        try (FakeDaemon d = daemon((r, out) -> FakeDaemon.json(out, 200, "[{\"Containers\":-1,\"Created\":1795441035,\"Id\":\"" + ID
                + "\",\"Labels\":{\"a\":\"b\"},\"RepoDigests\":[\"<none>@<none>\"],\"RepoTags\":[\"<none>:<none>\"],\"Size\":1982312}]"))) {
            List<ImageSummary> l = client(d).list(new ImageListOptions(true, List.of("busy*"), false, List.of("a=b")));
            assertThat(l).hasSize(1);
            assertThat(l.getFirst().repoTags()).isEmpty();
            assertThat(l.getFirst().labels()).containsEntry("a", "b");
            assertThat(l.getFirst().created().getEpochSecond()).isEqualTo(1795441035L);
            assertThat(java.net.URLDecoder.decode(d.requests.getLast().target(), StandardCharsets.UTF_8))
                    .isEqualTo("/v1.44/images/json?all=1&filters={\"reference\":{\"busy*\":true},\"dangling\":{\"false\":true},\"label\":{\"a=b\":true}}");
        }
    }

    @Test void inspectMapsDockerJson() throws IOException {
        String body = new String(getClass().getResourceAsStream("/image_inspect.json").readAllBytes(), StandardCharsets.UTF_8);
        try (FakeDaemon d = daemon((r, out) -> FakeDaemon.json(out, 200, body))) {
            ImageDetails i = client(d).inspect("127.0.0.1:5055/rsch/busybox:1");
            assertThat(i.id().toString()).isEqualTo(ID);
            assertThat(i.size()).isEqualTo(1982312);
            assertThat(i.config().diffIds()).hasSize(1);
            assertThat(i.manifestDigest().hex()).startsWith("72158f8b");
            assertThat(i.graphDriverName()).isEqualTo("overlay2");
            assertThat(i.lastTagTime()).isNull();
            assertThat(i.created()).isNotNull();
            assertThat(d.requests.getLast().target()).isEqualTo("/v1.44/images/127.0.0.1:5055/rsch/busybox:1/json");
        }
    }

    @Test void removeTagPruneLoadSave() throws IOException {
        try (FakeDaemon d = daemon((r, out) -> {
            switch (r.method() + " " + r.path().replaceFirst("\\?.*", "")) {
                case "DELETE /images/rsch/committed:1" -> FakeDaemon.json(out, 200, "[{\"Untagged\":\"rsch/committed:1\"},{\"Deleted\":\"" + ID + "\"}]");
                case "POST /images/a/tag" -> FakeDaemon.respond(out, 201, "text/plain", "", Map.of());
                case "POST /images/prune" -> FakeDaemon.json(out, 200, "{\"ImagesDeleted\":[{\"Deleted\":\"" + ID + "\"}],\"SpaceReclaimed\":42}");
                case "POST /images/load" -> FakeDaemon.chunked(out, 200, List.of("{\"stream\":\"Loaded image: busybox:latest\\n\"}\n",
                        "{\"stream\":\"Loaded image ID: " + ID + "\\n\"}\n"));
                case "GET /images/get" -> FakeDaemon.chunked(out, 200, List.of("tar-bytes-1", "tar-bytes-2"));
                default -> FakeDaemon.json(out, 404, "{\"message\":\"page not found\"}");
            }
        })) {
            BerthClient c = client(d);
            assertThat(c.remove("rsch/committed:1", new RemoveOptions(true, true)))
                    .containsExactly(RemoveItem.untagged("rsch/committed:1"), RemoveItem.deleted(ID));
            assertThat(d.requests.getLast().target()).isEqualTo("/v1.44/images/rsch/committed:1?force=1&noprune=1");
            c.tag("a", "localhost:5000/x/y:2");
            assertThat(d.requests.getLast().target()).isEqualTo("/v1.44/images/a/tag?repo=localhost%3A5000%2Fx%2Fy&tag=2");
            c.tag("a", "localhost:5000/x");
            assertThat(d.requests.getLast().target()).isEqualTo("/v1.44/images/a/tag?repo=localhost%3A5000%2Fx&tag=latest");
            PruneReport pr = c.prune(new PruneOptions(true, List.of()));
            assertThat(pr.spaceReclaimed()).isEqualTo(42);
            assertThat(pr.deleted()).containsExactly(RemoveItem.deleted(ID));
            LoadReport lr = c.load(new ByteArrayInputStream("archive".getBytes(StandardCharsets.UTF_8)), e -> { });
            assertThat(lr.loadedTags()).containsExactly("busybox:latest");
            assertThat(lr.loadedIds()).containsExactly(ID);
            assertThat(new String(d.requests.getLast().body(), StandardCharsets.UTF_8)).isEqualTo("archive");
            ByteArrayOutputStream tar = new ByteArrayOutputStream();
            c.save(List.of("busybox", "a:1"), tar);
            assertThat(tar.toString(StandardCharsets.UTF_8)).isEqualTo("tar-bytes-1tar-bytes-2");
            assertThat(d.requests.getLast().target()).isEqualTo("/v1.44/images/get?names=busybox&names=a%3A1");
        }
    }

    @Test void loginPostsAuthAndReturnsStatus() throws IOException {
        try (FakeDaemon d = daemon((r, out) -> FakeDaemon.json(out, 200, "{\"Status\":\"Login Succeeded\",\"IdentityToken\":\"\"}"))) {
            BerthClient.AuthResult r = client(d).auth(RegistryAuth.basic("bob", "pw", "127.0.0.1:5000"));
            assertThat(r.status()).isEqualTo("Login Succeeded");
            assertThat(r.identityToken()).isNull();
            assertThat(new String(d.requests.getLast().body(), StandardCharsets.UTF_8))
                    .isEqualTo("{\"username\":\"bob\",\"password\":\"pw\",\"serveraddress\":\"127.0.0.1:5000\"}");
        }
    }

    @Test void pathNameEscapesOnlyWhatReferencesCannotContain() {
        assertThat(BerthClient.pathName("host:5000/a/b:1@sha256:ab")).isEqualTo("host:5000/a/b:1@sha256:ab");
        assertThat(BerthClient.pathName("a b?c#")).isEqualTo("a%20b%3Fc%23");
    }
}
