package io.berth.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UnixHttpTest {
    @TempDir Path dir;

    private String get(FakeDaemon.Handler h) throws IOException {
        try (FakeDaemon d = new FakeDaemon(dir.resolve("d.sock"), h);
             UnixHttp.Response r = new UnixHttp(dir.resolve("d.sock")).exchange("GET", "/x", null, null)) {
            return new String(r.readAll(), StandardCharsets.UTF_8);
        }
    }

    @Test void readsContentLengthBody() throws IOException {
        assertThat(get((r, out) -> FakeDaemon.json(out, 200, "{\"a\":1}"))).isEqualTo("{\"a\":1}");
    }

    @Test void readsChunkedBodyWithExtensionsAndTrailers() throws IOException {
        assertThat(get((r, out) -> FakeDaemon.chunked(out, 200, List.of("hello ", "chunked ", "x".repeat(70000)))))
                .isEqualTo("hello chunked " + "x".repeat(70000));
    }

    @Test void readsBodyUntilEofWithoutFraming() throws IOException {
        assertThat(get((r, out) -> out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil eof".getBytes(StandardCharsets.ISO_8859_1))))
                .isEqualTo("until eof");
    }

    @Test void skipsInterim100Continue() throws IOException {
        assertThat(get((r, out) -> out.write("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.ISO_8859_1))))
                .isEqualTo("ok");
    }

    @Test void truncatedContentLengthBodyIsAnError() {
        assertThatThrownBy(() -> get((r, out) -> out.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".getBytes(StandardCharsets.ISO_8859_1))))
                .isInstanceOf(IOException.class).hasMessageContaining("7 body bytes missing");
    }

    @Test void truncatedChunkedBodyIsAnError() {
        assertThatThrownBy(() -> get((r, out) -> out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc".getBytes(StandardCharsets.ISO_8859_1))))
                .isInstanceOf(IOException.class).hasMessageContaining("chunk");
    }

    @Test void malformedStatusLineIsAnError() {
        assertThatThrownBy(() -> get((r, out) -> out.write("SSH-2.0-OpenSSH\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1))))
                .isInstanceOf(IOException.class).hasMessageContaining("malformed HTTP status line");
    }

    @Test void streamsRequestBodyChunked() throws IOException {
        byte[] payload = new byte[200_000];
        for (int i = 0; i < payload.length; i++) payload[i] = (byte) i;
        try (FakeDaemon d = new FakeDaemon(dir.resolve("d.sock"), (r, out) -> FakeDaemon.json(out, 200, "{}"))) {
            try (UnixHttp.Response r = new UnixHttp(dir.resolve("d.sock")).exchange("POST", "/images/load", Map.of("X-A", "b"),
                    new UnixHttp.Body.Stream(new ByteArrayInputStream(payload), "application/x-tar"))) {
                assertThat(r.status()).isEqualTo(200);
            }
            FakeDaemon.Request req = d.requests.getFirst();
            assertThat(req.headers()).containsEntry("transfer-encoding", "chunked").containsEntry("content-type", "application/x-tar")
                    .containsEntry("x-a", "b");
            assertThat(req.body()).isEqualTo(payload);
        }
    }

    @Test void missingSocketIsAConnectFailure() {
        assertThatThrownBy(() -> new UnixHttp(dir.resolve("none.sock")).exchange("GET", "/_ping", null, null))
                .isInstanceOf(UnixHttp.ConnectFailedException.class);
    }
}
