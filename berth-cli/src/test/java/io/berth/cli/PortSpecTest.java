package io.berth.cli;

import io.berth.api.container.PortBinding;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code -p}/{@code --expose} parsing as go-connections' nat.ParsePortSpecs and the docker CLI do it. */
class PortSpecTest {
    static PortSpec.Ports p(String... publish) { return PortSpec.parse(List.of(publish), List.of()); }

    static PortBinding b(String ip, String port) { return new PortBinding(ip, port); }

    @Test void containerPortOnlyHostPortAndHostIp() {
        assertThat(p("80").bindings()).containsExactly(Map.entry("80/tcp", List.of(b("", ""))));
        assertThat(p("8080:80").bindings()).containsExactly(Map.entry("80/tcp", List.of(b("", "8080"))));
        assertThat(p("127.0.0.1:8080:80").bindings()).containsExactly(Map.entry("80/tcp", List.of(b("127.0.0.1", "8080"))));
        assertThat(p("127.0.0.1::81/udp").bindings()).containsExactly(Map.entry("81/udp", List.of(b("127.0.0.1", ""))));
        assertThat(p("53:53/UDP").exposed()).containsExactly("53/udp");
        assertThat(p("80/sctp").exposed()).containsExactly("80/sctp");
        assertThat(p("80/").exposed()).as("an empty protocol is tcp").containsExactly("80/tcp");
    }

    @Test void samePortTwiceCollectsBindingsInOrder() {
        var ports = p("18080:80", "127.0.0.1:18081:80", "81");
        assertThat(ports.exposed()).containsExactly("80/tcp", "81/tcp");
        assertThat(ports.bindings().get("80/tcp")).containsExactly(b("", "18080"), b("127.0.0.1", "18081"));
    }

    @Test void ipv6HostAddressesBracketedOrBare() {
        assertThat(p("[::1]:8080:80").bindings()).containsExactly(Map.entry("80/tcp", List.of(b("::1", "8080"))));
        assertThat(p("[2001:db8::1]::80/udp").bindings()).containsExactly(Map.entry("80/udp", List.of(b("2001:db8::1", ""))));
        assertThat(p("::1:8080:80").bindings()).as("bare: all but the last two parts are the address")
                .containsExactly(Map.entry("80/tcp", List.of(b("::1", "8080"))));
    }

    @Test void rangesMapOneToOneAndAHostRangeForOnePortIsAPool() {
        var r = p("8000-8002:80-82");
        assertThat(r.exposed()).containsExactly("80/tcp", "81/tcp", "82/tcp");
        assertThat(r.bindings()).containsExactly(Map.entry("80/tcp", List.of(b("", "8000"))), Map.entry("81/tcp", List.of(b("", "8001"))),
                Map.entry("82/tcp", List.of(b("", "8002"))));
        assertThat(p("7000-7001").bindings()).containsOnlyKeys("7000/tcp", "7001/tcp");
        assertThat(p("8000-8010:80").bindings()).containsExactly(Map.entry("80/tcp", List.of(b("", "8000-8010"))));
        assertThat(p("10.0.0.1:9000-9001:90-91/udp").bindings().get("91/udp")).containsExactly(b("10.0.0.1", "9001"));
    }

    @Test void longSyntax() {
        assertThat(PortSpec.standard("target=80,published=8080,protocol=udp")).isEqualTo("8080:80/udp");
        assertThat(p("target=80,published=8080").bindings()).containsExactly(Map.entry("80/tcp", List.of(b("", "8080"))));
        assertThat(p("target=80").bindings()).containsExactly(Map.entry("80/tcp", List.of(b("", ""))));
        assertThatThrownBy(() -> p("target=80,mode")).hasMessage("invalid publish opts format (should be name=value but got 'mode')");
    }

    @Test void exposeAddsPortsAndRangesWithoutBindings() {
        var ports = PortSpec.parse(List.of("8080:80"), List.of("90", "7000-7002/udp", "80"));
        assertThat(ports.exposed()).containsExactly("80/tcp", "90/tcp", "7000/udp", "7001/udp", "7002/udp");
        assertThat(ports.bindings()).containsOnlyKeys("80/tcp");
        assertThatThrownBy(() -> PortSpec.parse(List.of(), List.of("80:80"))).hasMessage("invalid port format for --expose: 80:80");
        assertThatThrownBy(() -> PortSpec.parse(List.of(), List.of("x")))
                .hasMessage("invalid range format for --expose: x, error: strconv.ParseUint: parsing \"x\": invalid syntax");
        assertThatThrownBy(() -> PortSpec.parse(List.of(), List.of("90-80")))
                .hasMessage("invalid range format for --expose: 90-80, error: invalid range specified for port: 90-80");
    }

    @Test void errorsSayWhatIsWrong() {
        assertThatThrownBy(() -> p("1.2.3:80:80")).hasMessage("invalid IP address: 1.2.3");
        assertThatThrownBy(() -> p("localhost:80:80")).hasMessage("invalid IP address: localhost");
        assertThatThrownBy(() -> p("[::1:80:80")).hasMessageStartingWith("invalid IP address [::1");
        assertThatThrownBy(() -> p("8080:")).hasMessage("no port specified: 8080:<empty>");
        assertThatThrownBy(() -> p("8080:http")).hasMessage("invalid containerPort: http");
        assertThatThrownBy(() -> p("70000")).hasMessage("invalid containerPort: 70000");
        assertThatThrownBy(() -> p("x:80")).hasMessage("invalid hostPort: x");
        assertThatThrownBy(() -> p("8000-8001:80-82")).hasMessage("invalid ranges specified for container and host Ports: 80-82 and 8000-8001");
        assertThatThrownBy(() -> p("80/icmp")).hasMessage("invalid proto: icmp");
        assertThatThrownBy(() -> p("82-80")).hasMessage("invalid containerPort: 82-80");
    }

    @Test void ipLiteralsNeverResolve() {
        assertThat(PortSpec.isIp("0.0.0.0")).isTrue();
        assertThat(PortSpec.isIp("::")).isTrue();
        assertThat(PortSpec.isIp("fe80::1")).isTrue();
        assertThat(PortSpec.isIp("256.1.1.1")).isFalse();
        assertThat(PortSpec.isIp("127.1")).as("Go wants four parts").isFalse();
        assertThat(PortSpec.isIp("example.com")).isFalse();
        assertThat(PortSpec.isIp("")).isFalse();
    }
}
