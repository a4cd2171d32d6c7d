package io.berth.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.api.container.Event;
import io.berth.server.wire.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /events} and {@code POST /containers/prune} through curl and the real docker CLI, with {@link FakeContainers}. */
class EventRoutesTest {
    static final String DOCKER = "/usr/local/bin/docker";
    static final String ID = "fcb312d332fd0f30aad8bc1a421c9c8655d758ff736b2d47798ab180495e1394";
    @TempDir static Path tmp;
    static FakeContainers containers;
    static BerthServer.Handle server;
    static Path sock;
    static Map<String, String> env;

    @BeforeAll static void start() throws Exception {
        FakeEngine engine = new FakeEngine();
        containers = new FakeContainers();
        sock = tmp.resolve("run/berth.sock");
        server = new BerthServer(ServerConfig.of(sock, "0.1.0-test"), engine, engine, containers).start();
        Files.createDirectories(tmp.resolve("dockercfg"));
        env = Map.of("DOCKER_HOST", "unix://" + sock, "DOCKER_CONFIG", tmp.resolve("dockercfg").toString(), "DOCKER_CLI_HINTS", "false");
        long t = 1795441427421186481L;
        for (String a : List.of("create", "attach", "start", "die", "destroy"))
            containers.events.add(new Event("container", a, ID, a.equals("die") ? Map.of("image", "bb:1", "name", "musing_mclean", "exitCode", "0")
                    : Map.of("image", "bb:1", "name", "musing_mclean"), "bb:1", t++));
    }

    @AfterAll static void stop() { if (server != null) server.close(); }

    static Proc docker(String... args) { return Proc.run(env, null, Proc.args(DOCKER, args).toArray(String[]::new)); }

    @Test void streamsDockersEventShapeOneObjectPerLineAndEndsAtUntil() throws Exception {
        long now = Instant.now().getEpochSecond();
        Proc p = Proc.run(Map.of(), null, Proc.args("curl", "-sS", "--unix-socket", sock.toString(),
                "http://x/v1.41/events?since=1795441373&until=" + (now + 1) + ".5&filters=%7B%22type%22%3A%7B%22container%22%3Atrue%7D%7D")
                .toArray(String[]::new));
        assertThat(p.exit()).as(p.toString()).isZero();
        String[] lines = p.out().split("\n");
        assertThat(lines).hasSize(5);
        JsonNode first = Json.MAPPER.readTree(lines[0]);
        assertThat(first.get("status").asText()).isEqualTo("create");
        assertThat(first.get("id").asText()).isEqualTo(ID);
        assertThat(first.get("from").asText()).isEqualTo("bb:1");
        assertThat(first.get("Type").asText()).isEqualTo("container");
        assertThat(first.get("Action").asText()).isEqualTo("create");
        assertThat(first.at("/Actor/ID").asText()).isEqualTo(ID);
        assertThat(first.at("/Actor/Attributes/name").asText()).isEqualTo("musing_mclean");
        assertThat(first.get("scope").asText()).isEqualTo("local");
        assertThat(first.get("time").asLong()).isEqualTo(1795441427L);
        assertThat(first.get("timeNano").asLong()).isEqualTo(1795441427421186481L);
        assertThat(Json.MAPPER.readTree(lines[3]).at("/Actor/Attributes/exitCode").asText()).isEqualTo("0");
        assertThat(containers.lastEventOptions.since()).isEqualTo(Instant.ofEpochSecond(1795441373));
        assertThat(containers.lastEventOptions.until()).isEqualTo(Instant.ofEpochSecond(now + 1, 500_000_000));
        assertThat(containers.lastEventOptions.filters()).containsEntry("type", List.of("container"));
    }

    @Test void headersAreSentBeforeAnyEventAndArrayFiltersParse() throws Exception {
        try (var s = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(sock))) {
            s.write(java.nio.ByteBuffer.wrap(("GET /events?filters=%7B%22event%22%3A%5B%22die%22%5D%7D HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            InputStream in = java.nio.channels.Channels.newInputStream(s);
            byte[] buf = new byte[4096];
            int n = in.read(buf); // the head arrives even though the stream stays open
            assertThat(new String(buf, 0, n, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200").contains("application/json");
        }
        assertThat(containers.lastEventOptions.filters()).containsEntry("event", List.of("die"));
    }

    @Test void dockerEventsPrintsTheStream() {
        long now = Instant.now().getEpochSecond();
        Proc p = docker("events", "--since", "1795441373", "--until", Long.toString(now + 1), "--format", "{{.Action}} {{.Actor.Attributes.name}}");
        assertThat(p.exit()).as(p.toString()).isZero();
        assertThat(p.out()).isEqualTo("create musing_mclean\nattach musing_mclean\nstart musing_mclean\ndie musing_mclean\ndestroy musing_mclean\n");
    }

    @Test void dockerContainerPruneRemovesStoppedContainers() {
        Proc c = docker("create", "127.0.0.1:5055/rsch/busybox:1", "true");
        assertThat(c.exit()).as(c.toString()).isZero();
        String id = c.out().strip();
        Proc p = docker("container", "prune", "-f");
        assertThat(p.exit()).as(p.toString()).isZero();
        assertThat(p.out()).contains("Deleted Containers:").contains(id).contains("Total reclaimed space: 1.234kB");
        Proc raw = Proc.run(Map.of(), null, Proc.args("curl", "-sS", "-X", "POST", "--unix-socket", sock.toString(), "http://x/containers/prune")
                .toArray(String[]::new));
        assertThat(raw.out()).isEqualTo("{\"ContainersDeleted\":null,\"SpaceReclaimed\":0}");
    }

    @Test void systemCheckIsABerthExtension() throws Exception {
        Proc p = Proc.run(Map.of(), null, Proc.args("curl", "-sS", "--unix-socket", sock.toString(), "http://x/berth/v1/system/check")
                .toArray(String[]::new));
        JsonNode n = Json.MAPPER.readTree(p.out());
        assertThat(n.get("Ok").asBoolean()).isTrue(); // openat2 failed but is optional
        assertThat(n.at("/Checks/0/Name").asText()).isEqualTo("runc");
        assertThat(n.at("/Checks/1/Ok").asBoolean()).isFalse();
        assertThat(n.at("/Cleaned/0").asText()).isEqualTo("unmounted stale /x");
    }
}
