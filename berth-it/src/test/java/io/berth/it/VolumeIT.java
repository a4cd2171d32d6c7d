package io.berth.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.it.fixture.CommandResult;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Named and anonymous volumes through the real docker CLI (and the berth CLI) against the real berthd with runc. */
class VolumeIT extends OnBusyboxDaemon {
    static final ObjectMapper JSON = new ObjectMapper();

    private static List<String> anonymous() {
        return docker.ok("volume", "ls", "-q").lines().stream().filter(n -> n.matches("[0-9a-f]{64}")).toList();
    }

    @Test
    void namedVolumeLifecycleAndDataAcrossContainers() throws Exception {
        assertThat(docker.ok("volume", "create", "--label", "it=1", "itvol").out()).isEqualTo("itvol");
        assertThat(docker.ok("volume", "ls", "-q", "--filter", "label=it=1").out()).isEqualTo("itvol");
        assertThat(docker.ok("volume", "ls").lines()).contains("DRIVER    VOLUME NAME").anyMatch(l -> l.matches("local +itvol"));
        Path data = env.daemon.root().resolve("volumes/itvol/_data");
        assertThat(docker.ok("volume", "inspect", "-f", "{{.Driver}} {{.Mountpoint}} {{.Scope}} {{.Labels.it}}", "itvol").out())
                .isEqualTo("local " + data + " local 1");

        docker.ok("run", "--rm", "-v", "itvol:/data", image, "sh", "-c", "echo hi > /data/f");
        assertThat(docker.ok("run", "--rm", "-v", "itvol:/data:ro", image, "cat", "/data/f").out()).isEqualTo("hi");
        CommandResult ro = docker.run("run", "--rm", "-v", "itvol:/data:ro", image, "sh", "-c", "echo x > /data/g");
        assertThat(ro.exitCode()).as(ro.toString()).isNotZero();
        assertThat(Files.readString(data.resolve("f"))).isEqualTo("hi\n");

        docker.ok("run", "-d", "--name", "vuser", "-v", "itvol:/data", image, "sleep", "1000");
        try {
            CommandResult busy = docker.run("volume", "rm", "itvol");
            assertThat(busy.exitCode()).isEqualTo(1);
            assertThat(busy.stderr()).contains("volume is in use");
            JsonNode mounts = JSON.readTree(docker.ok("inspect", "-f", "{{json .Mounts}}", "vuser").out());
            assertThat(mounts).hasSize(1);
            JsonNode m = mounts.get(0);
            assertThat(m.get("Type").asText()).isEqualTo("volume");
            assertThat(m.get("Name").asText()).isEqualTo("itvol");
            assertThat(m.get("Source").asText()).isEqualTo(data.toString());
            assertThat(m.get("Destination").asText()).isEqualTo("/data");
            assertThat(m.get("Driver").asText()).isEqualTo("local");
            assertThat(m.get("RW").asBoolean()).isTrue();
            assertThat(docker.ok("ps", "--filter", "name=vuser", "--format", "{{.Mounts}}").out()).isEqualTo("itvol");
        } finally {
            docker.ok("rm", "-f", "vuser");
        }
        assertThat(docker.ok("volume", "rm", "itvol").out()).isEqualTo("itvol");
        assertThat(env.daemon.root().resolve("volumes/itvol")).doesNotExist();
        assertThat(docker.run("volume", "inspect", "itvol").stderr()).contains("no such volume");
    }

    @Test
    void anonymousVolumesGoWithRunRmAndRmDashVButNotPlainRm() {
        List<String> before = anonymous();
        docker.ok("run", "--rm", "-v", "/data", image, "sh", "-c", "echo x > /data/x");
        assertThat(anonymous()).as("--rm removes the anonymous volume").isEqualTo(before);

        docker.ok("run", "--name", "anon1", "-v", "/scratch", image, "true");
        JsonNode m;
        try {
            m = JSON.readTree(docker.ok("inspect", "-f", "{{json .Mounts}}", "anon1").out()).get(0);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThat(m.get("Destination").asText()).isEqualTo("/scratch");
        String anonName = m.get("Name").asText();
        assertThat(anonName).matches("[0-9a-f]{64}");
        docker.ok("rm", "anon1");
        assertThat(anonymous()).contains(anonName);
        assertThat(docker.ok("volume", "prune", "-f").out()).contains("Deleted Volumes:").contains(anonName);
        assertThat(anonymous()).doesNotContain(anonName);

        docker.ok("run", "--name", "anon2", "-v", "/scratch", "-v", "keepme:/k", image, "true");
        docker.ok("rm", "-v", "anon2");
        assertThat(anonymous()).isEqualTo(before);
        assertThat(docker.ok("volume", "ls", "-q").lines()).contains("keepme");
        docker.ok("volume", "rm", "keepme");
    }

    @Test
    void tmpfsDriverOptionsPsFilterAndEvents() {
        String since = Long.toString(java.time.Instant.now().getEpochSecond() - 1);
        docker.ok("volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=8m", "fastvol");
        assertThat(docker.ok("volume", "inspect", "-f", "{{.Options.type}} {{.Options.o}}", "fastvol").out()).isEqualTo("tmpfs size=8m");
        docker.ok("run", "--name", "fastuser", "-v", "fastvol:/f", image, "sh", "-c", "grep ' /f ' /proc/mounts > /f/m; cat /f/m");
        try {
            assertThat(docker.ok("logs", "fastuser").out()).startsWith("tmpfs /f tmpfs rw");
            assertThat(docker.ok("ps", "-a", "-q", "--no-trunc", "--filter", "volume=fastvol").out())
                    .isEqualTo(docker.ok("inspect", "-f", "{{.Id}}", "fastuser").out());
            assertThat(docker.ok("ps", "-a", "-q", "--filter", "volume=nosuchvol").out()).isEmpty();
        } finally {
            docker.ok("rm", "fastuser");
        }
        docker.ok("volume", "rm", "fastvol");
        assertThat(env.daemon.root().resolve("volumes/fastvol")).doesNotExist();
        String until = Long.toString(java.time.Instant.now().getEpochSecond() + 1);
        assertThat(docker.ok("events", "--since", since, "--until", until, "--filter", "type=volume", "--format", "{{.Action}} {{.Actor.ID}}").lines())
                .containsSubsequence("create fastvol", "mount fastvol", "destroy fastvol");
    }

    @Test
    void copyUpMountFlagAndDaemonRestart() {
        // an empty named volume over /etc is filled with the image's /etc first
        assertThat(docker.ok("run", "--rm", "-v", "etcvol:/etc", image, "cat", "/etc/group").out()).startsWith("root:x:0:");
        assertThat(env.daemon.root().resolve("volumes/etcvol/_data/passwd")).exists();
        docker.ok("run", "--rm", "--mount", "type=volume,source=mvol,target=/m", image, "sh", "-c", "echo kept > /m/y");

        env.daemon.restart();
        assertThat(docker.ok("volume", "ls", "-q").lines()).contains("etcvol", "mvol");
        assertThat(docker.ok("run", "--rm", "--mount", "type=volume,src=mvol,dst=/m,readonly", image, "cat", "/m/y").out()).isEqualTo("kept");
        assertThat(env.berth.ok("volume", "ls").lines()).anyMatch(l -> l.matches("local +mvol"));
        assertThat(env.berth.ok("volume", "prune", "-f", "--all").out()).contains("etcvol").contains("mvol");
        assertThat(docker.ok("volume", "ls", "-q").lines()).doesNotContain("etcvol", "mvol");
    }
}
