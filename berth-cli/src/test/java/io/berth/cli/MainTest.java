package io.berth.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The CLI end to end against canned Docker-shaped responses on a real unix socket. */
class MainTest {
    static final String ID = "sha256:645444d5eff4ed8a4df0ae3eba91680143678c0448f7253c86b9a8dd801f397a";
    @TempDir Path dir;
    CannedServer server;
    String stdout, stderr;

    @BeforeEach void start() throws IOException { server = new CannedServer(dir.resolve("b.sock"), CannedServer::sample); }

    @AfterEach void stop() throws IOException { server.close(); }

    private int run(String... args) { return runWith(new byte[0], false, Map.of("DOCKER_CONFIG", dir.resolve("dc").toString()), args); }

    private int runWith(byte[] stdin, boolean tty, Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        List<String> argv = new ArrayList<>(List.of("-H", server.host()));
        argv.addAll(List.of(args));
        int rc = Main.run(argv.toArray(String[]::new), new PrintStream(out, false, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(stdin), env, tty);
        stdout = out.toString(StandardCharsets.UTF_8);
        stderr = err.toString(StandardCharsets.UTF_8);
        return rc;
    }

    @Test void imagesTable() {
        assertThat(run("images")).isZero();
        List<String> lines = stdout.lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).matches("REPOSITORY +TAG +IMAGE ID +CREATED +SIZE");
        assertThat(lines.get(1)).matches("127\\.0\\.0\\.1:5055/rsch/busybox   1         645444d5eff4   .+ ago +1\\.98MB");
        assertThat(lines.get(2)).startsWith("busybox                       latest    645444d5eff4   ");
        assertThat(stderr).isEmpty();
    }

    @Test void imagesQuietDigestsFormatsAndFilters() {
        assertThat(run("images", "-q")).isZero();
        assertThat(stdout).isEqualTo("645444d5eff4\n645444d5eff4\n");
        run("images", "--no-trunc", "-q");
        assertThat(stdout).startsWith(ID + "\n");
        run("images", "--digests");
        assertThat(stdout.lines().toList().get(0)).matches("REPOSITORY +TAG +DIGEST +IMAGE ID +CREATED +SIZE");
        assertThat(stdout).contains("sha256:72158f8b2bb1c3117abbf89f6aef1ce50e157a094abe22b8f782b2e3d7091b52");
        run("images", "--format", "{{.Repository}}:{{.Tag}} {{.Size}}");
        assertThat(stdout).isEqualTo("127.0.0.1:5055/rsch/busybox:1 1.98MB\nbusybox:latest 1.98MB\n");
        run("images", "--format", "json");
        assertThat(stdout.lines().toList().get(1)).startsWith("{\"Containers\":\"N/A\",\"CreatedAt\":\"")
                .contains("\"Digest\":\"<none>\",\"ID\":\"645444d5eff4\",\"Repository\":\"busybox\",\"SharedSize\":\"N/A\",\"Size\":\"1.98MB\",\"Tag\":\"latest\"");
        run("images", "--format", "table {{.ID}}\\t{{.Tag}}");
        assertThat(stdout).isEqualTo("IMAGE ID       TAG\n645444d5eff4   1\n645444d5eff4   latest\n");
        assertThat(run("image", "ls", "-a", "-f", "dangling=false", "--filter=label=a=b", "-f", "reference=busy*", "busybox")).as(stderr).isZero();
        assertThat(java.net.URLDecoder.decode(server.requests.getLast(), StandardCharsets.UTF_8))
                .isEqualTo("GET /images/json?all=1&filters={\"reference\":{\"busy*\":true,\"busybox\":true},\"dangling\":{\"false\":true},\"label\":{\"a=b\":true}}");
        assertThat(run("images", "-f", "before=x")).isEqualTo(1);
        assertThat(stderr).contains("invalid filter 'before'");
    }

    @Test void inspectPrintsIndentedArrayAndErrorsForMissing() {
        assertThat(run("image", "inspect", "busybox")).isZero();
        assertThat(stdout).startsWith("[\n    {\n        \"Id\": \"" + ID + "\",\n        \"RepoTags\": [\n            \"busybox:latest\"\n        ],\n        \"RepoDigests\": [],")
                .endsWith("\n    }\n]\n");
        assertThat(run("image", "inspect", "nosuch")).isEqualTo(1);
        assertThat(stdout).isEqualTo("[]\n");
        assertThat(stderr).isEqualTo("Error response from daemon: No such image: nosuch:latest\n");
        assertThat(run("image", "inspect", "-f", "{{.Id}} {{.Size}} {{json .Config.Cmd}} {{.Os}}/{{.Architecture}}", "busybox")).isZero();
        assertThat(stdout).isEqualTo(ID + " 1982312 [\"sh\"] linux/amd64\n");
    }

