package io.berth.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.wire.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The real docker CLI against the /volumes routes with {@link FakeVolumes} behind them: status codes, JSON and the CLI's output. */
class VolumeCliTest {
    static final String DOCKER = "/usr/local/bin/docker";
    @TempDir static Path tmp;
    static FakeVolumes volumes;
    static BerthServer.Handle server;
    static Map<String, String> env;
    static Path sock;

    @BeforeAll static void start() throws Exception {
        FakeEngine engine = new FakeEngine();
        volumes = new FakeVolumes();
        sock = tmp.resolve("run/berth.sock");
        server = new BerthServer(ServerConfig.of(sock, "0.1.0-test"), engine, engine, new FakeContainers(),
                io.berth.api.Unavailable.of(io.berth.api.network.NetworkEngine.class, "no networks"), volumes).start();
        Files.createDirectories(tmp.resolve("dockercfg"));
        env = Map.of("DOCKER_HOST", "unix://" + sock, "DOCKER_CONFIG", tmp.resolve("dockercfg").toString(), "DOCKER_CLI_HINTS", "false");
    }

    @AfterAll static void stop() { if (server != null) server.close(); }

    @BeforeEach void clear() {
        volumes.vols.clear();
        volumes.inUse.clear();
    }

    static Proc docker(String... args) { return Proc.run(env, null, Proc.args(DOCKER, args).toArray(String[]::new)); }

    static Proc ok(String... args) {
        Proc p = docker(args);
        assertThat(p.exit()).as("docker %s\n%s", String.join(" ", args), p).isZero();
        return p;
    }

    @Test void createInspectListRemove() throws Exception {
        assertThat(ok("volume", "create", "--label", "a=b", "--opt", "type=tmpfs", "--opt", "device=tmpfs", "data1").out()).isEqualTo("data1\n");
        JsonNode v = Json.MAPPER.readTree(ok("volume", "inspect", "data1").out()).get(0);
        assertThat(v.get("Name").asText()).isEqualTo("data1");
        assertThat(v.get("Driver").asText()).isEqualTo("local");
        assertThat(v.get("Mountpoint").asText()).isEqualTo("/var/lib/berth/volumes/data1/_data");
        assertThat(v.get("CreatedAt").asText()).isEqualTo("2026-01-02T03:04:05Z");
        assertThat(v.get("Labels").get("a").asText()).isEqualTo("b");
        assertThat(v.get("Options").get("type").asText()).isEqualTo("tmpfs");
        assertThat(v.get("Scope").asText()).isEqualTo("local");
        assertThat(ok("volume", "inspect", "-f", "{{.Mountpoint}}", "data1").out().strip()).isEqualTo("/var/lib/berth/volumes/data1/_data");

        ok("volume", "create", "other");
        assertThat(ok("volume", "ls").out()).isEqualTo("DRIVER    VOLUME NAME\nlocal     data1\nlocal     other\n");
        assertThat(ok("volume", "ls", "-q", "--filter", "name=oth").out()).isEqualTo("other\n");
        assertThat(volumes.lastFilters).containsEntry("name", List.of("oth"));

        Proc missing = docker("volume", "inspect", "nope");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("get nope: no such volume");
        Proc bad = docker("volume", "create", "x/y");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("includes invalid characters");

        volumes.inUse.add("other");
        Proc busy = docker("volume", "rm", "other");
        assertThat(busy.exit()).isEqualTo(1);
        assertThat(busy.err()).contains("volume is in use - [c0ffee]");
        assertThat(ok("volume", "rm", "data1").out()).isEqualTo("data1\n");
        ok("volume", "rm", "-f", "data1");
        assertThat(ok("volume", "ls", "-q").out()).isEqualTo("other\n");
    }

    @Test void pruneAnswersDeletedAndSpace() {
        volumes.create(new io.berth.api.volume.VolumeCreateSpec(null, null, null, null));
        ok("volume", "create", "named");
        Proc p = ok("volume", "prune", "-f");
        assertThat(p.out()).contains("Deleted Volumes:\n" + "f".repeat(64)).contains("Total reclaimed space: 100B");
        assertThat(ok("volume", "ls", "-q").out()).isEqualTo("named\n");
        assertThat(ok("volume", "prune", "-f", "--all").out()).contains("named");
        assertThat(volumes.lastFilters).containsEntry("all", List.of("true"));
    }

    @Test void rawStatusCodesAndBodies() throws Exception {
        assertThat(curl("POST", "/volumes/create", "{\"Name\":\"raw1\",\"Labels\":{\"k\":\"v\"}}")).startsWith("201 ").contains("\"Name\":\"raw1\"");
        assertThat(curl("POST", "/volumes/create", "")).startsWith("201 ");
        assertThat(curl("GET", "/volumes", null)).startsWith("200 ").contains("\"Volumes\":[").contains("\"Warnings\":null");
        volumes.inUse.add("raw1");
        assertThat(curl("DELETE", "/volumes/raw1", null)).startsWith("409 ");
        assertThat(curl("DELETE", "/volumes/gone", null)).startsWith("404 ");
        assertThat(curl("DELETE", "/volumes/gone?force=1", null)).startsWith("204 ");
        assertThat(curl("POST", "/volumes/prune", null)).startsWith("200 ").contains("\"VolumesDeleted\":[").contains("\"SpaceReclaimed\":");
    }

    /** "STATUS BODY" through curl on the unix socket. */
    static String curl(String method, String path, String body) {
        List<String> cmd = new java.util.ArrayList<>(List.of("curl", "-s", "--unix-socket", sock.toString(), "-X", method,
                "-w", "\n%{http_code}", "http://d/v1.43" + path));
        if (body != null) cmd.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", body));
        Proc p = Proc.run(Map.of(), null, cmd.toArray(String[]::new));
        String out = p.out();
        int nl = out.lastIndexOf('\n');
        return out.substring(nl + 1) + " " + out.substring(0, nl);
    }
}
