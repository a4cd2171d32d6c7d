package io.berth.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.it.fixture.CommandResult;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** docker stats, top and update against berthd on real containers. */
class StatsIT extends OnBusyboxDaemon {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void statsTopAndUpdateThroughTheDockerCli() throws Exception {
        String id = docker.ok("run", "-d", "--name", "st", "-m", "64m", "--pids-limit", "40", image, "sleep", "300").stdout().trim();
        try {
            CommandResult s = docker.ok("stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}} {{.PIDs}} {{.CPUPerc}}", "st");
            String[] f = s.stdout().trim().split("\\s+");
            // "st 300KiB / 64MiB 1 0.00%"
            assertThat(f[0]).isEqualTo("st");
            assertThat(f[3]).isEqualTo("64MiB");
            assertThat(f[4]).isEqualTo("1");
            assertThat(f[5]).endsWith("%");

            CommandResult top = docker.ok("top", "st");
            assertThat(top.stdout()).contains("PID").contains("sleep 300");
            assertThat(top.stdout().lines().count()).isEqualTo(2);

            docker.ok("update", "--memory", "32m", "--memory-swap", "64m", "--pids-limit", "20", "st");
            JsonNode hc = JSON.readTree(docker.ok("inspect", "st").stdout()).get(0).path("HostConfig");
            assertThat(hc.path("Memory").asLong()).isEqualTo(32L << 20);
            assertThat(hc.path("PidsLimit").asLong()).isEqualTo(20);
            assertThat(Files.readString(Path.of("/sys/fs/cgroup/memory/berth", id, "memory.limit_in_bytes")).trim())
                    .isEqualTo(Long.toString(32L << 20));
            assertThat(docker.ok("stats", "--no-stream", "--format", "{{.MemUsage}}", "st").stdout()).contains("/ 32MiB");
        } finally {
            docker.run("rm", "-f", "st");
        }
    }

    @Test
    void oomKilledShowsInInspect() throws Exception {
        CommandResult r = docker.run("run", "--name", "oom", "-m", "8m", image, "sh", "-c", "x=a; while true; do x=$x$x; done");
        try {
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(137);
            JsonNode st = JSON.readTree(docker.ok("inspect", "oom").stdout()).get(0).path("State");
            assertThat(st.path("OOMKilled").asBoolean()).isTrue();
        } finally {
            docker.run("rm", "-f", "oom");
        }
    }

    @Test
    void berthCliVerbs() throws Exception {
        String id = docker.ok("run", "-d", "--name", "bst", "-m", "48m", image, "sleep", "301").stdout().trim();
        try {
            String table = berth.ok("stats", "--no-stream", "bst").stdout();
            assertThat(table.lines().findFirst().orElseThrow()).contains("CONTAINER ID").contains("CPU %").contains("MEM USAGE / LIMIT").contains("PIDS");
            assertThat(table).contains(id.substring(0, 12)).contains("bst").contains("/ 48MiB");
            assertThat(berth.ok("stats", "--no-stream", "--format", "{{.PIDs}}", "bst").stdout().trim()).isEqualTo("1");

            String top = berth.ok("top", "bst").stdout();
            assertThat(top).contains("PID").contains("sleep 301");
            assertThat(berth.ok("top", "bst", "-o", "pid,comm").stdout()).contains("COMMAND").contains("sleep");

            assertThat(berth.ok("update", "--memory", "24m", "--memory-swap", "48m", "--pids-limit", "10", "bst").stdout().trim()).isEqualTo("bst");
            assertThat(Files.readString(Path.of("/sys/fs/cgroup/pids/berth", id, "pids.max")).trim()).isEqualTo("10");
            JsonNode hc = JSON.readTree(docker.ok("inspect", "bst").stdout()).get(0).path("HostConfig");
            assertThat(hc.path("Memory").asLong()).isEqualTo(24L << 20);
        } finally {
            docker.run("rm", "-f", "bst");
        }
    }

    @Test
    void streamedStatsCarryThePreviousSample() throws Exception {
        docker.ok("run", "-d", "--name", "stream", image, "sh", "-c", "while true; do :; done");
        // curl: the fixture's HTTP helper reads whole bodies; a stream is read line by line for 2.5 s
        Process curl = new ProcessBuilder("curl", "-sN", "--max-time", "2.5", "--unix-socket", daemon.socket().toString(),
                "http://berth/containers/stream/stats?stream=1").start();
        try {
            List<String> lines = new String(curl.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
            assertThat(lines).hasSizeGreaterThanOrEqualTo(2);
            JsonNode first = JSON.readTree(lines.get(0)), second = JSON.readTree(lines.get(1));
            assertThat(first.path("name").asText()).isEqualTo("/stream");
            assertThat(first.path("preread").asText()).isEqualTo("0001-01-01T00:00:00Z");
            assertThat(second.path("preread").asText()).isEqualTo(first.path("read").asText());
            assertThat(second.path("precpu_stats").path("cpu_usage").path("total_usage").asLong())
                    .isEqualTo(first.path("cpu_stats").path("cpu_usage").path("total_usage").asLong());
            assertThat(second.path("cpu_stats").path("cpu_usage").path("total_usage").asLong())
                    .isGreaterThan(first.path("cpu_stats").path("cpu_usage").path("total_usage").asLong());
            assertThat(second.path("cpu_stats").path("online_cpus").asInt()).isPositive();
            assertThat(second.path("blkio_stats").path("io_service_bytes_recursive").isArray()).isTrue();
        } finally {
            docker.run("rm", "-f", "stream");
        }
        // docker stats' own --no-stream table after the container is gone: an error, not a hang
        assertThat(docker.run("stats", "--no-stream", "stream").exitCode()).isNotZero();
    }
}
