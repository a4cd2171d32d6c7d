package io.berth.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The container verbs end to end through {@link Main} against a small concurrent fake daemon on a
 * unix socket that speaks the hijack (101, frames, stdin to EOF) the way dockerd does.
 */
@Timeout(30)
class ContainerMainTest {
    static final String CID = "e8a4bca4fb691b3f42b45bb611b5eb70071b1edfbca34cfa0dc0a4d830c6d754";
    @TempDir Path dir;
    final List<String> log = new CopyOnWriteArrayList<>();
    ServerSocketChannel server;
    String stdout, stderr;

    interface Handler { void handle(String method, String path, Map<String, String> headers, InputStream in, OutputStream out, SocketChannel ch) throws Exception; }

    private String serve(Handler h) throws IOException {
        Path sock = dir.resolve("d.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(sock));
        Thread.ofVirtual().start(() -> {
            while (server.isOpen()) {
                SocketChannel ch;
                try { ch = server.accept(); } catch (IOException e) { return; }
                int seq = accepted++;
                Thread.ofVirtual().start(() -> {
                    try (ch) {
                        InputStream in = new java.io.BufferedInputStream(new InputStream() {
                            @Override public int read() throws IOException { byte[] b = new byte[1]; return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff; }
                            @Override public int read(byte[] b, int off, int len) throws IOException { return ch.read(ByteBuffer.wrap(b, off, len)); }
                        });
                        OutputStream out = new OutputStream() {
                            @Override public void write(int b) throws IOException { write(new byte[]{(byte) b}, 0, 1); }
                            @Override public void write(byte[] b, int off, int len) throws IOException {
                                ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                                while (buf.hasRemaining()) ch.write(buf);
                            }
                        };
                        String line = readLine(in);
                        if (line == null) { logTurn(seq, null); return; }
                        String[] p = line.split(" ");
                        Map<String, String> headers = new java.util.HashMap<>();
                        for (String l; (l = readLine(in)) != null && !l.isEmpty(); ) {
                            int c = l.indexOf(':');
                            headers.put(l.substring(0, c).toLowerCase(java.util.Locale.ROOT), l.substring(c + 1).trim());
                        }
                        in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
                        String path = p[1].replaceFirst("^/v1\\.\\d+", "");
                        if (path.equals("/_ping")) { logTurn(seq, null); json(out, 200, "OK"); return; }
                        logTurn(seq, p[0] + " " + path);
                        h.handle(p[0], path, headers, in, out, ch);
                    } catch (Exception e) {
                        // shows up as the client's failure
                    }
                });
            }
        });
        return "unix://" + sock;
    }

    @AfterEach void stop() throws IOException { if (server != null) server.close(); }

    // The client opens one connection per request, in the order it sends them. Each connection is
    // served on its own thread, so requests are logged in accept order (not thread order) to see
    // the order the client really used: wait before start.
    private int accepted;
    private int nextToLog;

    private synchronized void logTurn(int seq, String entry) {
        long deadline = System.currentTimeMillis() + 2000;
        while (nextToLog != seq && System.currentTimeMillis() < deadline) {
            try { wait(50); } catch (InterruptedException e) { Thread.currentThread().interrupt(); return; }
        }
        if (entry != null) log.add(entry);
        nextToLog = Math.max(nextToLog, seq + 1);
        notifyAll();
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') if (c != '\r') b.write(c);
        return c < 0 && b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    static void json(OutputStream out, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + status + " X\r\nApi-Version: 1.44\r\nContent-Type: application/json\r\nContent-Length: " + b.length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.write(b);
    }

    static void upgraded(OutputStream out) throws IOException {
        out.write("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1));
    }

    static byte[] frame(int stream, String s) {
        byte[] d = s.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + d.length);
        b.put((byte) stream).put(new byte[3]).putInt(d.length).put(d);
        return b.array();
    }

    private int run(String host, byte[] stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        List<String> argv = new ArrayList<>(List.of("-H", host));
        argv.addAll(List.of(args));
        int rc = Main.run(argv.toArray(String[]::new), new PrintStream(out, false, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(stdin),
                Map.of("DOCKER_CONFIG", dir.resolve("dc").toString()), false);
        stdout = out.toString(StandardCharsets.UTF_8);
        stderr = err.toString(StandardCharsets.UTF_8);
        return rc;
    }

    /** {@code berth run --rm -i IMG cat} with piped stdin: the daemon sees stdin EOF, echoes, the exit code is the wait's. */
    @Test void runInteractivePipeHalfClosesAndReturnsTheExitCode() throws Exception {
        CountDownLatch started = new CountDownLatch(1), done = new CountDownLatch(1);
        String host = serve((m, path, h, in, out, ch) -> {
            if (path.startsWith("/containers/create")) json(out, 201, "{\"Id\":\"" + CID + "\",\"Warnings\":[]}");
            else if (path.contains("/attach")) {
                upgraded(out);
                started.await(5, TimeUnit.SECONDS);
                byte[] all = in.readAllBytes(); // until the client's half-close
                out.write(frame(1, new String(all, StandardCharsets.UTF_8)));
                out.write(frame(2, "bye\n"));
                ch.shutdownOutput();
                done.countDown();
            } else if (path.contains("/wait")) {
                done.await(5, TimeUnit.SECONDS);
                json(out, 200, "{\"Error\":null,\"StatusCode\":42}");
            } else if (path.endsWith("/start")) {
                started.countDown();
                out.write("HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
        });
        int rc = run(host, "x\ny\n".getBytes(StandardCharsets.UTF_8), "run", "--rm", "-i", "--name", "c1", "busybox", "cat");
        assertThat(stdout).isEqualTo("x\ny\n");
        assertThat(stderr).isEqualTo("bye\n");
        assertThat(rc).isEqualTo(42);
        assertThat(log).containsExactly("POST /containers/create?name=c1",
                "POST /containers/" + CID + "/attach?stderr=1&stdin=1&stdout=1&stream=1",
                "POST /containers/" + CID + "/wait?condition=removed", "POST /containers/" + CID + "/start");
    }

    /**
     * {@code berth run -it} as a real process under a pty ({@code script}): stty raw mode works,
     * the create carries Tty and ConsoleSize, keystrokes travel raw, resize follows start, and the
     * exit code is the wait's.
     */
    @Test void runTtyUnderAPty() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        String host = serve((m, path, h, in, out, ch) -> {
            if (path.startsWith("/containers/create")) json(out, 201, "{\"Id\":\"" + CID + "\",\"Warnings\":[]}");
            else if (path.contains("/attach")) {
                upgraded(out);
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                int c;
                while (!got.toString(StandardCharsets.UTF_8).contains("hi") && (c = in.read()) >= 0) got.write(c);
                out.write(("OUT[" + got.toString(StandardCharsets.UTF_8) + "]\r\n").getBytes(StandardCharsets.UTF_8));
                ch.shutdownOutput();
                done.countDown();
            } else if (path.contains("/wait")) {
                done.await(10, TimeUnit.SECONDS);
                json(out, 200, "{\"Error\":null,\"StatusCode\":5}");
            } else out.write("HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        });
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cli = java + " -cp " + System.getProperty("java.class.path") + " io.berth.cli.Main -H " + host + " run -it --rm busybox sh";
        Process p = new ProcessBuilder("script", "-qec", "stty rows 30 cols 100; " + cli + "; echo \"rc=$?\"; stty -a | grep -o -- '-\\?icanon'", "/dev/null")
                .redirectErrorStream(true).start();
        p.getOutputStream().write("echo hi".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().flush();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out).contains("OUT[echo hi]");
        assertThat(out).contains("rc=5");
        assertThat(out.lines().map(String::strip).toList()).as("the terminal is back in canonical mode").contains("icanon");
        assertThat(log).contains("POST /containers/" + CID + "/resize?h=30&w=100");
        assertThat(log.indexOf("POST /containers/" + CID + "/resize?h=30&w=100")).isGreaterThan(log.indexOf("POST /containers/" + CID + "/start"));
    }

    /** {@code start -a}: inspect, attach, wait(next-exit), start, in docker's order; the exit code is the wait's. */
    @Test void startAttachedFollowsDockersOrder() throws Exception {
        CountDownLatch started = new CountDownLatch(1), done = new CountDownLatch(1);
        String host = serve((m, path, h, in, out, ch) -> {
            if (path.endsWith("/json")) json(out, 200, "{\"Id\":\"" + CID + "\",\"Config\":{\"Tty\":false,\"OpenStdin\":true},\"State\":{\"Status\":\"exited\"}}");
            else if (path.contains("/attach")) {
                upgraded(out);
                started.await(5, TimeUnit.SECONDS);
                byte[] all = in.readAllBytes();
                out.write(frame(1, "in=" + new String(all, StandardCharsets.UTF_8)));
                ch.shutdownOutput();
                done.countDown();
            } else if (path.contains("/wait")) { done.await(5, TimeUnit.SECONDS); json(out, 200, "{\"StatusCode\":9}"); }
            else { started.countDown(); out.write("HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)); }
        });
        assertThat(run(host, "abc".getBytes(StandardCharsets.UTF_8), "start", "-ai", "web")).isEqualTo(9);
        assertThat(stdout).isEqualTo("in=abc");
        assertThat(log).containsExactly("GET /containers/web/json", "POST /containers/" + CID + "/attach?stderr=1&stdin=1&stdout=1&stream=1",
                "POST /containers/" + CID + "/wait?condition=next-exit", "POST /containers/" + CID + "/start");
    }

    /** {@code exec -i} with piped stdin: bytes, half-close, then output, then the exit code. */
    @Test void execInteractivePipe() throws Exception {
        String eid = "cd".repeat(32);
        String host = serve((m, path, h, in, out, ch) -> {
            if (path.endsWith("/exec")) json(out, 201, "{\"Id\":\"" + eid + "\"}");
            else if (path.endsWith("/start")) {
                upgraded(out);
                byte[] all = in.readAllBytes();
                out.write(frame(1, new String(all, StandardCharsets.UTF_8).toUpperCase(java.util.Locale.ROOT)));
                ch.shutdownOutput();
            } else json(out, 200, "{\"ID\":\"" + eid + "\",\"Running\":false,\"ExitCode\":0}");
        });
        assertThat(run(host, "x\ny\n".getBytes(StandardCharsets.UTF_8), "exec", "-i", "ctr", "tr", "a-z", "A-Z")).isZero();
        assertThat(stdout).isEqualTo("X\nY\n");
    }

    @Test void runDetachedPrintsTheId() throws Exception {
        String host = serve((m, path, h, in, out, ch) -> {
            if (path.startsWith("/containers/create")) json(out, 201, "{\"Id\":\"" + CID + "\",\"Warnings\":[]}");
            else if (path.contains("/wait")) { Thread.sleep(5000); json(out, 200, "{\"StatusCode\":0}"); }
            else out.write("HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        });
        assertThat(run(host, new byte[0], "run", "-d", "busybox", "sleep", "9")).isZero();
        assertThat(stdout).isEqualTo(CID + "\n");
        assertThat(log).containsExactly("POST /containers/create", "POST /containers/" + CID + "/wait?condition=next-exit",
                "POST /containers/" + CID + "/start");
    }

    @Test void runExitCodesForDaemonErrors() throws Exception {
        String host = serve((m, path, h, in, out, ch) -> {
            if (path.startsWith("/containers/create?name=bad")) json(out, 400, "{\"message\":\"invalid restart policy\"}");
            else if (path.startsWith("/containers/create")) json(out, 201, "{\"Id\":\"" + CID + "\",\"Warnings\":[]}");
            else if (path.contains("/attach")) { upgraded(out); in.readAllBytes(); }
            else if (path.contains("/wait")) { Thread.sleep(3000); json(out, 200, "{\"StatusCode\":0}"); }
            else if (path.endsWith("/start")) json(out, 400, "{\"message\":\"failed to create task: exec: \\\"nosuch\\\": executable file not found in $PATH\"}");
        });
        assertThat(run(host, new byte[0], "run", "--name", "bad", "busybox")).isEqualTo(125);
        assertThat(stderr).isEqualTo("berth: Error response from daemon: invalid restart policy\n");
        assertThat(run(host, new byte[0], "run", "busybox", "nosuch")).isEqualTo(127);
        assertThat(stderr).contains("executable file not found");
    }

    @Test void execReturnsTheExecsExitCode() throws Exception {
        String eid = "ab".repeat(32);
        String host = serve((m, path, h, in, out, ch) -> {
            if (path.endsWith("/exec")) json(out, 201, "{\"Id\":\"" + eid + "\"}");
            else if (path.endsWith("/start")) {
                upgraded(out);
                in.readAllBytes();
                out.write(frame(1, "hello-exec\n"));
                ch.shutdownOutput();
            } else if (path.endsWith("/json")) json(out, 200, "{\"ID\":\"" + eid + "\",\"Running\":false,\"ExitCode\":3}");
        });
        assertThat(run(host, new byte[0], "exec", "-e", "A=1", "ctr", "sh", "-c", "echo hello-exec; exit 3")).isEqualTo(3);
        assertThat(stdout).isEqualTo("hello-exec\n");
        assertThat(log).containsExactly("POST /containers/ctr/exec", "POST /exec/" + eid + "/start", "GET /exec/" + eid + "/json");
    }

    @Test void logsSplitsStdoutAndStderrWithTimestamps() throws Exception {
        String host = serve((m, path, h, in, out, ch) -> {
            if (path.endsWith("/json")) json(out, 200, "{\"Id\":\"" + CID + "\",\"Config\":{\"Tty\":false},\"State\":{\"Status\":\"exited\"}}");
            else {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                b.write(frame(1, "2026-11-23T13:40:49.4Z out1\n"));
                b.write(frame(2, "2026-11-23T13:40:50Z err1\n"));
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + b.size() + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(b.toByteArray());
            }
        });
        assertThat(run(host, new byte[0], "logs", "-t", "-n", "2", "ctr")).isZero();
        assertThat(stdout).isEqualTo("2026-11-23T13:40:49.4Z out1\n");
        assertThat(stderr).isEqualTo("2026-11-23T13:40:50Z err1\n");
        assertThat(log.get(1)).isEqualTo("GET /containers/ctr/logs?stderr=1&stdout=1&tail=2&timestamps=1");
    }

    /** The AOT training's container commands really succeed against the canned routes (else the cache trains error paths). */
    @Test void trainingCommandsSucceedAgainstTheCannedServer() throws Exception {
        try (CannedServer s = new CannedServer(dir.resolve("c.sock"), CannedServer::sample)) {
            assertThat(run(s.host(), new byte[0], "ps")).isZero();
            assertThat(stdout).contains("web").contains("\"sh -c 'sleep 100'\"");
            assertThat(run(s.host(), new byte[0], "inspect", "-f", "{{.State.Running}} {{.Name}}", "web")).isZero();
            assertThat(stdout).isEqualTo("true /web\n");
            assertThat(run(s.host(), new byte[0], "run", "-d", "--rm", "-e", "A=1", "-m", "64m", "--cpus", "0.5", "-v", "/a:/b:ro", "busybox", "true")).isZero();
            assertThat(stdout).isEqualTo(CannedServer.CONTAINER + "\n");
            assertThat(run(s.host(), new byte[0], "create", "--name", "x", "busybox")).isZero();
            for (String[] c : new String[][]{{"stop", "web"}, {"kill", "web"}, {"rm", "-f", "web"}}) {
                assertThat(run(s.host(), new byte[0], c)).as(String.join(" ", c)).isZero();
                assertThat(stdout).isEqualTo("web\n");
            }
        }
    }

    @Test void psStopRmInspectFallBackAsDocker() throws Exception {
        String host = serve((m, path, h, in, out, ch) -> {
            if (path.startsWith("/containers/json")) json(out, 200, "[{\"Id\":\"" + CID + "\",\"Names\":[\"/web\"],\"Image\":\"busybox\","
                    + "\"Command\":\"sleep 100\",\"Created\":1,\"State\":\"running\",\"Status\":\"Up 2 seconds\",\"Labels\":{}}]");
            else if (path.contains("/stop")) out.write("HTTP/1.1 304 Not Modified\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            else if (m.equals("DELETE") && path.startsWith("/containers/nosuch")) json(out, 404, "{\"message\":\"No such container: nosuch\"}");
            else if (m.equals("DELETE")) out.write("HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            else if (path.equals("/containers/busybox/json")) json(out, 404, "{\"message\":\"No such container: busybox\"}");
            else if (path.equals("/images/busybox/json")) json(out, 200, "{\"Id\":\"sha256:1\"}");
            else json(out, 404, "{\"message\":\"No such thing\"}");
        });
        assertThat(run(host, new byte[0], "ps", "-a", "-q")).isZero();
        assertThat(stdout).isEqualTo("e8a4bca4fb69\n");
        assertThat(run(host, new byte[0], "container", "ls", "--format", "{{.Names}}\t{{.Status}}")).isZero();
        assertThat(stdout).isEqualTo("web\tUp 2 seconds\n");
        assertThat(run(host, new byte[0], "stop", "-t", "1", "web")).isZero();
        assertThat(stdout).isEqualTo("web\n");
        assertThat(run(host, new byte[0], "rm", "-f", "web", "nosuch")).isEqualTo(1);
        assertThat(stdout).isEqualTo("web\n");
        assertThat(stderr).isEqualTo("Error response from daemon: No such container: nosuch\n");
        assertThat(run(host, new byte[0], "inspect", "-f", "{{.Id}}", "busybox")).isZero();
        assertThat(stdout).isEqualTo("sha256:1\n");
        assertThat(run(host, new byte[0], "inspect", "nothing")).isEqualTo(1);
        assertThat(stderr).isEqualTo("Error: No such object: nothing\n");
        assertThat(log).contains("POST /containers/web/stop?t=1", "DELETE /containers/web?force=1");
    }
}
