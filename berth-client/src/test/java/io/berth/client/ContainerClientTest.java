package io.berth.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.api.BerthException;
import io.berth.api.container.AttachOptions;
import io.berth.api.container.AttachSession;
import io.berth.api.container.ContainerDetails;
import io.berth.api.container.ContainerListOptions;
import io.berth.api.container.ContainerSpec;
import io.berth.api.container.ContainerState;
import io.berth.api.container.ExecSpec;
import io.berth.api.container.HostSpec;
import io.berth.api.container.LogEntry;
import io.berth.api.container.LogOptions;
import io.berth.api.container.LogStream;
import io.berth.api.container.StdStream;
import io.berth.api.container.WaitCondition;
import io.berth.api.container.WaitResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(20)
class ContainerClientTest {
    static final String CID = "e8a4bca4fb691b3f42b45bb611b5eb70071b1edfbca34cfa0dc0a4d830c6d754";
    @TempDir Path dir;

    private ContainerClient client(FakeEngine f) { return new BerthClient(f.host(), r -> null).containers(); }

    private static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    /** The docker CLI's run: create, attach (101), wait sent before start, start, frames, then the wait answer. */
    @Test void runSequenceAttachBeforeStartAndWaitResult() throws Exception {
        CountDownLatch started = new CountDownLatch(1), streamDone = new CountDownLatch(1);
        try (FakeEngine f = new FakeEngine(dir.resolve("e.sock"), (r, in, out, ch) -> {
            String p = r.path();
            if (p.startsWith("/containers/create")) FakeEngine.json(out, 201, "{\"Id\":\"" + CID + "\",\"Warnings\":[]}");
            else if (p.contains("/attach")) {
                FakeEngine.upgraded(out);
                started.await(5, TimeUnit.SECONDS);
                out.write(FrameReader.frame(StdStream.STDOUT, utf8("hello-rm\n")));
                out.write(FrameReader.frame(StdStream.STDERR, utf8("oops\n")));
                ch.shutdownOutput();
                streamDone.countDown();
            } else if (p.contains("/wait")) {
                FakeEngine.head(out, 200, "application/json", Map.of("Transfer-Encoding", "chunked"));
                streamDone.await(5, TimeUnit.SECONDS);
                FakeEngine.chunk(out, utf8("{\"Error\":null,\"StatusCode\":3}\n"));
                FakeEngine.endChunks(out);
            } else if (p.endsWith("/start")) { started.countDown(); FakeEngine.noContent(out); }
            else FakeEngine.json(out, 404, "{\"message\":\"no route " + p + "\"}");
        })) {
            ContainerClient c = client(f);
            ContainerSpec spec = ContainerSpec.of("busybox", List.of("echo", "hello-rm")).withName("t1")
                    .withHost(HostSpec.DEFAULT.withAutoRemove(true));
            String id = c.create(spec).id();
            assertThat(id).isEqualTo(CID);
            ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
            try (AttachSession s = c.attach(id, AttachOptions.OUTPUT, false);
                 ContainerClient.PendingWait w = c.waitAsync(id, WaitCondition.REMOVED)) {
                assertThat(s.stdin()).isNull();
                c.start(id);
                AttachSession.Frame fr;
                while ((fr = s.read()) != null) (fr.stream() == StdStream.STDERR ? e : o).write(fr.data());
                WaitResult res = w.result();
                assertThat(res.statusCode()).isEqualTo(3);
                assertThat(res.error()).isNull();
            }
            assertThat(o.toString(StandardCharsets.UTF_8)).isEqualTo("hello-rm\n");
            assertThat(e.toString(StandardCharsets.UTF_8)).isEqualTo("oops\n");
            assertThat(f.log).containsExactly("POST /containers/create?name=t1",
                    "POST /containers/" + CID + "/attach?stderr=1&stdout=1&stream=1",
                    "POST /containers/" + CID + "/wait?condition=removed",
                    "POST /containers/" + CID + "/start");
            FakeEngine.Request attach = f.requests.stream().filter(r -> r.path().contains("/attach")).findFirst().orElseThrow();
            assertThat(attach.headers()).containsEntry("upgrade", "tcp").containsEntry("connection", "Upgrade");
            JsonNode body = Json.mapper().readTree(f.requests.stream().filter(r -> r.path().startsWith("/containers/create")).findFirst().orElseThrow().body());
            assertThat(body.path("HostConfig").path("AutoRemove").asBoolean()).isTrue();
            assertThat(body.path("Cmd").toString()).isEqualTo("[\"echo\",\"hello-rm\"]");
            assertThat(body.path("Entrypoint").isNull()).isTrue();
        }
    }