    @Test void pullPlainQuietAndTty() {
        assertThat(run("pull", "busybox")).isZero();
        assertThat(stdout).isEqualTo("""
                Using default tag: latest
                latest: Pulling from library/busybox
                fdd779cd6f10: Pulling fs layer
                fdd779cd6f10: Verifying Checksum
                fdd779cd6f10: Download complete
                fdd779cd6f10: Pull complete
                Digest: sha256:72158f8b2bb1c3117abbf89f6aef1ce50e157a094abe22b8f782b2e3d7091b52
                Status: Downloaded newer image for busybox:latest
                docker.io/library/busybox:latest
                """);
        assertThat(run("pull", "-q", "busybox")).isZero();
        assertThat(stdout).isEqualTo("docker.io/library/busybox:latest\n");
        assertThat(runWith(new byte[0], true, Map.of(), "pull", "busybox")).isZero();
        assertThat(stdout).contains("\u001b[1A\u001b[2K\rfdd779cd6f10: Downloading [=>").contains("36.56kB/1.028MB");
        assertThat(run("pull", "Bad/Name")).isEqualTo(1);
        assertThat(stderr).contains("invalid reference format");
    }

    @Test void rmiTagHistory() {
        assertThat(run("rmi", "busybox")).isZero();
        assertThat(stdout).isEqualTo("Untagged: busybox:latest\nDeleted: " + ID + "\n");
        assertThat(run("rmi", "nosuch", "busybox")).isEqualTo(1);
        assertThat(stderr).isEqualTo("Error response from daemon: No such image: nosuch:latest\n");
        assertThat(stdout).contains("Untagged: busybox:latest");
        assertThat(run("image", "rm", "-f", "--no-prune", "busybox")).isZero();
        assertThat(server.requests.getLast()).isEqualTo("DELETE /images/busybox?force=1&noprune=1");
        assertThat(run("tag", "busybox", "me/busybox:2")).isZero();
        assertThat(server.requests.getLast()).isEqualTo("POST /images/busybox/tag?repo=me%2Fbusybox&tag=2");
        assertThat(run("history", "busybox")).isZero();
        List<String> lines = stdout.lines().toList();
        assertThat(lines.get(0)).matches("IMAGE +CREATED +CREATED BY +SIZE +COMMENT");
        assertThat(lines.get(1)).startsWith("645444d5eff4   ").contains("/bin/sh -c #(nop) CMD [\"sh\"]").contains("0B");
        assertThat(lines.get(2)).startsWith("<missing>      ").contains("1.98MB");
        assertThat(run("history", "-q", "busybox")).isZero();
        assertThat(stdout).isEqualTo("645444d5eff4\n<missing>\n");
    }

    @Test void versionAndInfo() {
        assertThat(run("version")).isZero();
        assertThat(stdout).contains("Client:\n Version:           ", " API version:       1.44\n",
                "\nServer: Berth Engine\n Engine:\n  Version:          0.1.0\n  API version:      1.44 (minimum version 1.24)\n",
                " runc:\n  Version:          1.1.5\n  GitCommit:        1.1.5\n");
        assertThat(run("version", "--format", "{{.Server.Version}} {{.Client.ApiVersion}}")).isZero();
        assertThat(stdout).isEqualTo("0.1.0 1.44\n");
        assertThat(run("info")).isZero();
        assertThat(stdout).contains(" Images: 1\n", " Storage Driver: overlay\n  Backing Filesystem: extfs\n", " Total Memory: 23.54GiB\n",
                " Insecure Registries:\n  127.0.0.0/8\n");
        assertThat(run("info", "--format", "{{.Driver}} {{.NCPU}}")).isZero();
        assertThat(stdout).isEqualTo("overlay 2\n");
    }

    @Test void versionClientNeedsNoDaemon() throws IOException {
        server.close();
        assertThat(run("version", "--client")).isZero();
        assertThat(stdout).startsWith("Client:\n");
        assertThat(run("version")).isEqualTo(1);
        assertThat(stdout).startsWith("Client:\n");
        assertThat(stderr).startsWith("Cannot connect to berthd at unix://");
    }

