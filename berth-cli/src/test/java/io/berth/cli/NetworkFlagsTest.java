package io.berth.cli;

import io.berth.api.container.ContainerSpec;
import io.berth.api.container.PortBinding;
import io.berth.api.network.EndpointSpec;
import io.berth.api.network.IpamConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** run/create networking flags → ContainerSpec.network(), and network create's flags → the request. */
class NetworkFlagsTest {
    static ContainerSpec spec(String... args) {
        Flags f = NetworkFlags.add(RunFlags.flags("berth run [OPTIONS] IMAGE [COMMAND] [ARG...]", "x", true)).noInterspersed();
        Flags.Parsed p = f.parse(List.of(args));
        return NetworkFlags.apply(p, RunFlags.spec(p, p.args(), Map.of()));
    }

    @Test void publishExposeAndPublishAll() {
        ContainerSpec s = spec("-p", "18080:80", "-p127.0.0.1::81/udp", "--publish=9000-9001:90-91", "--expose", "100", "-P", "busybox", "sh");
        var n = s.network();
        assertThat(n.exposedPorts()).containsExactly("80/tcp", "81/udp", "90/tcp", "91/tcp", "100/tcp");
        assertThat(n.portBindings().get("80/tcp")).containsExactly(new PortBinding("", "18080"));
        assertThat(n.portBindings().get("81/udp")).containsExactly(new PortBinding("127.0.0.1", ""));
        assertThat(n.portBindings().get("91/tcp")).containsExactly(new PortBinding("", "9001"));
        assertThat(n.publishAllPorts()).isTrue();
        assertThat(s.cmd()).containsExactly("sh");
        assertThat(spec("-dP", "busybox").network().publishAllPorts()).as("combined short flags").isTrue();
    }

    @Test void dnsHostsAndMac() {
        var n = spec("--dns", "1.1.1.1", "--dns", "2001:4860:4860::8888", "--dns-search", "corp", "--dns-option", "ndots:2", "--dns-opt", "timeout:1",
                "--add-host", "db:10.0.0.5", "--add-host", "v6=[::1]", "--add-host", "gw:host-gateway", "--mac-address", "92:d0:c6:0a:29:33", "busybox").network();
        assertThat(n.dns()).containsExactly("1.1.1.1", "2001:4860:4860::8888");
        assertThat(n.dnsSearch()).containsExactly("corp");
        assertThat(n.dnsOptions()).containsExactly("ndots:2", "timeout:1");
        assertThat(n.extraHosts()).containsExactly("db:10.0.0.5", "v6:::1", "gw:host-gateway");
        assertThat(n.macAddress()).isEqualTo("92:d0:c6:0a:29:33");
        assertThat(n.endpoints()).containsExactly(Map.entry("default", new EndpointSpec(List.of(), null, null, "92:d0:c6:0a:29:33")));
        assertThatThrownBy(() -> spec("--dns", "dns.google", "busybox")).hasMessageContaining("IP address is not correctly formatted: dns.google");
        assertThatThrownBy(() -> spec("--add-host", "nohost", "busybox")).hasMessageContaining("bad format for add-host: \"nohost\"");
        assertThatThrownBy(() -> spec("--add-host", "h:notanip", "busybox")).hasMessageContaining("invalid IP address in add-host: \"notanip\"");
        assertThatThrownBy(() -> spec("--mac-address", "zz", "busybox")).hasMessage("zz is not a valid mac address");
    }