    /**
     * Half-close: the fake reads stdin until EOF and only then echoes it in frames. The client must
     * send FIN on its write side (not close the socket) and keep reading.
     */
    @Test void stdinHalfCloseKeepsOutputFlowing() throws Exception {
        try (FakeEngine f = new FakeEngine(dir.resolve("e.sock"), (r, in, out, ch) -> {
            FakeEngine.upgraded(out);
            byte[] all = in.readAllBytes(); // returns at the client's half-close
            out.write(FrameReader.frame(StdStream.STDOUT, utf8("got:")));
            out.write(FrameReader.frame(StdStream.STDOUT, all));
            ch.shutdownOutput();
        })) {
            ContainerClient c = client(f);
            try (AttachSession s = c.attach(CID, AttachOptions.ALL, false)) {
                OutputStream stdin = s.stdin();
                stdin.write(utf8("x\ny\n"));
                stdin.close();
                ByteArrayOutputStream o = new ByteArrayOutputStream();
                AttachSession.Frame fr;
                while ((fr = s.read()) != null) o.write(fr.data());
                assertThat(o.toString(StandardCharsets.UTF_8)).isEqualTo("got:x\ny\n");
            }
            assertThat(f.log.getFirst()).isEqualTo("POST /containers/" + CID + "/attach?stderr=1&stdin=1&stdout=1&stream=1");
        }
    }

    /** With a TTY the stream is raw bytes: an 8-byte-looking prefix must come through untouched. */
    @Test void ttyStreamIsRaw() throws Exception {
        try (FakeEngine f = new FakeEngine(dir.resolve("e.sock"), (r, in, out, ch) -> {
            FakeEngine.upgraded(out);
            out.write(new byte[]{1, 0, 0, 0, 0, 0, 0, 2, 'a', '\r', '\n'});
            ch.shutdownOutput();
            in.readAllBytes();
        })) {
            try (AttachSession s = client(f).attach(CID, AttachOptions.OUTPUT, true)) {
                ByteArrayOutputStream o = new ByteArrayOutputStream();
                AttachSession.Frame fr;
                while ((fr = s.read()) != null) { assertThat(fr.stream()).isEqualTo(StdStream.STDOUT); o.write(fr.data()); }
                assertThat(o.toByteArray()).containsExactly(1, 0, 0, 0, 0, 0, 0, 2, 'a', '\r', '\n');
            }
        }
    }

