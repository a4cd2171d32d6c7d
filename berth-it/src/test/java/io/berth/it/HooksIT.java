package io.berth.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.it.fixture.Berthd;
import io.berth.it.fixture.Compression;
import io.berth.it.fixture.DockerCli;
import io.berth.it.fixture.Format;
import io.berth.it.fixture.ImageBuilder;
import io.berth.it.fixture.LayerBuilder;
import io.berth.it.fixture.LogOnFailure;
import io.berth.it.fixture.Pusher;
import io.berth.it.fixture.TempDirs;
import io.berth.it.fixture.TestRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** daemon.json "hooks" and "hooks-dir" on the real berthd, containers run with the docker CLI. */
class HooksIT {
    @RegisterExtension
    static final LogOnFailure LOGS = new LogOnFailure();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void daemonHooksRunForContainersStartedWithTheDockerCli() throws Exception {
        Path dir = TempDirs.create("hooks-it-");
        Path marks = Files.createDirectories(dir.resolve("marks"));
        Path hook = dir.resolve("hook.sh");
        Files.writeString(hook, "#!/bin/sh\n/bin/cat >> \"$MARKS/$1\"\necho >> \"$MARKS/$1\"\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path hooksD = Files.createDirectories(dir.resolve("hooks.d"));
        Files.writeString(hooksD.resolve("50-sleepers.json"), """
                {"version": "1.0.0", "hook": {"path": "%s", "args": ["hook", "sleeper-poststart"], "env": ["MARKS=%s"]},
                 "when": {"commands": ["^sleep$"]}, "stages": ["poststart"]}
                """.formatted(hook, marks));
        Path config = Files.writeString(dir.resolve("daemon.json"), """
                {"hooks": {"prestart": [{"path": "%1$s", "args": ["hook", "prestart"], "env": ["MARKS=%2$s"], "timeout": 10}],
                           "poststop": [{"path": "%1$s", "args": ["hook", "poststop"], "env": ["MARKS=%2$s"]}]},
                 "hooks-dir": "%3$s"}
                """.formatted(hook, marks, hooksD));
        try (TestRegistry registry = TestRegistry.open()) {
            LOGS.watch("registry", registry::logText);
            new Pusher(registry).push("it/busybox", "1", new ImageBuilder().format(Format.OCI)
                    .layer(LayerBuilder.busybox().build(Compression.GZIP), "busybox").cmd("sh").build());
            String image = registry.hostPort() + "/it/busybox:1";
            try (Berthd daemon = Berthd.builder().arg("--config", config.toString()).start()) {
                LOGS.watch("berthd", daemon::logText);
                DockerCli docker = daemon.docker();
                docker.ok("pull", image);
                docker.ok("run", "--rm", "--name", "hooked", image, "true");
                String sleeper = docker.ok("run", "-d", image, "sleep", "1000").stdout().strip();
                docker.ok("rm", "-f", sleeper);

                List<JsonNode> pre = states(marks.resolve("prestart")), post = states(marks.resolve("poststop"));
                assertThat(pre).hasSize(2);
                assertThat(post).hasSize(2);
                assertThat(post).extracting(n -> n.get("id").asText()).contains(sleeper);
                assertThat(post).allSatisfy(n -> assertThat(n.get("status").asText()).isEqualTo("stopped"));
                assertThat(states(marks.resolve("sleeper-poststart"))).extracting(n -> n.get("id").asText()).containsExactly(sleeper);
            }

            // A hook that cannot run: berthd refuses to start and says which key is wrong.
            Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rw-r--r--"));
            assertThatThrownBy(() -> Berthd.builder().arg("--config", config.toString()).start())
                    .hasMessageContaining("hooks.prestart[0].path " + hook + ": not executable");
        } finally {
            TempDirs.deleteTree(dir);
        }
    }

    private static List<JsonNode> states(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        for (String l : Files.readAllLines(file)) if (!l.isBlank()) out.add(JSON.readTree(l));
        return out;
    }
}
