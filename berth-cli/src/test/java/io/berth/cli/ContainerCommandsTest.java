package io.berth.cli;

import io.berth.api.container.ContainerState;
import io.berth.api.container.ContainerSummary;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ContainerCommandsTest {
    static final Instant NOW = Instant.parse("2026-11-23T14:00:00Z");

    private static ContainerSummary summary(String id, String name, String image, String command, Duration age, String status) {
        return new ContainerSummary(id, List.of("/" + name), image, "sha256:aa", command, NOW.minus(age),
                ContainerState.Status.RUNNING, status, Map.of("k", "v"));
    }

    @Test void psTableAsDocker() {
        List<Map<String, Object>> rows = new ArrayList<>();
        rows.add(ContainerCommands.psRow(summary("d5f8977b1018a7c2cc9b703c9f857c04997540a1c0fb07f62be5e54927d93eb7", "rsch-full",
                "127.0.0.1:5055/rsch/busybox:1", "sh -c 'sleep 100'", Duration.ofSeconds(5), "Up 4 seconds"), true, NOW));
        rows.add(ContainerCommands.psRow(summary("e8a4bca4fb691b3f42b45bb611b5eb70071b1edfbca34cfa0dc0a4d830c6d754", "x",
                "sha256:645444d5eff4ed8a4df0ae3eba91680143678c0448f7253c86b9a8dd801f397a", "echo hi", Duration.ofMinutes(3), "Exited (0) 2 minutes ago"), true, NOW));
        String out = Formatter.render("table " + ContainerCommands.PS_TABLE, ContainerCommands.PS_TABLE, rows, ContainerCommands.PS_HEADERS);
        assertThat(out).isEqualTo("""
                CONTAINER ID   IMAGE                           COMMAND               CREATED         STATUS                     PORTS     NAMES
                d5f8977b1018   127.0.0.1:5055/rsch/busybox:1   "sh -c 'sleep 100'"   5 seconds ago   Up 4 seconds                         rsch-full
                e8a4bca4fb69   645444d5eff4                    "echo hi"             3 minutes ago   Exited (0) 2 minutes ago             x
                """);
    }

    @Test void emptyPsPrintsTheHeaderAndCommandsAreTruncatedThenQuoted() {
        String out = Formatter.render("table " + ContainerCommands.PS_TABLE, ContainerCommands.PS_TABLE, List.of(), ContainerCommands.PS_HEADERS);
        assertThat(out).isEqualTo("CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n");
        var row = ContainerCommands.psRow(summary("abc", "n", "i", "sh -c \"while true; do sleep 1; done\"", Duration.ZERO, "Created"), true, NOW);
        assertThat(row.get("Command")).isEqualTo("\"sh -c \\\"while true; …\"");
        var full = ContainerCommands.psRow(summary("abc", "n", "i", "a\tb", Duration.ZERO, "Created"), false, NOW);
        assertThat(full.get("Command")).isEqualTo("\"a\\tb\"");
        assertThat(Formatter.render("{{.Names}} {{.Labels}} {{.State}}", "", List.of(row), Map.of())).isEqualTo("n k=v running\n");
    }

    @Test void startFailureCodesAsDocker() {
        assertThat(ContainerCommands.startFailureCode("failed to create task: exec: \"nosuch\": executable file not found in $PATH")).isEqualTo(127);
        assertThat(ContainerCommands.startFailureCode("exec: \"/x\": stat /x: no such file or directory")).isEqualTo(127);
        assertThat(ContainerCommands.startFailureCode("exec: \"/etc\": permission denied")).isEqualTo(126);
        assertThat(ContainerCommands.startFailureCode("cgroup setup failed")).isEqualTo(125);
    }

    @Test void sinceAndUntilArguments() {
        assertThat(ContainerCommands.timeArg("42m", NOW)).isEqualTo(NOW.minus(Duration.ofMinutes(42)));
        assertThat(ContainerCommands.timeArg("1h30m", NOW)).isEqualTo(NOW.minus(Duration.ofMinutes(90)));
        assertThat(ContainerCommands.timeArg("1700000000", NOW)).isEqualTo(Instant.ofEpochSecond(1700000000));
        assertThat(ContainerCommands.timeArg("1700000000.5", NOW)).isEqualTo(Instant.ofEpochSecond(1700000000, 500_000_000));
        assertThat(ContainerCommands.timeArg("2013-01-02T13:23:37Z", NOW)).isEqualTo(Instant.parse("2013-01-02T13:23:37Z"));
        assertThat(ContainerCommands.rfc3339Nano(Instant.parse("2026-11-23T13:40:49.400046297Z"))).isEqualTo("2026-11-23T13:40:49.400046297Z");
        assertThat(ContainerCommands.rfc3339Nano(Instant.parse("2026-11-23T13:40:49.400Z"))).isEqualTo("2026-11-23T13:40:49.4Z");
        assertThat(ContainerCommands.rfc3339Nano(Instant.parse("2026-11-23T13:40:49Z"))).isEqualTo("2026-11-23T13:40:49Z");
    }
}
