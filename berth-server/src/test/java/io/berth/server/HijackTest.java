package io.berth.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.server.wire.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Byte-exact checks of the hijacked streams on a raw unix socket: the 101 and 200 heads, the
 * 8-byte frame headers, stdin sent in the same packet as the request, half-close as stdin EOF,
 * and the exec exit code being final when the stream closes.
 */
class HijackTest {
    @TempDir static Path tmp;
    static FakeContainers containers;
    static BerthServer.Handle server;
    static Path sock;

    @BeforeAll static void start() throws Exception {
        FakeEngine engine = new FakeEngine();
        containers = new FakeContainers();
        sock = tmp.resolve("berth.sock");
        server = new BerthServer(ServerConfig.of(sock, "0.1.0-test"), engine, engine, containers).start();
    }

    @AfterAll static void stop() { if (server != null) server.close(); }

    static SocketChannel connect() throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(sock));
        return ch;
    }

    static void send(SocketChannel ch, String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) ch.write(b);
    }

    /** Reads until the server closes, failing after 10 s. */
    static byte[] readToEof(SocketChannel ch) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer b = ByteBuffer.allocate(8192);
            try {
                while (ch.read(b) >= 0) { out.write(b.array(), 0, b.position()); b.clear(); }
            } catch (IOException e) { throw new RuntimeException(e); }
            return out.toByteArray();
        }).get(10, TimeUnit.SECONDS);
    }

    /** One request on its own connection; returns the whole response. */
    static String call(String method, String path, String body) throws Exception {
        try (SocketChannel ch = connect()) {
            String b = body == null ? "" : body;
            send(ch, method + " " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + b.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + b);
            return new String(readToEof(ch), StandardCharsets.UTF_8);
        }
    }

    static String create(String cmdJson) throws Exception {
        String r = call("POST", "/v1.44/containers/create", "{\"Image\":\"busybox\",\"Cmd\":" + cmdJson + ",\"OpenStdin\":true,\"StdinOnce\":true,\"HostConfig\":null,\"Labels\":null}");
        assertThat(r).startsWith("HTTP/1.1 201 Created\r\n");
        return Json.MAPPER.readTree(r.substring(r.indexOf("\r\n\r\n") + 4)).path("Id").asText();
    }

    static byte[] frame(int stream, String payload) {
        byte[] p = payload.getBytes(StandardCharsets.UTF_8);
        byte[] f = new byte[8 + p.length];
        f[0] = (byte) stream;
        f[7] = (byte) p.length;
        System.arraycopy(p, 0, f, 8, p.length);
        return f;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }

    @Test void upgradeAttachAnswers101ThenFramesAfterTheClientHalfClosed() throws Exception {
        String id = create("[\"sh\",\"-c\",\"echo hi; echoerr oops; exit 0\"]");
        try (SocketChannel ch = connect()) {
            send(ch, "POST /v1.41/containers/" + id + "/attach?stderr=1&stdout=1&stream=1 HTTP/1.1\r\nHost: api.moby.localhost\r\n"
                    + "Content-Length: 0\r\nConnection: Upgrade\r\nContent-Type: text/plain\r\nUpgrade: tcp\r\n\r\n");
            ch.shutdownOutput(); // the CLI does this at once when it has no stdin
            Thread.sleep(100);
            assertThat(call("POST", "/containers/" + id + "/start", null)).startsWith("HTTP/1.1 204 No Content\r\n");
            byte[] all = readToEof(ch);
            String head = "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n";
            assertThat(new String(all, StandardCharsets.ISO_8859_1)).startsWith(head);
            assertThat(Arrays.copyOfRange(all, head.length(), all.length)).isEqualTo(concat(frame(1, "hi\n"), frame(2, "oops\n")));
        }
    }

    @Test void multiplexedContentTypeFrom142() throws Exception {
        String id = create("[\"echo\",\"x\"]");
        try (SocketChannel ch = connect()) {
            send(ch, "POST /v1.44/containers/" + id + "/attach?stdout=1&stream=1 HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Length: 0\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
            ch.shutdownOutput();
            Thread.sleep(100);
            call("POST", "/containers/" + id + "/start", null);
            String all = new String(readToEof(ch), StandardCharsets.ISO_8859_1);
            assertThat(all).startsWith("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\n");
        }
    }

    @Test void plainAttachWithoutUpgradeAnswers200AndClosesAtTheEnd() throws Exception {
        String id = create("[\"echo\",\"plain\"]");
        try (SocketChannel ch = connect()) {
            send(ch, "POST /v1.41/containers/" + id + "/attach?stdout=1&stderr=1&stream=1 HTTP/1.1\r\nHost: localhost:2375\r\nContent-Length: 0\r\n\r\n");
            Thread.sleep(100);
            call("POST", "/containers/" + id + "/start", null);
            byte[] all = readToEof(ch);
            String head = "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n";
            assertThat(new String(all, StandardCharsets.ISO_8859_1)).startsWith(head);
            assertThat(Arrays.copyOfRange(all, head.length(), all.length)).isEqualTo(frame(1, "plain\n"));
        }
    }

    @Test void stdinInTheSamePacketAsTheRequestReachesTheProcessAndHalfCloseIsEof() throws Exception {
        String id = create("[\"cat\"]");
        try (SocketChannel ch = connect()) {
            // Request head and stdin bytes in one write: the decoder must hand the buffered bytes on.
            send(ch, "POST /containers/" + id + "/attach?stdin=1&stdout=1&stderr=1&stream=1 HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Length: 0\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nx\ny\n");
            Thread.sleep(100);
            call("POST", "/containers/" + id + "/start", null);
            Thread.sleep(100);
            assertThat(call("GET", "/containers/" + id + "/json", null)).contains("\"Running\":true");
            ch.shutdownOutput(); // stdin EOF: cat ends, its output still arrives
            String all = new String(readToEof(ch), StandardCharsets.ISO_8859_1);
            assertThat(all).endsWith(new String(frame(1, "x\ny\n"), StandardCharsets.ISO_8859_1));
        }
        assertThat(call("GET", "/containers/" + id + "/json", null)).contains("\"Status\":\"exited\"").contains("\"ExitCode\":0");
    }

    @Test void execStartWithBodyAndStdinThenExitCodeIsFinalAtEof() throws Exception {
        String id = create("[\"sleep\",\"100\"]");
        call("POST", "/containers/" + id + "/start", null);
        String created = call("POST", "/containers/" + id + "/exec",
                "{\"AttachStdin\":true,\"AttachStdout\":true,\"AttachStderr\":true,\"Cmd\":[\"cat\"],\"containerId\":\"" + id + "\",\"Env\":null}");
        assertThat(created).startsWith("HTTP/1.1 201 Created\r\n");
        String execId = Json.MAPPER.readTree(created.substring(created.indexOf("\r\n\r\n") + 4)).path("Id").asText();
        String body = "{\"Detach\":false,\"Tty\":false}";
        try (SocketChannel ch = connect()) {
            send(ch, "POST /v1.44/exec/" + execId + "/start HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: " + body.length() + "\r\n\r\n" + body + "in\n");
            ch.shutdownOutput();
            byte[] all = readToEof(ch);
            String head = "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n";
            assertThat(new String(all, StandardCharsets.ISO_8859_1)).startsWith(head);
            assertThat(Arrays.copyOfRange(all, head.length(), all.length)).isEqualTo(frame(1, "in\n"));
        }
        String inspect = call("GET", "/exec/" + execId + "/json", null);
        JsonNode j = Json.MAPPER.readTree(inspect.substring(inspect.indexOf("\r\n\r\n") + 4));
        assertThat(j.path("Running").asBoolean()).isFalse();
        assertThat(j.path("ExitCode").isInt()).isTrue();
        assertThat(j.path("ExitCode").asInt()).isZero();
        assertThat(j.path("ContainerID").asText()).isEqualTo(id);
        assertThat(j.path("ProcessConfig").path("entrypoint").asText()).isEqualTo("cat");
        assertThat(j.path("OpenStdin").asBoolean()).isTrue();
    }

    @Test void waitFlushesHeadersBeforeTheContainerExits() throws Exception {
        String id = create("[\"sleep\",\"100\"]");
        call("POST", "/containers/" + id + "/start", null);
        try (SocketChannel ch = connect()) {
            send(ch, "POST /containers/" + id + "/wait?condition=not-running HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
            ByteBuffer b = ByteBuffer.allocate(4096);
            ch.configureBlocking(true);
            int n = CompletableFuture.supplyAsync(() -> {
                try { return ch.read(b); } catch (IOException e) { throw new RuntimeException(e); }
            }).get(5, TimeUnit.SECONDS);
            String head = new String(b.array(), 0, n, StandardCharsets.ISO_8859_1);
            assertThat(head).startsWith("HTTP/1.1 200 OK\r\n").contains("Transfer-Encoding: chunked").doesNotContain("StatusCode");
            call("POST", "/containers/" + id + "/kill?signal=KILL", null);
            b.clear();
            int m = ch.read(b);
            assertThat(new String(b.array(), 0, m, StandardCharsets.ISO_8859_1)).contains("{\"Error\":null,\"StatusCode\":137}\n");
        }
    }

    @Test void errorsUseDockersStatusesAndWording() throws Exception {
        assertThat(call("GET", "/containers/nosuch/json", null)).startsWith("HTTP/1.1 404 Not Found\r\n")
                .endsWith("{\"message\":\"No such container: nosuch\"}");
        assertThat(call("POST", "/containers/nosuch/attach?stdout=1&stream=1", null)).startsWith("HTTP/1.1 404 Not Found\r\n");
        assertThat(call("POST", "/containers/nosuch/wait", null)).startsWith("HTTP/1.1 404 Not Found\r\n");
        String id = create("[\"sleep\",\"1\"]");
        assertThat(call("POST", "/containers/" + id + "/pause", null)).startsWith("HTTP/1.1 409 Conflict\r\n")
                .endsWith("{\"message\":\"Container " + id + " is not running\"}");
        assertThat(call("POST", "/containers/" + id + "/start", null)).startsWith("HTTP/1.1 204 ");
        assertThat(call("POST", "/containers/" + id + "/start", null)).startsWith("HTTP/1.1 304 ");
        assertThat(call("POST", "/containers/" + id + "/resize?h=30&w=100", null)).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Length: 0");
        assertThat(call("DELETE", "/containers/" + id, null)).startsWith("HTTP/1.1 409 Conflict\r\n").contains("You cannot remove a running container");
        assertThat(call("POST", "/containers/create", "{\"Image\":\"busybox\",\"HostConfig\":{\"Memory\":\"x\"}}")).startsWith("HTTP/1.1 400 ");
    }

    /** docker-java's execInContainer: no Upgrade headers, so a 200 head, frames, and the close marks the end. */
    @Test void execStartWithoutUpgradeIsThePlain200Form() throws Exception {
        String id = create("[\"sleep\",\"100\"]");
        call("POST", "/containers/" + id + "/start", null);
        String created = call("POST", "/v1.32/containers/" + id + "/exec",
                "{\"AttachStdout\":true,\"AttachStderr\":true,\"Cmd\":[\"sh\",\"-c\",\"echo o; echoerr e; exit 4\"],\"Tty\":null,\"User\":null}");
        String execId = Json.MAPPER.readTree(created.substring(created.indexOf("\r\n\r\n") + 4)).path("Id").asText();
        String body = "{\"Detach\":false,\"Tty\":false}";
        try (SocketChannel ch = connect()) {
            send(ch, "POST /v1.32/exec/" + execId + "/start HTTP/1.1\r\nHost: localhost:2375\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body);
            byte[] all = readToEof(ch); // docker-java does not half-close: the server's close ends it
            String head = "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n";
            assertThat(new String(all, StandardCharsets.ISO_8859_1)).startsWith(head);
            assertThat(Arrays.copyOfRange(all, head.length(), all.length)).isEqualTo(concat(frame(1, "o\n"), frame(2, "e\n")));
        }
        assertThat(call("GET", "/exec/" + execId + "/json", null)).contains("\"Running\":false").contains("\"ExitCode\":4");
        assertThat(call("GET", "/exec/nosuch/json", null)).startsWith("HTTP/1.1 404 ").contains("No such exec instance: nosuch");
    }

    @Test void logsFramesAndContentTypePerVersion() throws Exception {
        String id = create("[\"sh\",\"-c\",\"echo a; echoerr b\"]");
        call("POST", "/containers/" + id + "/start", null);
        String old = call("GET", "/v1.41/containers/" + id + "/logs?stdout=1&stderr=1", null);
        assertThat(old).startsWith("HTTP/1.1 200 OK\r\n").doesNotContain("Content-Type");
        String now = call("GET", "/v1.44/containers/" + id + "/logs?stdout=1&tail=1", null);
        assertThat(now).contains("Content-Type: application/vnd.docker.multiplexed-stream\r\n");
        String chunk = new String(frame(1, "a\n"), StandardCharsets.ISO_8859_1);
        assertThat(old).contains(chunk).contains(new String(frame(2, "b\n"), StandardCharsets.ISO_8859_1));
        assertThat(call("GET", "/containers/" + id + "/logs", null)).startsWith("HTTP/1.1 400 ")
                .contains("you must choose at least one stream");
    }

    /** Without StdinOnce (e.g. `run -di` then `attach`) a client's EOF does not close the container's stdin. */
    @Test void halfCloseLeavesStdinOpenWithoutStdinOnce() throws Exception {
        String r = call("POST", "/containers/create", "{\"Image\":\"busybox\",\"Cmd\":[\"cat\"],\"OpenStdin\":true,\"StdinOnce\":false}");
        String id = Json.MAPPER.readTree(r.substring(r.indexOf("\r\n\r\n") + 4)).path("Id").asText();
        call("POST", "/containers/" + id + "/start", null);
        try (SocketChannel ch = connect()) {
            send(ch, "POST /containers/" + id + "/attach?stdin=1&stdout=1&stream=1 HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Length: 0\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nkeep\n");
            ch.shutdownOutput();
            Thread.sleep(300);
            assertThat(call("GET", "/containers/" + id + "/json", null)).contains("\"Running\":true");
            call("POST", "/containers/" + id + "/kill", null);
            String all = new String(readToEof(ch), StandardCharsets.ISO_8859_1);
            assertThat(all).endsWith(new String(frame(1, "keep\n"), StandardCharsets.ISO_8859_1));
        }
    }

    /**
     * `run --rm`: the CLI starts the container as soon as wait's headers arrive; a container that
     * exits and is removed at once must still be reported to that wait (the waiter is in place
     * before the headers go out).
     */
    @Test void waitRemovedSeesAContainerThatGoesRightAfterTheHeaders() throws Exception {
        containers.waitSetupNanos = TimeUnit.MILLISECONDS.toNanos(30);
        try {
            waitRemovedRounds();
        } finally {
            containers.waitSetupNanos = 0;
        }
    }

    private void waitRemovedRounds() throws Exception {
        for (int i = 0; i < 10; i++) {
            String r = call("POST", "/containers/create", "{\"Image\":\"busybox\",\"Cmd\":[\"sh\",\"-c\",\"exit 7\"],\"HostConfig\":{\"AutoRemove\":true}}");
            String id = Json.MAPPER.readTree(r.substring(r.indexOf("\r\n\r\n") + 4)).path("Id").asText();
            try (SocketChannel ch = connect()) {
                send(ch, "POST /containers/" + id + "/wait?condition=removed HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
                ByteBuffer b = ByteBuffer.allocate(4096);
                int n = ch.read(b); // the headers
                assertThat(new String(b.array(), 0, n, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200 OK");
                assertThat(call("POST", "/containers/" + id + "/start", null)).startsWith("HTTP/1.1 204 ");
                String all = new String(b.array(), 0, n, StandardCharsets.ISO_8859_1);
                while (!all.contains("}")) {
                    b.clear();
                    int m = ch.read(b);
                    if (m < 0) break;
                    all += new String(b.array(), 0, m, StandardCharsets.ISO_8859_1);
                }
                assertThat(all).as("round %d", i).contains("{\"Error\":null,\"StatusCode\":7}");
            }
        }
    }
}
