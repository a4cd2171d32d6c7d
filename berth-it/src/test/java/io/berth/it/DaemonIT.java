package io.berth.it;

import io.berth.it.fixture.Berthd;
import io.berth.it.fixture.CommandResult;
import io.berth.it.fixture.LogOnFailure;
import io.berth.it.fixture.Proc;
import io.berth.it.fixture.UnixHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The daemon process itself: its socket, ping and version, one owner per root, crash and restart. */
class DaemonIT {
    @RegisterExtension
    static final LogOnFailure LOGS = new LogOnFailure();

    static Berthd daemon;

    @BeforeAll
    static void up() {
        daemon = Berthd.start();
        LOGS.watch("berthd", daemon::logText);
    }

    @AfterAll
    static void down() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void pingAnswersWithAndWithoutVersionPrefix() throws IOException {
        for (String path : List.of("/_ping", "/v1.24/_ping", "/v1.44/_ping")) {
            UnixHttp.Response get = daemon.http("GET", path);
            assertThat(get.status()).as(path).isEqualTo(200);
            assertThat(get.text()).isEqualTo("OK");
            assertThat(get.header("Api-Version")).isEqualTo("1.44");
        }
        UnixHttp.Response head = daemon.http("HEAD", "/_ping");
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("Api-Version")).isEqualTo("1.44");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(daemon.socket())))
                .isEqualTo("rw-rw----");
    }

    @Test
    void dockerCliSeesTheApiVersions() {
        CommandResult v = daemon.docker().ok("version", "--format", "{{.Server.APIVersion}}|{{.Server.MinAPIVersion}}|{{.Server.Os}}");
        assertThat(v.out()).isEqualTo("1.44|1.24|linux");
        assertThat(daemon.docker().ok("info", "--format", "{{.OSType}}").out()).isEqualTo("linux");
        assertThat(daemon.docker().ok("info", "--format", "{{.Images}}").out()).matches("\\d+");
        // An API version newer than the daemon's is refused the way dockerd refuses it.
        UnixHttp.Response tooNew = daemon.http("GET", "/v9.99/version");
        assertThat(tooNew.status()).isEqualTo(400);
        assertThat(tooNew.text()).contains("message");
    }

    @Test
    void aSecondDaemonOnTheSameRootIsRefused() {
        List<String> cmd = new ArrayList<>(daemon.command());
        int host = cmd.indexOf("--host");
        cmd.set(host + 1, "unix://" + daemon.dir().resolve("second.sock"));
        CommandResult second = Proc.run(cmd, Map.of(), null, Duration.ofSeconds(60), null);
        assertThat(second.exitCode()).as(second.toString()).isNotZero();
        assertThat(second.stdout() + second.stderr()).contains(daemon.root().toString());
        assertThat(daemon.http("GET", "/_ping").status()).as("the first one keeps serving").isEqualTo(200);
    }

    @Test
    void survivesKill9AndStopsOnSigterm() {
        daemon.kill9();
        daemon.restart();
        assertThat(daemon.docker().ok("version", "--format", "{{.Server.APIVersion}}").out()).isEqualTo("1.44");
        daemon.stop();
        assertThat(daemon.logText()).doesNotContain("OutOfMemoryError");
        daemon.restart();
        assertThat(daemon.http("GET", "/_ping").status()).isEqualTo(200);
    }
}