    @Test void usageErrors() {
        assertThat(run("images", "--bogus")).isEqualTo(125);
        assertThat(stderr).isEqualTo("unknown flag: --bogus\nSee 'berth images --help'.\n");
        assertThat(run("rmi")).isEqualTo(1);
        assertThat(stderr).startsWith("\"berth rmi\" requires at least 1 argument.\nSee 'berth rmi --help'.\n\nUsage:  berth rmi [OPTIONS] IMAGE [IMAGE...]");
        assertThat(run("tag", "a")).isEqualTo(1);
        assertThat(stderr).startsWith("\"berth tag\" requires exactly 2 arguments.");
        assertThat(run("frobnicate")).isEqualTo(1);
        assertThat(stderr).contains("'frobnicate' is not a berth command");
        assertThat(run("images", "--help")).isZero();
        assertThat(stdout).contains("Usage:  berth images [OPTIONS] [REPOSITORY[:TAG]]", "-q, --quiet");
        assertThat(run("images", "--format", "{{.Nope")).isEqualTo(125);
        assertThat(server.requests).doesNotContain("GET /images/json?"); // usage errors never reach the daemon
    }

    @Test void saveAndLoad() throws IOException {
        assertThat(runWith(new byte[0], true, Map.of(), "save", "busybox")).isEqualTo(1);
        assertThat(stderr).contains("cowardly refusing to save to a terminal");
        assertThat(run("save", "busybox")).isZero();
        assertThat(stdout).isEqualTo("TARBYTES");
        Path tar = dir.resolve("out.tar");
        assertThat(run("save", "-o", tar.toString(), "busybox")).isZero();
        assertThat(Files.readString(tar)).isEqualTo("TARBYTES");
        assertThat(run("load", "-i", tar.toString())).isZero();
        assertThat(stdout).isEqualTo("Loaded image: busybox:latest\nLoaded image ID: " + ID + "\n");
        assertThat(server.requests.getLast()).isEqualTo("POST /images/load?quiet=1");
        assertThat(runWith("TAR".getBytes(StandardCharsets.UTF_8), false, Map.of(), "load", "-q")).isZero();
        assertThat(run("load", "-i", dir.resolve("missing.tar").toString())).isEqualTo(1);
        assertThat(stderr).contains("no such file or directory");
    }

    @Test void loginStoresCredentialsAndLogoutRemovesThem() throws IOException {
        Map<String, String> env = Map.of("DOCKER_CONFIG", dir.resolve("dc").toString());
        assertThat(runWith("s3cret\n".getBytes(StandardCharsets.UTF_8), false, env, "login", "-u", "bob", "--password-stdin", "127.0.0.1:5000")).isZero();
        assertThat(stdout).isEqualTo("Login Succeeded\n");
        Path cfg = dir.resolve("dc/config.json");
        assertThat(Files.readString(cfg)).contains("\"127.0.0.1:5000\"", "\"auth\": \"Ym9iOnMzY3JldA==\"");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cfg))).isEqualTo("rw-------");
        assertThat(runWith(new byte[0], false, env, "login", "127.0.0.1:5000")).isEqualTo(1);
        assertThat(stderr).contains("Cannot perform an interactive login from a non TTY device");
        assertThat(runWith(new byte[0], false, env, "logout", "127.0.0.1:5000")).isZero();
        assertThat(stdout).isEqualTo("Removing login credentials for 127.0.0.1:5000\n");
        assertThat(Files.readString(cfg)).doesNotContain("127.0.0.1:5000");
        assertThat(runWith(new byte[0], false, env, "logout", "127.0.0.1:5000")).isZero();
        assertThat(stdout).isEqualTo("Not logged in to 127.0.0.1:5000\n");
    }

    @Test void hostResolutionOrder() {
        assertThat(DaemonLocator.resolve("unix:///a.sock", Map.of("BERTH_HOST", "unix:///b.sock")))
                .isEqualTo(new DaemonLocator.Target("unix:///a.sock", true));
        assertThat(DaemonLocator.resolve(null, Map.of("BERTH_HOST", "unix:///b.sock", "DOCKER_HOST", "unix:///d.sock")))
                .isEqualTo(new DaemonLocator.Target("unix:///b.sock", true));
        assertThat(DaemonLocator.resolve(null, Map.of("DOCKER_HOST", "unix:///d.sock")))
                .isEqualTo(new DaemonLocator.Target("unix:///run/berth/berth.sock", false));
    }

    @Test void explicitHostIsNeverAutoStarted() {
        Map<String, String> env = Map.of("BERTH_LAUNCHER", "/bin/false");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Main.run(new String[]{"-H", "unix://" + dir.resolve("none.sock"), "images"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), env, false);
        assertThat(rc).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("Cannot connect to berthd at unix://").doesNotContain("started berthd");
    }
}
