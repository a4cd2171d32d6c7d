package io.berth.daemon;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DaemonTest {
    @TempDir Path tmp;

    DaemonOptions options(Path root, Path sock) throws Exception {
        return DaemonOptions.parse("daemon", "--root", root.toString(), "--host", "unix://" + sock,
                "--config", write(tmp.resolve("daemon.json"), "{\"insecure-registries\":[\"myreg:5000\"],\"max-concurrent-downloads\":2}").toString());
    }

    static Path write(Path p, String s) throws IOException { Files.writeString(p, s); return p; }

    static String curl(Path sock, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--unix-socket", sock.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    @Test void inProcessLifecycle() throws Exception {
        Path root = tmp.resolve("root"), sock = tmp.resolve("run/berth.sock");
        List<StubEngine> engines = new ArrayList<>();
        Daemon d = Daemon.start(options(root, sock), c -> { StubEngine e = new StubEngine(c); engines.add(e); return e; });
        try {
            assertThat(engines.getFirst().config.insecureRegistries()).containsExactly("myreg:5000");
            assertThat(engines.getFirst().config.maxConcurrentDownloads()).isEqualTo(2);
            assertThat(engines.getFirst().config.root()).isEqualTo(root);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock))).isEqualTo("rw-rw----");
            assertThat(Files.readString(root.resolve("berth.lock")).strip()).isEqualTo(Long.toString(ProcessHandle.current().pid()));
            assertThat(curl(sock, "http://d/_ping")).isEqualTo("OK");
            // The engine has no container runtime: the daemon still starts, container requests say why.
            assertThat(curl(sock, "-w", " %{http_code}", "http://d/v1.44/containers/json"))
                    .isEqualTo("{\"message\":\"this engine has no container runtime\"} 500");
            // Same root: refused by the lock, naming the holder.
            assertThatThrownBy(() -> Daemon.start(options(root, tmp.resolve("other.sock")), StubEngine::new))
                    .isInstanceOf(DaemonException.class)
                    .hasMessageContaining("another berthd (pid " + ProcessHandle.current().pid() + ") owns root " + root);
            // Other root, same socket: refused because something answers there; the socket survives.
            assertThatThrownBy(() -> Daemon.start(options(tmp.resolve("root2"), sock), StubEngine::new))
                    .hasMessageContaining("another daemon is listening on " + sock);
            assertThat(curl(sock, "http://d/_ping")).isEqualTo("OK");
        } finally {
            d.close();
        }
        assertThat(sock).doesNotExist();
        assertThat(engines.getFirst().closed).isTrue();
        // The lock is free again.
        Daemon again = Daemon.start(options(root, sock), StubEngine::new);
        again.close();
    }

    @Test void staleSocketIsRemovedButOtherFilesAreNot() throws Exception {
        Path root = tmp.resolve("root"), sock = tmp.resolve("stale.sock");
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(sock));
        s.close(); // the JDK leaves the socket file behind, as a crashed daemon would
        assertThat(sock).exists();
        Daemon d = Daemon.start(options(root, sock), StubEngine::new);
        try {
            assertThat(curl(sock, "http://d/_ping")).isEqualTo("OK");
        } finally {
            d.close();
        }
        Path notASocket = write(tmp.resolve("file.sock"), "precious");
        assertThatThrownBy(() -> Daemon.start(options(root, notASocket), StubEngine::new))
                .hasMessageContaining("exists and is not a socket");
        assertThat(Files.readString(notASocket)).isEqualTo("precious");
    }

    @Test void childDaemonRefusesSecondOwnerAndShutsDownGracefullyOnSigterm() throws Exception {
        Path root = tmp.resolve("root"), sock = tmp.resolve("run/berth.sock");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path errLog = tmp.resolve("daemon.err");
        Process p = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), StubDaemonMain.class.getName(),
                "daemon", "--root", root.toString(), "--host", "unix://" + sock, "--config", write(tmp.resolve("empty.json"), "{}").toString())
                .redirectErrorStream(false).redirectError(errLog.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(sock) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(50);
            assertThat(sock).as("daemon stderr:\n%s", Files.exists(errLog) ? Files.readString(errLog) : "").exists();
            assertThat(p.isAlive()).isTrue();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock))).isEqualTo("rw-rw----");
            assertThat(curl(sock, "http://d/v1.44/_ping")).isEqualTo("OK");

            assertThatThrownBy(() -> Daemon.start(options(root, tmp.resolve("second.sock")), StubEngine::new))
                    .hasMessageContaining("another berthd (pid " + p.pid() + ") owns root " + root);

            // A request running when SIGTERM arrives is finished, not cut.
            CompletableFuture<String> pull = CompletableFuture.supplyAsync(() -> {
                try { return curl(sock, "-X", "POST", "http://d/images/create?fromImage=busybox&tag=1"); }
                catch (Exception e) { return e.toString(); }
            });
            Thread.sleep(StubEngine.PULL_MILLIS / 3);
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(143);
            assertThat(pull.get(10, TimeUnit.SECONDS)).contains("Status: Downloaded newer image for busybox:1");
            assertThat(sock).doesNotExist();
            String log = Files.readString(errLog);
            assertThat(log).containsPattern("(?m)^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z INFO  io.berth.daemon: berthd .* serving the Docker API on unix://" + sock)
                    .contains("shutting down (1 request(s) running)")
                    .containsPattern("(?m)Z INFO  io.berth.daemon: stopped$");
            // The root is free for the next daemon.
            Daemon.start(options(root, sock), StubEngine::new).close();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test void badStartsExitNonZero() throws Exception {
        assertThat(DaemonMain.run(new String[]{"daemon", "--bogus"}, StubEngine::new)).isEqualTo(2);
        assertThat(DaemonMain.run(new String[]{"daemon", "--root", tmp.resolve("r").toString(), "--host", "unix://" + tmp.resolve("s.sock"),
                "--config", tmp.resolve("missing.json").toString()}, StubEngine::new)).isEqualTo(1);
        assertThat(DaemonMain.run(new String[]{"daemon", "--root", tmp.resolve("r").toString(), "--host", "unix://" + tmp.resolve("s.sock"),
                "--config", write(tmp.resolve("ok.json"), "{}").toString()}, c -> { throw new IllegalStateException("no engine"); })).isEqualTo(1);
        // The failed start released the root: a daemon can take it now.
        Daemon.start(DaemonOptions.parse("--root", tmp.resolve("r").toString(), "--host", "unix://" + tmp.resolve("s.sock"),
                "--config", tmp.resolve("ok.json").toString()), StubEngine::new).close();
        assertThat(tmp.resolve("s.sock")).doesNotExist();
    }
}
