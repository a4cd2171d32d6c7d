package io.berth.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A unix-socket HTTP server answering from a table of canned responses, shaped like Docker's
 * recorded traces. Used by {@link Trainer} so the AOT training run goes through the real client
 * code paths without a daemon, and by the CLI's tests.
 */
final class CannedServer implements AutoCloseable {
    /** A canned answer: status, content type, body; chunked bodies are sent one chunk per element. */
    record Reply(int status, String contentType, List<String> chunks) {
        static Reply json(int status, String body) { return new Reply(status, "application/json", List.of(body)); }
        static Reply stream(String... lines) { return new Reply(200, "application/json", List.of(lines)); }
    }

    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread thread;
    final List<String> requests = new ArrayList<>();

    /** @param routes "METHOD /path?query" (API version prefix stripped) → reply; null means 404 */
    CannedServer(Path socket, Function<String, Reply> routes) throws IOException {
        this.socket = socket;
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        thread = Thread.ofPlatform().daemon().start(() -> {
            while (server.isOpen()) {
                try (SocketChannel ch = server.accept()) {
                    serve(ch, routes);
                } catch (IOException e) {
                    if (!server.isOpen()) return;
                }
            }
        });
    }

    String host() { return "unix://" + socket; }

    private void serve(SocketChannel ch, Function<String, Reply> routes) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.ISO_8859_1));
        String requestLine = in.readLine();
        if (requestLine == null) return;
        long length = 0;
        boolean chunked = false;
        for (String h; (h = in.readLine()) != null && !h.isEmpty(); ) {
            String lower = h.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("content-length:")) length = Long.parseLong(h.substring(15).trim());
            if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) chunked = true;
        }
        if (chunked) {
            for (String size; (size = in.readLine()) != null; ) {
                long n = Long.parseLong(size.trim(), 16);
                if (n == 0) { in.readLine(); break; }
                in.skip(n);
                in.readLine();
            }
        } else if (length > 0) in.skip(length);
        String[] parts = requestLine.split(" ");
        String target = parts[1].replaceFirst("^/v1\\.\\d+", "");
        String key = parts[0] + " " + target;
        synchronized (requests) { requests.add(key); }
        Reply r = routes.apply(key);
        if (r == null) r = Reply.json(404, "{\"message\":\"page not found\"}");
        OutputStream out = Channels.newOutputStream(ch);
        StringBuilder head = new StringBuilder("HTTP/1.1 " + r.status() + " X\r\nApi-Version: 1.44\r\nOstype: linux\r\n");
        if (r.contentType() != null) head.append("Content-Type: ").append(r.contentType()).append("\r\n");
        if (r.chunks().size() == 1) {
            byte[] body = r.chunks().getFirst().getBytes(StandardCharsets.UTF_8);
            head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
        } else {
            head.append("Transfer-Encoding: chunked\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            for (String c : r.chunks()) {
                byte[] b = (c + "\r\n").getBytes(StandardCharsets.UTF_8);
                out.write((Integer.toHexString(b.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(b);
                out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        out.flush();
    }

    @Override public void close() throws IOException {
        server.close();
        try { thread.join(2000); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
        Files.deleteIfExists(socket);
    }

    /** Responses shaped like the recorded Docker traces, for training and tests. */
    static Reply sample(String key) {
        String id = "sha256:645444d5eff4ed8a4df0ae3eba91680143678c0448f7253c86b9a8dd801f397a";
        return switch (key.contains("?") && !key.startsWith("POST /images/create")
                ? key.substring(0, key.indexOf('?')) : key) {
            case "GET /_ping", "HEAD /_ping" -> new Reply(200, "text/plain; charset=utf-8", List.of("OK"));
            case "GET /version" -> Reply.json(200, "{\"Platform\":{\"Name\":\"Berth Engine\"},\"Components\":[{\"Name\":\"Engine\",\"Version\":\"0.1.0\","
                    + "\"Details\":{\"ApiVersion\":\"1.44\",\"Arch\":\"amd64\",\"BuildTime\":\"2026-11-23T00:00:00Z\",\"Experimental\":\"false\","
                    + "\"GitCommit\":\"abc1234\",\"KernelVersion\":\"6.1\",\"MinAPIVersion\":\"1.24\",\"Os\":\"linux\"}},"
                    + "{\"Name\":\"runc\",\"Version\":\"1.1.5\",\"Details\":{\"GitCommit\":\"1.1.5\"}}],\"Version\":\"0.1.0\","
                    + "\"ApiVersion\":\"1.44\",\"MinAPIVersion\":\"1.24\",\"GitCommit\":\"abc1234\",\"Os\":\"linux\",\"Arch\":\"amd64\","
                    + "\"KernelVersion\":\"6.1\",\"BuildTime\":\"2026-11-23T00:00:00Z\"}");
            case "GET /info" -> Reply.json(200, "{\"ID\":\"X\",\"Containers\":0,\"Images\":1,\"Driver\":\"overlay\",\"DriverStatus\":[[\"Backing Filesystem\",\"extfs\"]],"
                    + "\"KernelVersion\":\"6.1\",\"OperatingSystem\":\"Debian GNU/Linux 12 (bookworm)\",\"OSType\":\"linux\",\"Architecture\":\"x86_64\","
                    + "\"NCPU\":2,\"MemTotal\":25276063744,\"Name\":\"vm\",\"ServerVersion\":\"0.1.0\",\"DockerRootDir\":\"/var/lib/berth\","
                    + "\"RegistryConfig\":{\"InsecureRegistryCIDRs\":[\"127.0.0.0/8\"]},\"Warnings\":null}");
            case "GET /images/json" -> Reply.json(200, "[{\"Containers\":-1,\"Created\":1795441035,\"Id\":\"" + id + "\",\"Labels\":null,"
                    + "\"ParentId\":\"\",\"RepoDigests\":[\"127.0.0.1:5055/rsch/busybox@sha256:72158f8b2bb1c3117abbf89f6aef1ce50e157a094abe22b8f782b2e3d7091b52\"],"
                    + "\"RepoTags\":[\"127.0.0.1:5055/rsch/busybox:1\",\"busybox:latest\"],\"SharedSize\":-1,\"Size\":1982312}]");
            case "GET /images/busybox/json", "GET /images/busybox:latest/json" -> Reply.json(200, "{\"Id\":\"" + id + "\",\"RepoTags\":[\"busybox:latest\"],"
                    + "\"RepoDigests\":[],\"Created\":\"2026-11-23T13:37:15.497673507Z\",\"Config\":{\"Env\":[\"PATH=/bin\"],\"Cmd\":[\"sh\"],\"Labels\":null},"
                    + "\"Architecture\":\"amd64\",\"Os\":\"linux\",\"Size\":1982312,\"GraphDriver\":{\"Data\":{},\"Name\":\"overlay\"},"
                    + "\"RootFS\":{\"Type\":\"layers\",\"Layers\":[\"sha256:39fce6fb821fbc03a62e2e8b9455e62884ec1fbaa7f69022e830fa812ebf432b\"]},"
                    + "\"Metadata\":{\"LastTagTime\":\"0001-01-01T00:00:00Z\"}}");
            case "GET /images/busybox/history" -> Reply.json(200, "[{\"Comment\":\"\",\"Created\":1795441035,\"CreatedBy\":\"/bin/sh -c #(nop) CMD [\\\"sh\\\"]\","
                    + "\"Id\":\"" + id + "\",\"Size\":0,\"Tags\":[\"busybox:latest\"]},{\"Comment\":\"\",\"Created\":1795441030,"
                    + "\"CreatedBy\":\"/bin/sh -c #(nop) ADD file:abc in / \",\"Id\":\"<missing>\",\"Size\":1982312,\"Tags\":null}]");
            case "POST /images/create?fromImage=busybox&tag=latest" -> Reply.stream(
                    "{\"status\":\"Pulling from library/busybox\",\"id\":\"latest\"}",
                    "{\"status\":\"Pulling fs layer\",\"progressDetail\":{},\"id\":\"fdd779cd6f10\"}",
                    "{\"status\":\"Downloading\",\"progressDetail\":{\"current\":36564,\"total\":1028018},\"progress\":\"[=>  ]\",\"id\":\"fdd779cd6f10\"}",
                    "{\"status\":\"Verifying Checksum\",\"progressDetail\":{},\"id\":\"fdd779cd6f10\"}",
                    "{\"status\":\"Download complete\",\"progressDetail\":{},\"id\":\"fdd779cd6f10\"}",
                    "{\"status\":\"Extracting\",\"progressDetail\":{\"current\":32768,\"total\":1028018},\"id\":\"fdd779cd6f10\"}",
                    "{\"status\":\"Pull complete\",\"progressDetail\":{},\"id\":\"fdd779cd6f10\"}",
                    "{\"status\":\"Digest: sha256:72158f8b2bb1c3117abbf89f6aef1ce50e157a094abe22b8f782b2e3d7091b52\"}",
                    "{\"status\":\"Status: Downloaded newer image for busybox:latest\"}");
            case "DELETE /images/busybox" -> Reply.json(200, "[{\"Untagged\":\"busybox:latest\"},{\"Deleted\":\"" + id + "\"}]");
            case "POST /images/busybox/tag" -> new Reply(201, null, List.of(""));
            case "POST /auth" -> Reply.json(200, "{\"Status\":\"Login Succeeded\",\"IdentityToken\":\"\"}");
            case "POST /images/load" -> Reply.stream("{\"stream\":\"Loaded image: busybox:latest\\n\"}", "{\"stream\":\"Loaded image ID: " + id + "\\n\"}");
            case "GET /images/get" -> new Reply(200, "application/x-tar", List.of("TARBYTES"));
            case "GET /images/nosuch/json", "DELETE /images/nosuch" -> Reply.json(404, "{\"message\":\"No such image: nosuch:latest\"}");
            case "GET /containers/json" -> Reply.json(200, "[{\"Id\":\"" + CONTAINER + "\",\"Names\":[\"/web\"],\"Image\":\"busybox\","
                    + "\"ImageID\":\"" + id + "\",\"Command\":\"sh -c 'sleep 100'\",\"Created\":1795441435,\"Ports\":[],\"Labels\":{\"k\":\"v\"},"
                    + "\"State\":\"running\",\"Status\":\"Up 4 seconds\",\"HostConfig\":{\"NetworkMode\":\"none\"},\"Mounts\":[]}]");
            case "GET /containers/web/json" -> Reply.json(200, "{\"Id\":\"" + CONTAINER + "\",\"Created\":\"2026-11-23T13:43:55.1Z\",\"Path\":\"sh\","
                    + "\"Args\":[\"-c\",\"sleep 100\"],\"State\":{\"Status\":\"running\",\"Running\":true,\"Pid\":1223,\"ExitCode\":0,"
                    + "\"StartedAt\":\"2026-11-23T13:43:55.8Z\",\"FinishedAt\":\"0001-01-01T00:00:00Z\"},\"Image\":\"" + id + "\",\"Name\":\"/web\","
                    + "\"HostConfig\":{\"NetworkMode\":\"none\",\"RestartPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":0}},"
                    + "\"Config\":{\"Tty\":false,\"Cmd\":[\"sh\",\"-c\",\"sleep 100\"],\"Image\":\"busybox\",\"Labels\":{}}}");
            case "POST /containers/create" -> Reply.json(201, "{\"Id\":\"" + CONTAINER + "\",\"Warnings\":[]}");
            case "POST /containers/" + CONTAINER + "/wait" -> Reply.json(200, "{\"Error\":null,\"StatusCode\":0}");
            case "POST /containers/" + CONTAINER + "/start", "POST /containers/web/stop", "POST /containers/web/kill",
                 "DELETE /containers/web" -> new Reply(204, null, List.of(""));
            default -> null;
        };
    }

    static final Map<String, String> NO_ENV = Map.of();
    static final String CONTAINER = "d5f8977b1018a7c2cc9b703c9f857c04997540a1c0fb07f62be5e54927d93eb7";
}
