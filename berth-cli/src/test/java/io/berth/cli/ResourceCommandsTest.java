package io.berth.cli;

import io.berth.api.container.ContainerStats;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ResourceCommandsTest {
    private static ContainerStats.Cpu cpu(long total, long system) {
        return new ContainerStats.Cpu(total, List.of(), 0, 0, system, 4, 0, 0, 0);
    }

    @Test
    void statsRowComputesDockersPercentagesAndUnits() {
        Instant t = Instant.parse("2026-01-01T00:00:01Z");
        // The container used 0.5 s of CPU while the 4-CPU host spent 4 s: 12.5% of the host = 50% of one CPU.
        ContainerStats s = new ContainerStats("0123456789abcdef0123", "web", t, t.minusSeconds(1), 3, null,
                cpu(1_500_000_000L, 14_000_000_000L), cpu(1_000_000_000L, 10_000_000_000L),
                new ContainerStats.Memory(10L << 20, 12L << 20, 64L << 20, 0, Map.of("total_inactive_file", 2L << 20)));
        Map<String, Object> row = ResourceCommands.row(s, true);
        assertThat(row.get("ID")).isEqualTo("0123456789ab");
        assertThat(row.get("CPUPerc")).isEqualTo("50.00%");
        assertThat(row.get("MemUsage")).isEqualTo("8MiB / 64MiB");
        assertThat(row.get("MemPerc")).isEqualTo("12.50%");
        assertThat(row.get("PIDs")).isEqualTo("3");
    }

    @Test
    void aOneShotSampleShowsNoCpu() {
        Instant t = Instant.now();
        ContainerStats s = new ContainerStats("abc", "x", t, null, 1, null, cpu(5, 5), ContainerStats.Cpu.EMPTY,
                new ContainerStats.Memory(1024, 1024, 2048, 0, Map.of()));
        assertThat(ResourceCommands.row(s, true).get("CPUPerc")).isEqualTo("0.00%");
    }

    @Test
    void updateFlagsBecomeResources() {
        Flags f = new Flags("u", "u").value("memory", 'm', "bytes", "").value("memory-swap", '\0', "bytes", "")
                .value("memory-reservation", '\0', "bytes", "").value("cpus", '\0', "d", "").value("cpu-shares", 'c', "i", "")
                .value("cpu-period", '\0', "i", "").value("cpu-quota", '\0', "i", "").value("cpuset-cpus", '\0', "s", "")
                .value("cpuset-mems", '\0', "s", "").value("pids-limit", '\0', "i", "").value("blkio-weight", '\0', "i", "")
                .value("restart", '\0', "s", "");
        var u = ResourceCommands.updateOf(f.parse(List.of("-m", "32m", "--memory-swap", "-1", "--cpus", "1.5", "--pids-limit", "7",
                "--restart", "on-failure:2", "c1")));
        assertThat(u.resources().memory()).isEqualTo(32L << 20);
        assertThat(u.resources().memorySwap()).isEqualTo(-1L);
        assertThat(u.resources().nanoCpus()).isEqualTo(1_500_000_000L);
        assertThat(u.resources().pidsLimit()).isEqualTo(7L);
        assertThat(u.restartPolicy()).isEqualTo("on-failure");
        assertThat(u.restartMaxRetries()).isEqualTo(2);
    }
}
