package io.berth.cli;

import io.berth.api.container.PortBinding;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** ps's PORTS column and {@code port}'s lines as docker 28.2.2 prints them (checked against the real CLI in the server tests). */
class PortFormatTest {
    static PortBinding b(String ip, String port) { return new PortBinding(ip, port); }

    @Test void recordedContainerAsDockerPrintsIt() {
        Map<String, List<PortBinding>> ports = new LinkedHashMap<>();
        ports.put("80/tcp", List.of(b("0.0.0.0", "18080"), b("::", "18080")));
        ports.put("81/udp", List.of(b("127.0.0.1", "32768")));
        ports.put("90/tcp", List.of());
        assertThat(PortFormat.displayable(ports)).isEqualTo("90/tcp, 0.0.0.0:18080->80/tcp, [::]:18080->80/tcp, 127.0.0.1:32768->81/udp");
        assertThat(PortFormat.portLines(ports, null)).containsExactly("80/tcp -> 0.0.0.0:18080", "80/tcp -> [::]:18080", "81/udp -> 127.0.0.1:32768");
        assertThat(PortFormat.portLines(ports, "81/udp")).containsExactly("127.0.0.1:32768");
        assertThat(PortFormat.portLines(ports, "90/tcp")).isNull();
        assertThat(PortFormat.portLines(ports, "99/tcp")).isNull();
    }

    @Test void consecutivePortsFoldIntoRanges() {
        Map<String, List<PortBinding>> ports = new LinkedHashMap<>();
        for (int p = 7000; p <= 7003; p++) ports.put(p + "/tcp", List.of());
        ports.put("7005/tcp", List.of());
        ports.put("53/udp", List.of());
        // docker flushes a closed range at once and the still-open groups at the end: this order is the real CLI's.
        assertThat(PortFormat.displayable(ports)).isEqualTo("7000-7003/tcp, 53/udp, 7005/tcp");
        Map<String, List<PortBinding>> same = new LinkedHashMap<>();
        same.put("8000/tcp", List.of(b("0.0.0.0", "8000")));
        same.put("8001/tcp", List.of(b("0.0.0.0", "8001")));
        assertThat(PortFormat.displayable(same)).isEqualTo("0.0.0.0:8000-8001->8000-8001/tcp");
        assertThat(PortFormat.displayable(Map.of())).isEmpty();
    }

    @Test void naturalOrderAsSortorder() {
        List<String> l = new ArrayList<>(List.of("8080/tcp -> 0.0.0.0:1", "80/tcp -> 0.0.0.0:2", "9/tcp -> x", "a10", "a9", "a09", "a"));
        l.sort(PortFormat::naturalCompare);
        assertThat(l).containsExactly("9/tcp -> x", "80/tcp -> 0.0.0.0:2", "8080/tcp -> 0.0.0.0:1", "a", "a9", "a09", "a10");
        assertThat(PortFormat.hostPort("::", "1")).isEqualTo("[::]:1");
        assertThat(PortFormat.hostPort("", "1")).isEqualTo(":1");
    }
}
