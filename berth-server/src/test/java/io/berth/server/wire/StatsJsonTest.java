package io.berth.server.wire;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.api.container.ContainerStats;
import io.berth.api.container.ContainerUpdate;
import io.berth.api.container.ProcessList;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.berth.server.wire.ContainerJsonTest.keys;
import static io.berth.server.wire.ContainerJsonTest.sample;
import static org.assertj.core.api.Assertions.assertThat;

/** stats and top output against the key sets dockerd sent (recorded samples), and docker's update body. */
class StatsJsonTest {
    private static ContainerStats stats() {
        Instant t = Instant.parse("2026-11-23T13:41:13.545581893Z");
        var cpu = new ContainerStats.Cpu(157121214, List.of(105988466L, 51132748L), 80000000, 70000000, 860950000000L, 2, 0, 0, 0);
        var pre = new ContainerStats.Cpu(155420213, List.of(105988466L, 49431747L), 80000000, 70000000, 858940000000L, 2, 0, 0, 0);
        return new ContainerStats("d7409d5f", "rsch-d", t, t.minusSeconds(1), 2, null, cpu, pre,
                new ContainerStats.Memory(733184, 4075520, 25276063744L, 0, Map.of("rss", 118784L)));
    }

    @Test void statsHaveDockersKeys() throws Exception {
        JsonNode docker = sample("stats.json");
        JsonNode ours = Json.MAPPER.valueToTree(StatsJson.stats(stats()));
        // networks: Berth containers have no network interfaces of their own (none/host), as Docker with --network none
        List<String> expected = keys(docker).stream().filter(k -> !k.equals("networks")).toList();
        assertThat(keys(ours)).containsExactlyInAnyOrderElementsOf(expected);
        for (String k : List.of("cpu_stats", "precpu_stats", "blkio_stats", "pids_stats"))
            assertThat(keys(ours.path(k))).as(k).containsExactlyInAnyOrderElementsOf(keys(docker.path(k)));
        assertThat(keys(ours.path("cpu_stats").path("cpu_usage"))).containsExactlyInAnyOrderElementsOf(keys(docker.path("cpu_stats").path("cpu_usage")));
        assertThat(keys(ours.path("memory_stats"))).containsExactlyInAnyOrderElementsOf(keys(docker.path("memory_stats")));
        assertThat(ours.path("name").asText()).isEqualTo("/rsch-d");
        assertThat(ours.path("read").asText()).isEqualTo("2026-11-23T13:41:13.545581893Z");
    }

    @Test void aOneShotSampleHasDockersZeroPreread() {
        JsonNode ours = Json.MAPPER.valueToTree(StatsJson.stats(stats().withPrevious(null)));
        assertThat(ours.path("preread").asText()).isEqualTo("0001-01-01T00:00:00Z");
        assertThat(ours.path("precpu_stats").path("cpu_usage").path("total_usage").asLong()).isZero();
    }

    @Test void topHasDockersShape() throws Exception {
        JsonNode docker = sample("top.json");
        JsonNode ours = Json.MAPPER.valueToTree(StatsJson.top(new ProcessList(List.of("UID", "PID"), List.of(List.of("root", "1")))));
        assertThat(keys(ours)).containsExactlyInAnyOrderElementsOf(keys(docker));
        assertThat(ours.path("Processes").get(0).get(1).asText()).isEqualTo("1");
    }

    @Test void updateBodyAsTheDockerCliSendsIt() throws Exception {
        JsonNode body = Json.MAPPER.readTree("""
                {"BlkioWeight":0,"CpuShares":0,"Memory":33554432,"NanoCpus":1500000000,"CpusetCpus":"","MemorySwap":67108864,
                 "PidsLimit":20,"RestartPolicy":{"Name":"","MaximumRetryCount":0}}""");
        ContainerUpdate u = StatsJson.update(body);
        assertThat(u.resources().memory()).isEqualTo(32L << 20);
        assertThat(u.resources().memorySwap()).isEqualTo(64L << 20);
        assertThat(u.resources().nanoCpus()).isEqualTo(1_500_000_000L);
        assertThat(u.resources().pidsLimit()).isEqualTo(20L);
        assertThat(u.restartPolicy()).isNull();
        assertThat(StatsJson.update(Json.MAPPER.readTree("{\"RestartPolicy\":{\"Name\":\"always\"}}")).restartPolicy()).isEqualTo("always");
    }
}
