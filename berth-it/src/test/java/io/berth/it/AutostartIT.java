package io.berth.it;

import io.berth.it.fixture.UnixHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The berth CLI, run as root with no --host and nothing listening at the default socket, starts
 * berthd in the background and says so. This uses the real default socket path
 * (/run/berth/berth.sock), so it refuses to run over a daemon that is already there rather than
 * stopping someone else's. The daemon it starts gets a temporary root through a launcher stand-in.
 */
class AutostartIT {
    static final Path DEFAULT_SOCKET = Path.of("/run/berth/berth.sock");

    @TempDir Path dir;

    @Test
    void cliStartsTheDaemonWhenNoneListens() throws Exception {
        assertThat(answers(DEFAULT_SOCKET)).as("a berthd already listens at %s; stop it to run this test", DEFAULT_SOCKET).isFalse();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        Path root = dir.resolve("root");
        Path launcher = dir.resolve("berth-launcher");
        Files.writeString(launcher, """
                #!/bin/sh
                [ "$1" = daemon ] && shift
                exec '%s' --enable-native-access=ALL-UNNAMED -cp '%s' io.berth.daemon.DaemonMain --root '%s' "$@"
                """.formatted(java, cp, root));
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));

        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", cp, "io.berth.cli.Main", "images")
                .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
        pb.environment().remove("BERTH_HOST");
        pb.environment().put("BERTH_LAUNCHER", launcher.toString());
        Process cli = pb.start();
        try {
            assertThat(cli.waitFor(60, TimeUnit.SECONDS)).as("CLI finished").isTrue();
            String out = Files.readString(dir.resolve("out")), err = Files.readString(dir.resolve("err"));
            assertThat(cli.exitValue()).as("exit code; stderr: %s", err).isZero();
            assertThat(err).contains("started berthd in the background");
            assertThat(out).startsWith("REPOSITORY");
            assertThat(answers(DEFAULT_SOCKET)).isTrue();
            assertThat(Files.readString(root.resolve("berth.lock"), StandardCharsets.UTF_8)).isNotBlank();
        } finally {
            stopDaemonOn(root);
        }
        assertThat(DEFAULT_SOCKET).doesNotExist();
    }

    private static boolean answers(Path socket) {
        if (!Files.exists(socket)) return false;
        try {
            return UnixHttp.request(socket, "GET", "/_ping", null, null).status() == 200;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** SIGTERM to the daemon that owns {@code root} (its pid is in the root's lock file); waits for it to exit. */
    private static void stopDaemonOn(Path root) throws Exception {
        Path lock = root.resolve("berth.lock");
        if (!Files.exists(lock)) return;
        long pid = Long.parseLong(Files.readString(lock).trim().split("\\s+")[0]);
        ProcessHandle p = ProcessHandle.of(pid).orElse(null);
        if (p == null) return;
        p.destroy();
        p.onExit().get(20, TimeUnit.SECONDS);
    }
}
