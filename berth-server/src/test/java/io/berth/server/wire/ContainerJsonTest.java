package io.berth.server.wire;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.api.BerthException;
import io.berth.api.container.ContainerDetails;
import io.berth.api.container.ContainerSpec;
import io.berth.api.container.ContainerState;
import io.berth.api.container.ExecDetails;
import io.berth.api.container.ExecSpec;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Create bodies as the CLI and docker-java send them (recorded samples), and inspect output against Docker's key sets. */
class ContainerJsonTest {
    static JsonNode sample(String name) throws Exception {
        try (InputStream in = ContainerJsonTest.class.getResourceAsStream("/wire/" + name)) {
            return Json.MAPPER.readTree(in);
        }
    }

    static List<String> keys(JsonNode n) {
        List<String> l = new ArrayList<>();
        n.fieldNames().forEachRemaining(l::add);
        return l;
    }

    @Test void cliCreateBody() throws Exception {
        ContainerSpec s = ContainerJson.createSpec(sample("create_cli_rm.json"), "");
        assertThat(s.name()).isNull();
        assertThat(s.image()).isEqualTo("127.0.0.1:5055/rsch/busybox:1");
        assertThat(s.cmd()).containsExactly("echo", "hello-rm");
        assertThat(s.entrypoint()).isNull();
        assertThat(s.env()).isNull();
        assertThat(s.workingDir()).isNull();
        assertThat(s.user()).isNull();
        assertThat(s.host().autoRemove()).isTrue();
        assertThat(s.host().networkMode()).isEqualTo("default");
        assertThat(s.host().restartPolicy()).isEqualTo("no");
        assertThat(s.host().consoleSize()).isNull();
        assertThat(s.host().resources().memory()).isNull();
        assertThat(s.host().shmSize()).isNull();
    }

    @Test void dockerJavaCreateBodyWithNullsEverywhere() throws Exception {
        ContainerSpec s = ContainerJson.createSpec(sample("create_tc.json"), "tc1");
        assertThat(s.name()).isEqualTo("tc1");
        assertThat(s.env()).containsExactly("FOO=bar");
        assertThat(s.labels()).containsEntry("org.testcontainers", "true");
        assertThat(s.tty()).isFalse();
        assertThat(s.host().networkMode()).isNull();
        assertThat(s.host().restartPolicy()).isEqualTo("no");
        assertThat(s.host().init()).isNull();
        assertThat(s.host().binds()).isEmpty();
    }