    @Test void execExitCodeIsReadAfterTheStreamEnds() throws Exception {
        String eid = "2693a68a39d34af5518246a85eec8cb30be00655918f52c798c17d139cd9a416";
        try (FakeEngine f = new FakeEngine(dir.resolve("e.sock"), (r, in, out, ch) -> {
            String p = r.path();
            if (p.endsWith("/exec")) FakeEngine.json(out, 201, "{\"Id\":\"" + eid + "\"}");
            else if (p.endsWith("/start")) {
                FakeEngine.upgraded(out);
                byte[] stdin = in.readAllBytes(); // exec without -i: the client half-closes at once
                out.write(FrameReader.frame(StdStream.STDOUT, utf8("hello-exec " + stdin.length + "\n")));
                ch.shutdownOutput();
            } else if (p.endsWith("/json")) FakeEngine.json(out, 200, """
                    {"ID":"%s","Running":false,"ExitCode":7,"ProcessConfig":{"tty":false,"entrypoint":"sh","arguments":["-c","exit 7"],
                     "privileged":true,"user":"nobody"},"OpenStdin":false,"OpenStderr":true,"OpenStdout":true,"ContainerID":"%s","Pid":42}
                    """.formatted(eid, CID));
        })) {
            ContainerClient c = client(f);
            ExecSpec spec = new ExecSpec(List.of("sh", "-c", "exit 7"), List.of("A=1"), "nobody", "/tmp", false, false, true, true, true, null);
            String id = c.execCreate("ctr", spec);
            assertThat(id).isEqualTo(eid);
            try (AttachSession s = c.execStart(id, false, false, false)) {
                assertThat(s.exitCode()).isNull();
                AttachSession.Frame fr = s.read();
                assertThat(new String(fr.data(), StandardCharsets.UTF_8)).isEqualTo("hello-exec 0\n");
                assertThat(s.read()).isNull();
                assertThat(s.exitCode()).isEqualTo(7);
            }
            JsonNode create = Json.mapper().readTree(f.requests.stream().filter(r -> r.path().endsWith("/exec")).findFirst().orElseThrow().body());
            assertThat(create.path("Cmd").toString()).isEqualTo("[\"sh\",\"-c\",\"exit 7\"]");
            assertThat(create.path("Env").toString()).isEqualTo("[\"A=1\"]");
            assertThat(create.path("User").asText()).isEqualTo("nobody");
            assertThat(create.path("WorkingDir").asText()).isEqualTo("/tmp");
            assertThat(create.path("Privileged").asBoolean()).isTrue();
            FakeEngine.Request start = f.requests.stream().filter(r -> r.path().endsWith("/start")).findFirst().orElseThrow();
            assertThat(new String(start.body(), StandardCharsets.UTF_8)).isEqualTo("{\"Detach\":false,\"Tty\":false}");
            assertThat(start.headers()).containsEntry("upgrade", "tcp");
            assertThat(f.log).containsExactly("POST /containers/ctr/exec", "POST /exec/" + eid + "/start", "GET /exec/" + eid + "/json");
            var d = c.execInspect(eid);
            assertThat(d.spec().cmd()).containsExactly("sh", "-c", "exit 7");
            assertThat(d.spec().privileged()).isTrue();
            assertThat(d.pid()).isEqualTo(42);
        }
    }

    @Test void hijackErrorBecomesDaemonException() throws Exception {
        try (FakeEngine f = new FakeEngine(dir.resolve("e.sock"), (r, in, out, ch) ->
                FakeEngine.json(out, 409, "{\"message\":\"Container " + CID + " is not running\"}"))) {
            assertThatThrownBy(() -> client(f).execStart("abc", false, false, true))
                    .isInstanceOfSatisfying(DaemonException.class, e -> {
                        assertThat(e.kind()).isEqualTo(BerthException.Kind.CONFLICT);
                        assertThat(e.getMessage()).isEqualTo("Container " + CID + " is not running");
                    });
        }
    }

