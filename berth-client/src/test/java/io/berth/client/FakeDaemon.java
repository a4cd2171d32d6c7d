package io.berth.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A raw HTTP/1.1 server on a unix socket for testing the client's HTTP layer: the handler sees the
 * decoded request and writes the response bytes itself, so tests control framing exactly.
 */
final class FakeDaemon implements AutoCloseable {
    record Request(String method, String target, Map<String, String> headers, byte[] body) {
        String path() { return target.replaceFirst("^/v1\\.\\d+", ""); }
    }

    interface Handler { void handle(Request r, OutputStream out) throws IOException; }

    final List<Request> requests = new CopyOnWriteArrayList<>();
    /** What the unversioned /_ping answers as Api-Version (the client negotiates with it). */
    volatile String pingVersion = "1.44";
    private final Path socket;
    private final ServerSocketChannel server;

    FakeDaemon(Path socket, Handler handler) throws IOException {
        this.socket = socket;
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread.ofVirtual().start(() -> {
            while (server.isOpen()) {
                try (SocketChannel ch = server.accept()) {
                    InputStream in = Channels.newInputStream(ch);
                    String line = UnixHttp.readLine(in);
                    if (line == null) continue;
                    String[] p = line.split(" ");
                    Map<String, String> h = UnixHttp.readHeaders(in);
                    byte[] body;
                    if (h.getOrDefault("transfer-encoding", "").contains("chunked")) body = new UnixHttp.ChunkedInputStream(in).readAllBytes();
                    else body = in.readNBytes(Integer.parseInt(h.getOrDefault("content-length", "0")));
                    Request r = new Request(p[0], p[1], h, body);
                    requests.add(r);
                    OutputStream out = Channels.newOutputStream(ch);
                    if (r.path().equals("/_ping") && !r.target().startsWith("/v")) {
                        respond(out, 200, "text/plain", "OK", Map.of("Api-Version", pingVersion));
                    } else {
                        handler.handle(r, out);
                    }
                    out.flush();
                } catch (IOException e) {
                    if (!server.isOpen()) return;
                }
            }
        });
    }

    String host() { return "unix://" + socket; }

    static void respond(OutputStream out, int status, String type, String body, Map<String, String> extra) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder("HTTP/1.1 " + status + " Whatever\r\n");
        extra.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("Content-Type: ").append(type).append("\r\nContent-Length: ").append(b.length).append("\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(b);
    }

    static void json(OutputStream out, int status, String body) throws IOException {
        respond(out, status, "application/json", body, Map.of());
    }

    /** Chunked response, one chunk per element, with a chunk extension and a trailer to prove they are skipped. */
    static void chunked(OutputStream out, int status, List<String> chunks) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("HTTP/1.1 " + status + " OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        for (String c : chunks) {
            byte[] d = c.getBytes(StandardCharsets.UTF_8);
            b.writeBytes((Integer.toHexString(d.length).toUpperCase(Locale.ROOT) + ";ext=1\r\n").getBytes(StandardCharsets.ISO_8859_1));
            b.writeBytes(d);
            b.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        b.writeBytes("0\r\nX-Trailer: yes\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.write(b.toByteArray());
    }

    @Override public void close() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
    }
}