    @Test void stringEntrypointAndResources() throws Exception {
        JsonNode b = Json.MAPPER.readTree("{\"Image\":\"x\",\"Entrypoint\":\"/bin/sh\",\"Tty\":true,\"OpenStdin\":true,"
                + "\"HostConfig\":{\"Memory\":67108864,\"NanoCpus\":500000000,\"PidsLimit\":50,\"ConsoleSize\":[30,100],"
                + "\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":3},\"Init\":true,\"Tmpfs\":{\"/t\":\"size=64m\"},"
                + "\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/srv\",\"Target\":\"/d\",\"ReadOnly\":true}],\"NetworkMode\":\"host\"}}");
        ContainerSpec s = ContainerJson.createSpec(b, "n");
        assertThat(s.entrypoint()).containsExactly("/bin/sh");
        assertThat(s.tty()).isTrue();
        assertThat(s.host().resources().memory()).isEqualTo(67108864L);
        assertThat(s.host().resources().nanoCpus()).isEqualTo(500000000L);
        assertThat(s.host().resources().pidsLimit()).isEqualTo(50L);
        assertThat(s.host().consoleSize()).containsExactly(30, 100);
        assertThat(s.host().restartPolicy()).isEqualTo("on-failure");
        assertThat(s.host().restartMaxRetries()).isEqualTo(3);
        assertThat(s.host().init()).isTrue();
        assertThat(s.host().tmpfs()).containsEntry("/t", "size=64m");
        assertThat(s.host().mounts()).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo("bind");
            assertThat(m.readOnly()).isTrue();
        });
        assertThat(s.host().networkMode()).isEqualTo("host");
    }

    @Test void badTypesAndMissingImageAre400() throws Exception {
        assertThatThrownBy(() -> ContainerJson.createSpec(Json.MAPPER.readTree("{\"Image\":\"x\",\"HostConfig\":{\"Memory\":\"1g\"}}"), null))
                .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.INVALID_ARGUMENT))
                .hasMessageContaining("Memory");
        assertThatThrownBy(() -> ContainerJson.createSpec(Json.MAPPER.readTree("{\"Cmd\":[\"x\"]}"), null))
                .isInstanceOf(BerthException.class);
    }

    @Test void inspectHasDockersKeys() throws Exception {
        JsonNode docker = sample("container_inspect.json");
        if (docker.isArray()) docker = docker.get(0);
        ContainerSpec spec = ContainerSpec.of("busybox", List.of("sleep", "1")).withName("x");
        var state = new ContainerState(ContainerState.Status.EXITED, 0, 3, null, false, Instant.parse("2026-11-23T13:40:49.3994Z"), null, 0);
        ContainerDetails d = new ContainerDetails("a".repeat(64), "x", Instant.parse("2026-11-23T13:40:49Z"), "sha256:" + "b".repeat(64),
                "busybox", "sleep", List.of("1"), state, spec, List.of("PATH=/bin"), null, null, "/r", "/l", Map.of(), List.of(), "overlay");
        JsonNode ours = Json.MAPPER.readTree(Json.bytes(ContainerJson.inspect(d)));
        assertThat(keys(ours)).containsExactlyElementsOf(keys(docker));
        assertThat(keys(ours.path("State"))).containsExactlyElementsOf(keys(docker.path("State")));
        assertThat(keys(ours.path("Config"))).containsAll(keys(docker.path("Config")));
        assertThat(keys(ours.path("NetworkSettings"))).containsExactlyElementsOf(keys(docker.path("NetworkSettings")));
        List<String> hostKeys = new ArrayList<>(keys(docker.path("HostConfig")));
        hostKeys.remove("Mounts"); // only present when the container has --mount entries
        assertThat(keys(ours.path("HostConfig"))).containsAll(hostKeys);
        assertThat(ours.path("State").path("StartedAt").asText()).isEqualTo("2026-11-23T13:40:49.3994Z");
        assertThat(ours.path("State").path("FinishedAt").asText()).isEqualTo("0001-01-01T00:00:00Z");
        assertThat(ours.path("State").path("ExitCode").asInt()).isEqualTo(3);
        assertThat(ours.path("State").path("Paused").isBoolean()).isTrue();
        assertThat(ours.path("Name").asText()).isEqualTo("/x");
        assertThat(ours.path("ExecIDs").isNull()).isTrue();
        assertThat(ours.path("Config").path("Cmd").toString()).isEqualTo("[\"sleep\",\"1\"]");
    }

    @Test void execInspectHasDockersShape() throws Exception {
        JsonNode docker = sample("exec_inspect.json");
        ExecDetails e = new ExecDetails("e".repeat(64), "c".repeat(64), false, 0, 19747, ExecSpec.of(List.of("echo", "hello-exec")), false);
        JsonNode ours = Json.MAPPER.readTree(Json.bytes(ContainerJson.execInspect(e)));
        assertThat(keys(ours)).containsExactlyElementsOf(keys(docker));
        assertThat(ours.path("ProcessConfig")).isEqualTo(docker.path("ProcessConfig"));
        assertThat(ours.path("ExitCode")).isEqualTo(docker.path("ExitCode"));
        ExecDetails running = new ExecDetails("e".repeat(64), "c".repeat(64), true, null, 1, ExecSpec.of(List.of("sh")), false);
        assertThat(Json.MAPPER.readTree(Json.bytes(ContainerJson.execInspect(running))).path("ExitCode").isNull()).isTrue();
    }
}