    @Test void networksAliasesAndStaticAddresses() {
        ContainerSpec s = spec("--network", "appnet", "--network-alias", "web,www", "--network-alias", "api", "--ip", "10.9.0.7",
                "--ip6", "fd00::7", "busybox");
        assertThat(s.host().networkMode()).isEqualTo("appnet");
        assertThat(s.network().endpoints()).containsExactly(Map.entry("appnet",
                new EndpointSpec(List.of("web", "www", "api"), "10.9.0.7", "fd00::7", null)));
        ContainerSpec two = spec("--network", "a", "--network", "b", "busybox");
        assertThat(two.host().networkMode()).isEqualTo("a");
        assertThat(two.network().endpoints()).containsExactly(Map.entry("b", EndpointSpec.DEFAULT));
        ContainerSpec plain = spec("--net", "host", "busybox");
        assertThat(plain.host().networkMode()).isEqualTo("host");
        assertThat(plain.network().endpoints()).isEmpty();
        assertThat(spec("busybox").network().endpoints()).isEmpty();
        assertThat(spec("busybox").host().networkMode()).isNull();
        assertThatThrownBy(() -> spec("--network", "a", "--network", "host", "busybox"))
                .hasMessage("conflicting options: cannot attach both user-defined and non-user-defined network-modes");
        assertThatThrownBy(() -> spec("--network", "a", "--network", "a", "busybox")).hasMessage("network \"a\" is specified multiple times");
        assertThatThrownBy(() -> spec("--ip", "10.0.0.300", "busybox")).hasMessage("invalid IPv4 address: 10.0.0.300");
        assertThatThrownBy(() -> spec("--ip", "::1", "busybox")).hasMessage("invalid IPv4 address: ::1");
        assertThatThrownBy(() -> spec("--ip6", "10.0.0.1", "busybox")).hasMessage("invalid IPv6 address: 10.0.0.1");
    }

    static io.berth.api.network.NetworkCreateSpec create(String... args) {
        Flags f = NetworkCommands.createFlags("berth network create");
        return NetworkCommands.createSpec(f.parse(List.of(args)));
    }

    @Test void networkCreateFlags() {
        var s = create("--subnet", "10.5.0.0/24", "--gateway", "10.5.0.1", "--ip-range", "10.5.0.128/25", "--internal", "--label", "a=b",
                "--label", "c", "-o", "com.docker.network.bridge.name=br-x", "--attachable", "n1");
        assertThat(s.name()).isEqualTo("n1");
        assertThat(s.driver()).isEqualTo("bridge");
        assertThat(s.internal()).isTrue();
        assertThat(s.attachable()).isTrue();
        assertThat(s.ipam()).containsExactly(new IpamConfig("10.5.0.0/24", "10.5.0.128/25", "10.5.0.1"));
        assertThat(s.labels()).containsExactly(Map.entry("a", "b"), Map.entry("c", ""));
        assertThat(s.options()).containsExactly(Map.entry("com.docker.network.bridge.name", "br-x"));
        var two = create("--subnet", "10.1.0.0/16,fd00:1::/64", "--gateway", "fd00:1::1", "--ipv6", "n2");
        assertThat(two.ipam()).containsExactly(new IpamConfig("10.1.0.0/16", null, null), new IpamConfig("fd00:1::/64", null, "fd00:1::1"));
        assertThat(two.enableIPv6()).isTrue();
        assertThat(create("n3").ipam()).isEmpty();
    }

    @Test void ipamErrorsAsDocker() {
        assertThatThrownBy(() -> create("--gateway", "10.0.0.1", "n")).hasMessage("every ip-range or gateway must have a corresponding subnet");
        assertThatThrownBy(() -> create("--subnet", "10.0.0.0/24", "--gateway", "10.0.1.1", "n")).hasMessage("no matching subnet for gateway 10.0.1.1");
        assertThatThrownBy(() -> create("--subnet", "10.0.0.0/24", "--ip-range", "10.0.1.0/25", "n")).hasMessage("no matching subnet for range 10.0.1.0/25");
        assertThatThrownBy(() -> create("--subnet", "10.0.0.0/16", "--subnet", "10.0.1.0/24", "n"))
                .hasMessage("multiple overlapping subnet configuration is not supported");
        assertThatThrownBy(() -> create("--subnet", "10.0.0.0/33", "n")).hasMessage("invalid CIDR address: 10.0.0.0/33");
        assertThatThrownBy(() -> create("--subnet", "10.0.0.0/24", "--subnet", "10.1.0.0/24", "--gateway", "10.0.0.1", "--gateway", "10.0.0.2", "n"))
                .hasMessage("cannot configure multiple gateways (10.0.0.2, 10.0.0.1) for the same subnet (10.0.0.0/24)");
        assertThatThrownBy(() -> create("-o", "novalue", "n")).hasMessageContaining("invalid key/value pair format in driver options");
        assertThatThrownBy(() -> create("--ingress", "n")).hasMessageContaining("swarm");
    }
}