    /** Logs: chunked HTTP carrying 8-byte frames that straddle chunk boundaries; timestamps parsed off. */
    @Test void logsDemultiplexFramesAcrossChunksWithTimestamps() throws Exception {
        try (FakeEngine f = new FakeEngine(dir.resolve("e.sock"), (r, in, out, ch) -> {
            FakeEngine.head(out, 200, null, Map.of("Transfer-Encoding", "chunked"));
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.write(FrameReader.frame(StdStream.STDOUT, utf8("2026-11-23T13:40:49.4Z line1\n")));
            all.write(FrameReader.frame(StdStream.STDERR, utf8("2026-11-23T13:40:50.400046297Z err0\n")));
            byte[] b = all.toByteArray();
            FakeEngine.chunk(out, java.util.Arrays.copyOfRange(b, 0, 5));
            FakeEngine.chunk(out, java.util.Arrays.copyOfRange(b, 5, 40));
            FakeEngine.chunk(out, java.util.Arrays.copyOfRange(b, 40, b.length));
            FakeEngine.endChunks(out);
        })) {
            LogOptions o = new LogOptions(true, true, true, true, Instant.ofEpochSecond(100, 5), null, 2);
            try (LogStream s = client(f).logs("ctr", o, false)) {
                LogEntry a = s.next(), b = s.next();
                assertThat(s.next()).isNull();
                assertThat(a.stream()).isEqualTo(StdStream.STDOUT);
                assertThat(a.time()).isEqualTo(Instant.parse("2026-11-23T13:40:49.4Z"));
                assertThat(new String(a.data(), StandardCharsets.UTF_8)).isEqualTo("line1\n");
                assertThat(b.stream()).isEqualTo(StdStream.STDERR);
                assertThat(b.time()).isEqualTo(Instant.parse("2026-11-23T13:40:50.400046297Z"));
                assertThat(new String(b.data(), StandardCharsets.UTF_8)).isEqualTo("err0\n");
            }
            assertThat(f.log).containsExactly("GET /containers/ctr/logs?follow=1&stderr=1&stdout=1&since=100.000000005&tail=2&timestamps=1");
        }
    }

    @Test void inspectParsesDockersJson() throws Exception {
        String sample = Files.readString(Path.of(getClass().getResource("/container_inspect.json").toURI()));
        JsonNode n = Json.mapper().readTree(sample);
        String one = (n.isArray() ? n.get(0) : n).toString();
        try (FakeEngine f = new FakeEngine(dir.resolve("e.sock"), (r, in, out, ch) -> FakeEngine.json(out, 200, one))) {
            ContainerDetails d = client(f).inspect("rsch-full");
            assertThat(d.id()).isEqualTo("d5f8977b1018a7c2cc9b703c9f857c04997540a1c0fb07f62be5e54927d93eb7");
            assertThat(d.name()).isEqualTo("rsch-full");
            assertThat(d.path()).isEqualTo("sh");
            assertThat(d.args()).containsExactly("-c", "sleep 100");
            assertThat(d.state().status()).isEqualTo(ContainerState.Status.RUNNING);
            assertThat(d.state().running()).isTrue();
            assertThat(d.state().pid()).isEqualTo(1223);
            assertThat(d.state().startedAt()).isEqualTo(Instant.parse("2026-11-23T13:43:55.804591593Z"));
            assertThat(d.state().finishedAt()).isNull();
            assertThat(d.spec().cmd()).containsExactly("-c", "sleep 100");
            assertThat(d.spec().tty()).isFalse();
            assertThat(d.labels()).containsEntry("k", "v");
            HostSpec h = d.spec().host();
            assertThat(h.resources().memory()).isEqualTo(67108864L);
            assertThat(h.resources().nanoCpus()).isEqualTo(500000000L);
            assertThat(h.binds()).containsExactly("/srv/vol:/data:ro");
            assertThat(h.mounts()).extracting(HostSpec.MountSpec::type).containsExactly("bind", "volume", "tmpfs");
            assertThat(h.restartPolicy()).isEqualTo("no");
        }
    }

    @Test void listSendsFiltersAndParsesSummaries() throws Exception {
        try (FakeEngine f = new FakeEngine(dir.resolve("e.sock"), (r, in, out, ch) -> FakeEngine.json(out, 200, """
                [{"Id":"%s","Names":["/a"],"Image":"busybox","ImageID":"sha256:1","Command":"sh -c 'sleep 100'","Created":1795441435,
                  "Labels":{"k":"v"},"State":"exited","Status":"Exited (3) 2 minutes ago"}]""".formatted(CID)))) {
            var list = client(f).list(new ContainerListOptions(true, 1, Map.of("status", List.of("exited"))));
            assertThat(list).hasSize(1);
            assertThat(list.getFirst().state()).isEqualTo(ContainerState.Status.EXITED);
            assertThat(list.getFirst().names()).containsExactly("/a");
            assertThat(list.getFirst().created()).isEqualTo(Instant.ofEpochSecond(1795441435));
            assertThat(f.log.getFirst()).startsWith("GET /containers/json?all=1&limit=1&filters=");
            assertThat(java.net.URLDecoder.decode(f.log.getFirst(), StandardCharsets.UTF_8)).endsWith("filters={\"status\":{\"exited\":true}}");
        }
    }

