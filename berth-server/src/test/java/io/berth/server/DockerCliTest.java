package io.berth.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real docker CLI (/usr/local/bin/docker) against BerthServer on a temporary socket, with the
 * in-memory fake engine behind it: checks that what the server writes is what the CLI understands.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerCliTest {
    static final String DOCKER = "/usr/local/bin/docker";
    static final String BUSYBOX = "127.0.0.1:5055/rsch/busybox:1";

    @TempDir static Path tmp;
    static FakeEngine engine;
    static BerthServer.Handle server;
    static Map<String, String> env;
    static FakeEngine.Img busybox;

    @BeforeAll static void start() throws Exception {
        engine = new FakeEngine();
        busybox = engine.add(FakeEngine.config("2026-11-23T13:37:15.497673507Z", "sh", null,
                "sha256:39fce6fb821fbc03a62e2e8b9455e62884ec1fbaa7f69022e830fa812ebf432b"), BUSYBOX);
        engine.add(FakeEngine.config("2026-11-20T10:00:00Z", "app", Map.of("team", "a"),
                "sha256:1111111111111111111111111111111111111111111111111111111111111111"), "local/app:1");
        Path sock = tmp.resolve("run/berth.sock");
        server = new BerthServer(ServerConfig.of(sock, "0.1.0-test"), engine, engine).start();
        Files.createDirectories(tmp.resolve("dockercfg"));
        env = Map.of("DOCKER_HOST", "unix://" + sock, "DOCKER_CONFIG", tmp.resolve("dockercfg").toString(),
                "DOCKER_CLI_HINTS", "false");
    }

    @AfterAll static void stop() { if (server != null) server.close(); }

    static Proc docker(String... args) { return Proc.run(env, null, Proc.args(DOCKER, args).toArray(String[]::new)); }

    static Proc ok(String... args) {
        Proc p = docker(args);
        assertThat(p.exit()).as("docker %s\n%s", String.join(" ", args), p).isZero();
        return p;
    }

    @Test @Order(1) void version() {
        Proc p = ok("version");
        assertThat(p.out()).contains("Server:").contains("0.1.0-test")
                .containsPattern("API version:\\s+1\\.44 \\(minimum version 1\\.24\\)");
    }

    @Test @Order(2) void info() {
        Proc p = ok("info");
        assertThat(p.out()).contains("Server Version: 0.1.0-test").contains("Storage Driver: overlay")
                .contains("Docker Root Dir: /var/lib/berth").contains("myreg:5000");
    }

    @Test @Order(3) void images() {
        Proc p = ok("images");
        assertThat(p.out()).containsPattern("127\\.0\\.0\\.1:5055/rsch/busybox\\s+1\\s+" + busybox.id.shortHex())
                .containsPattern("local/app\\s+1\\s+");
        Proc filtered = ok("images", "--filter", "label=team=a", "--format", "{{.Repository}}:{{.Tag}}");
        assertThat(filtered.out().strip()).isEqualTo("local/app:1");
        Proc byRef = ok("images", "127.0.0.1:5055/rsch/busybox", "--format", "{{.Repository}}");
        assertThat(byRef.out().strip()).isEqualTo("127.0.0.1:5055/rsch/busybox");
        assertThat(ok("images", "-q", "--filter", "dangling=true").out()).isBlank();
    }

    @Test @Order(4) void inspectNameWithSlashesAndPort() throws Exception {
        Proc p = ok("image", "inspect", BUSYBOX);
        JsonNode img = FakeEngine.JSON.readTree(p.out()).get(0);
        assertThat(img.get("Id").asText()).isEqualTo(busybox.id.toString());
        assertThat(img.get("RepoTags").get(0).asText()).isEqualTo(BUSYBOX);
        assertThat(img.get("Created").asText()).isEqualTo("2026-11-23T13:37:15.497673507Z");
        assertThat(img.get("RootFS").get("Type").asText()).isEqualTo("layers");
        assertThat(img.get("RootFS").get("Layers").get(0).asText()).startsWith("sha256:39fce6fb");
        assertThat(img.get("Config").get("Cmd").get(0).asText()).isEqualTo("sh");
        assertThat(img.get("Metadata").get("LastTagTime").asText()).isEqualTo("2026-11-23T13:37:15.4976735Z");
        assertThat(ok("image", "inspect", "--format", "{{.Os}}/{{.Architecture}}", busybox.id.shortHex()).out().strip())
                .isEqualTo("linux/amd64");
    }

    @Test @Order(5) void inspectMissing() {
        Proc p = docker("image", "inspect", "nosuch/img:1");
        assertThat(p.exit()).isEqualTo(1);
        assertThat(p.err()).contains("No such image: nosuch/img:1");
    }

    @Test @Order(6) void tagAndRmi() {
        ok("tag", BUSYBOX, "example.com/team/copy:2");
        assertThat(ok("images", "--format", "{{.Repository}}:{{.Tag}}").out()).contains("example.com/team/copy:2");
        Proc rmi = ok("rmi", "example.com/team/copy:2");
        assertThat(rmi.out()).contains("Untagged: example.com/team/copy:2").doesNotContain("Deleted");
        Proc missing = docker("rmi", "example.com/team/copy:2");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("Error response from daemon: No such image");
    }

    @Test @Order(7) void rmiConflictNeedsForce() {
        ok("tag", BUSYBOX, "twice:1");
        Proc p = docker("rmi", busybox.id.shortHex());
        assertThat(p.exit()).isEqualTo(1);
        assertThat(p.err()).contains("must be forced");
        ok("rmi", "twice:1");
    }

    @Test @Order(8) void pullStreamsProgress() {
        Proc p = ok("pull", "127.0.0.1:5055/rsch/fresh:1");
        assertThat(p.out())
                .contains("1: Pulling from rsch/fresh")
                .contains("fdd779cd6f10: Pulling fs layer")
                .contains("fdd779cd6f10: Pull complete")
                .contains("Digest: sha256:")
                .contains("Status: Downloaded newer image for 127.0.0.1:5055/rsch/fresh:1")
                .endsWith("127.0.0.1:5055/rsch/fresh:1\n");
        Proc again = ok("pull", "127.0.0.1:5055/rsch/fresh:1");
        assertThat(again.out()).contains("Status: Image is up to date for 127.0.0.1:5055/rsch/fresh:1");
    }

    @Test @Order(9) void pullErrors() {
        Proc before = docker("pull", "127.0.0.1:5055/rsch/nosuch:1");
        assertThat(before.exit()).isEqualTo(1);
        assertThat(before.err()).contains("Error response from daemon: manifest unknown");
        Proc mid = docker("pull", "127.0.0.1:5055/rsch/failmid:1");
        assertThat(mid.exit()).isEqualTo(1);
        assertThat(mid.out()).contains("1: Pulling from rsch/failmid");
        assertThat(mid.err()).contains("layer fdd779cd6f10: digest mismatch");
        Proc bad = docker("pull", "127.0.0.1:5055/Upper:1");
        assertThat(bad.exit()).isNotZero();
    }

    @Test @Order(10) void history() {
        Proc p = ok("history", "--no-trunc", BUSYBOX);
        assertThat(p.out()).contains(busybox.id.toString()).contains("<missing>").contains("CMD [\"sh\"]");
    }

    @Test @Order(11) void saveRemoveLoad() throws Exception {
        Path tar = tmp.resolve("busybox.tar");
        ok("save", "-o", tar.toString(), BUSYBOX);
        assertThat(Files.size(tar)).isGreaterThan(1024);
        ok("rmi", BUSYBOX);
        assertThat(ok("images", "--format", "{{.Repository}}:{{.Tag}}").out()).doesNotContain(BUSYBOX);
        Proc load = ok("load", "-i", tar.toString());
        assertThat(load.out()).contains("Loaded image: " + BUSYBOX);
        assertThat(ok("image", "inspect", "--format", "{{.Id}}", BUSYBOX).out().strip()).isEqualTo(busybox.id.toString());
        Proc missing = docker("save", "-o", tmp.resolve("x.tar").toString(), "nosuch:1");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("No such image: nosuch:1");
    }

    @Test @Order(12) void loginAndAuthenticatedPull() {
        Proc bad = Proc.run(env, null, DOCKER, "login", "-u", "bob", "--password", "bad", "127.0.0.1:5055");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("401 Unauthorized");
        Proc good = Proc.run(env, null, DOCKER, "login", "-u", "bob", "--password", "s3cret", "127.0.0.1:5055");
        assertThat(good.exit()).as("%s", good).isZero();
        assertThat(good.out()).contains("Login Succeeded");
        ok("pull", "127.0.0.1:5055/rsch/private:1");
        assertThat(engine.pullAuths).anySatisfy(a -> {
            assertThat(a.username()).isEqualTo("bob");
            assertThat(a.password()).isEqualTo("s3cret");
            assertThat(a.serverAddress()).isEqualTo("127.0.0.1:5055");
        });
    }

    @Test @Order(13) void prune() {
        engine.add(FakeEngine.config("2026-01-01T00:00:00Z", "dangling", null));
        Proc p = ok("image", "prune", "-f");
        assertThat(p.out()).contains("Deleted Images:").contains("Total reclaimed space: 1.982MB");
        assertThat(ok("image", "prune", "-f").out()).contains("Total reclaimed space: 0B");
    }
}
