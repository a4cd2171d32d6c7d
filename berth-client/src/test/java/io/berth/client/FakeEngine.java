package io.berth.client;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A unix-socket HTTP server for the container endpoints: unlike {@link FakeDaemon} it serves
 * connections concurrently (run keeps attach, wait and start open at once) and hands the handler
 * the raw channel, so it can answer 101 and then read stdin to its EOF (the client's half-close)
 * while still writing output frames.
 */
final class FakeEngine implements AutoCloseable {
    record Request(String method, String target, Map<String, String> headers, byte[] body) {
        String path() { return target.replaceFirst("^/v1\\.\\d+", ""); }
    }

    interface Handler { void handle(Request r, InputStream in, OutputStream out, SocketChannel ch) throws Exception; }

    /** Requests in arrival order ("METHOD path"), for checking the client's call sequence. */
    final List<String> log = new CopyOnWriteArrayList<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Path socket;
    private final ServerSocketChannel server;

    FakeEngine(Path socket, Handler handler) throws IOException {
        this.socket = socket;
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread.ofVirtual().start(() -> {
            while (server.isOpen()) {
                SocketChannel ch;
                try { ch = server.accept(); } catch (IOException e) { return; }
                Thread.ofVirtual().start(() -> serve(ch, handler));
            }
        });
    }

    private void serve(SocketChannel ch, Handler handler) {
        try (ch) {
            InputStream in = new BufferedInputStream(new UnixHttp.ChannelIn(ch));
            OutputStream out = new UnixHttp.ChannelOut(ch);
            String line = UnixHttp.readLine(in);
            if (line == null) return;
            String[] p = line.split(" ");
            Map<String, String> h = UnixHttp.readHeaders(in);
            byte[] body = in.readNBytes(Integer.parseInt(h.getOrDefault("content-length", "0")));
            Request r = new Request(p[0], p[1], h, body);
            requests.add(r);
            if (r.path().equals("/_ping")) {
                head(out, 200, "text/plain", Map.of("Api-Version", "1.44", "Content-Length", "2"));
                out.write("OK".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            log.add(r.method() + " " + r.path());
            handler.handle(r, in, out, ch);
        } catch (Exception e) {
            // A test's handler failing shows up as the client's error.
        }
    }

    String host() { return "unix://" + socket; }

    static void head(OutputStream out, int status, String type, Map<String, String> extra) throws IOException {
        StringBuilder b = new StringBuilder("HTTP/1.1 " + status + " X\r\n");
        if (type != null) b.append("Content-Type: ").append(type).append("\r\n");
        extra.forEach((k, v) -> b.append(k).append(": ").append(v).append("\r\n"));
        out.write(b.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    static void json(OutputStream out, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        head(out, status, "application/json", Map.of("Content-Length", Integer.toString(b.length)));
        out.write(b);
    }

    static void noContent(OutputStream out) throws IOException { head(out, 204, null, Map.of()); }

    /** The hijack answer exactly as dockerd writes it. */
    static void upgraded(OutputStream out) throws IOException {
        out.write("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1));
    }

    static void chunk(OutputStream out, byte[] data) throws IOException {
        out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(data);
        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }

    static void endChunks(OutputStream out) throws IOException { out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)); }

    @Override public void close() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
    }
}
