package io.berth.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code berth volume …} against Docker-shaped answers on a real unix socket: requests sent, output printed. */
class VolumeCommandsTest {
    static final String V1 = "{\"CreatedAt\":\"2026-01-02T03:04:05Z\",\"Driver\":\"local\",\"Labels\":{\"a\":\"b\"},"
            + "\"Mountpoint\":\"/var/lib/berth/volumes/data1/_data\",\"Name\":\"data1\",\"Options\":null,\"Scope\":\"local\"}";
    static final String V2 = V1.replace("data1", "alpha").replace("{\"a\":\"b\"}", "null");

    @TempDir Path dir;
    CannedServer server;
    String stdout, stderr;

    @BeforeEach void start() throws IOException {
        server = new CannedServer(dir.resolve("v.sock"), key -> {
            String path = key.contains("?") ? key.substring(0, key.indexOf('?')) : key;
            return switch (path) {
                case "GET /_ping", "HEAD /_ping" -> new CannedServer.Reply(200, "text/plain", List.of("OK"));
                case "POST /volumes/create" -> CannedServer.Reply.json(201, V1);
                case "GET /volumes" -> CannedServer.Reply.json(200, "{\"Volumes\":[" + V1 + "," + V2 + "],\"Warnings\":null}");
                case "GET /volumes/data1" -> CannedServer.Reply.json(200, V1);
                case "GET /volumes/nope" -> CannedServer.Reply.json(404, "{\"message\":\"get nope: no such volume\"}");
                case "DELETE /volumes/data1" -> new CannedServer.Reply(204, null, List.of(""));
                case "DELETE /volumes/busy" -> CannedServer.Reply.json(409, "{\"message\":\"remove busy: volume is in use - [abc]\"}");
                case "POST /volumes/prune" -> CannedServer.Reply.json(200, "{\"VolumesDeleted\":[\"old1\"],\"SpaceReclaimed\":2048}");
                default -> null;
            };
        });
    }

    @AfterEach void stop() throws IOException { server.close(); }

    private int run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        List<String> argv = new ArrayList<>(List.of("-H", server.host()));
        argv.addAll(List.of(args));
        int rc = Main.run(argv.toArray(String[]::new), new PrintStream(out, false, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]),
                Map.of("DOCKER_CONFIG", dir.resolve("dc").toString()), false);
        stdout = out.toString(StandardCharsets.UTF_8);
        stderr = err.toString(StandardCharsets.UTF_8);
        return rc;
    }

    private String last() { return URLDecoder.decode(server.requests.getLast(), StandardCharsets.UTF_8); }

    @Test void lsPrintsDockersTableQuietAndFormats() {
        assertThat(run("volume", "ls")).as(stderr).isZero();
        assertThat(stdout).isEqualTo("DRIVER    VOLUME NAME\nlocal     alpha\nlocal     data1\n");
        assertThat(run("volume", "ls", "-q", "--filter", "dangling=true", "-f", "label=a")).isZero();
        assertThat(stdout).isEqualTo("alpha\ndata1\n");
        assertThat(last()).isEqualTo("GET /volumes?filters={\"dangling\":{\"true\":true},\"label\":{\"a\":true}}");
        run("volume", "ls", "--format", "{{.Name}} {{.Labels}} {{.Mountpoint}}");
        assertThat(stdout).isEqualTo("alpha  /var/lib/berth/volumes/alpha/_data\ndata1 a=b /var/lib/berth/volumes/data1/_data\n");
    }

    @Test void createInspectRmPrune() {
        assertThat(run("volume", "create", "--label", "a=b", "-o", "type=tmpfs", "data1")).as(stderr).isZero();
        assertThat(stdout).isEqualTo("data1\n");
        assertThat(run("volume", "inspect", "-f", "{{.Mountpoint}} {{.Labels.a}}", "data1")).isZero();
        assertThat(stdout).isEqualTo("/var/lib/berth/volumes/data1/_data b\n");
        assertThat(run("volume", "inspect", "data1", "nope")).isEqualTo(1);
        assertThat(stdout).startsWith("[\n    {\n        \"CreatedAt\": \"2026-01-02T03:04:05Z\",");
        assertThat(stderr).contains("Error response from daemon: get nope: no such volume");
        assertThat(run("volume", "rm", "data1", "busy")).isEqualTo(1);
        assertThat(stdout).isEqualTo("data1\n");
        assertThat(stderr).contains("remove busy: volume is in use - [abc]");
        assertThat(run("volume", "prune", "-f", "--all")).isZero();
        assertThat(last()).isEqualTo("POST /volumes/prune?filters={\"all\":{\"true\":true}}");
        assertThat(stdout).isEqualTo("Deleted Volumes:\nold1\n\nTotal reclaimed space: 2.048kB\n");
    }
}