    @Test void lifecycleCallsAndNotModified() throws Exception {
        try (FakeEngine f = new FakeEngine(dir.resolve("e.sock"), (r, in, out, ch) -> {
            if (r.path().contains("/stop")) FakeEngine.head(out, 304, null, Map.of());
            else FakeEngine.noContent(out);
        })) {
            ContainerClient c = client(f);
            assertThatThrownBy(() -> c.stop("a", 3, "SIGINT")).isInstanceOfSatisfying(DaemonException.class,
                    e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.NOT_MODIFIED));
            c.kill("a", "HUP");
            c.remove("a", true, true);
            c.rename("a", "b");
            c.pause("a");
            c.unpause("a");
            c.restart("a", null, null);
            c.resize("a", 30, 100);
            assertThat(f.log).containsExactly("POST /containers/a/stop?t=3&signal=SIGINT", "POST /containers/a/kill?signal=HUP",
                    "DELETE /containers/a?force=1&v=1", "POST /containers/a/rename?name=b", "POST /containers/a/pause",
                    "POST /containers/a/unpause", "POST /containers/a/restart", "POST /containers/a/resize?h=30&w=100");
        }
    }

    @Test void createBodyCarriesResources() throws Exception {
        HostSpec.Resources res = new HostSpec.Resources(64L << 20, -1L, null, 1_500_000_000L, 512L, null, null, "0-1", null, 50L, null);
        HostSpec h = new HostSpec(List.of("/a:/b:ro"), List.of(new HostSpec.MountSpec("tmpfs", null, "/t", false, null)), Map.of("/run", "size=1m"),
                "none", false, true, List.of("CAP_NET_ADMIN"), List.of(), List.of("no-new-privileges"), true, true,
                List.of(new HostSpec.Ulimit("nofile", 1024, 2048)), 32L << 20, "on-failure", 3, res, "runc", List.of(), Map.of(), null, null, null, null, null);
        JsonNode n = ContainerJson.createBody(ContainerSpec.of("img", null).withHost(h), true);
        JsonNode hc = n.path("HostConfig");
        assertThat(n.path("Cmd").isNull()).isTrue();
        assertThat(hc.path("Memory").asLong()).isEqualTo(67108864L);
        assertThat(hc.path("MemorySwap").asLong()).isEqualTo(-1L);
        assertThat(hc.path("NanoCpus").asLong()).isEqualTo(1500000000L);
        assertThat(hc.path("PidsLimit").asLong()).isEqualTo(50L);
        assertThat(hc.path("RestartPolicy").toString()).isEqualTo("{\"Name\":\"on-failure\",\"MaximumRetryCount\":3}");
        assertThat(hc.path("Ulimits").toString()).isEqualTo("[{\"Name\":\"nofile\",\"Hard\":2048,\"Soft\":1024}]");
        assertThat(hc.path("Mounts").get(0).path("Type").asText()).isEqualTo("tmpfs");
        assertThat(hc.path("Tmpfs").path("/run").asText()).isEqualTo("size=1m");
        assertThat(hc.path("Init").asBoolean()).isTrue();
        assertThat(hc.path("ReadonlyRootfs").asBoolean()).isTrue();
        assertThat(hc.path("NetworkMode").asText()).isEqualTo("none");
        assertThat(hc.path("ShmSize").asLong()).isEqualTo(33554432L);
        // And back: inspect's HostConfig parses into the same record values.
        HostSpec back = ContainerJson.host(hc);
        assertThat(back.resources()).isEqualTo(res);
        assertThat(back.ulimits()).isEqualTo(h.ulimits());
        assertThat(back.restartMaxRetries()).isEqualTo(3);
    }
}
