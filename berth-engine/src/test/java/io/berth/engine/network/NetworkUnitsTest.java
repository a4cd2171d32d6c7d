package io.berth.engine.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.api.BerthException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pure parts of networking: address arithmetic, resolver files, the netavark request, port specs. */
class NetworkUnitsTest {
    @Test
    void cidrsAndFreeAddresses() {
        Ipam.Cidr c = Ipam.Cidr.parse("172.30.0.1/16");
        assertThat(c.toString()).isEqualTo("172.30.0.0/16");
        assertThat(c.contains(Ipam.addr("172.30.255.254"))).isTrue();
        assertThat(c.contains(Ipam.addr("172.31.0.0"))).isFalse();
        assertThat(Ipam.firstFree(Ipam.Cidr.parse("10.1.2.0/24"), null, Set.of("10.1.2.1", "10.1.2.2"))).isEqualTo("10.1.2.3");
        assertThat(Ipam.firstFree(Ipam.Cidr.parse("10.1.2.0/24"), Ipam.Cidr.parse("10.1.2.128/25"), Set.of("10.1.2.1"))).isEqualTo("10.1.2.128");
        assertThat(Ipam.firstFree(Ipam.Cidr.parse("10.1.2.0/30"), null, Set.of("10.1.2.1", "10.1.2.2"))).isNull(); // .3 is broadcast
        assertThat(Ipam.freeSubnet(Ipam.Cidr.parse("172.31.0.0/16"), 24, List.of(Ipam.Cidr.parse("172.31.0.0/23"), Ipam.Cidr.parse("172.31.3.0/24"))))
                .hasToString("172.31.2.0/24");
        assertThat(Ipam.freeSubnet(Ipam.Cidr.parse("172.31.0.0/24"), 24, List.of(Ipam.Cidr.parse("172.16.0.0/12")))).isNull();
        assertThatThrownBy(() -> Ipam.Cidr.parse("10.0.0.0")).isInstanceOf(BerthException.class);
        assertThatThrownBy(() -> Ipam.addr("10.0.0.300")).isInstanceOf(BerthException.class);
        // the host's own routes are read and include at least its link networks
        assertThat(Ipam.hostRoutes(d -> false)).allSatisfy(r -> assertThat(r.bits()).isPositive());
    }

    @Test
    void hostsFile() {
        String h = EtcFiles.hosts(List.of("db:10.0.0.5", "gw=host-gateway", "broken"), List.of(new EtcFiles.Self("172.18.0.2", List.of("abc", "web", "api", "web"))),
                "172.18.0.1");
        assertThat(h).startsWith("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n")
                .contains("10.0.0.5\tdb\n").contains("172.18.0.1\tgw\n").contains("172.18.0.2\tabc web api\n").doesNotContain("broken");
    }

    @Test
    void resolvConf() {
        String host = "nameserver 127.0.0.53\nnameserver 10.0.0.2\nsearch corp.example\noptions edns0 trust-ad\n";
        assertThat(EtcFiles.resolvConf(host, List.of(), false, List.of(), List.of(), List.of()))
                .isEqualTo("nameserver 10.0.0.2\nsearch corp.example\noptions edns0 trust-ad\n");
        assertThat(EtcFiles.resolvConf("nameserver 127.0.0.1\n", List.of(), false, null, null, null)).isEqualTo("nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
        assertThat(EtcFiles.resolvConf(host, List.of("172.18.0.1"), false, null, null, null)).startsWith("nameserver 172.18.0.1\nsearch corp.example");
        assertThat(EtcFiles.resolvConf(host, List.of("172.18.0.1"), false, List.of("9.9.9.9"), List.of("a.example"), List.of("ndots:2")))
                .isEqualTo("nameserver 9.9.9.9\nsearch a.example\noptions ndots:2\n");
        assertThat(EtcFiles.resolvConf(host, List.of(), true, null, null, null)).startsWith("nameserver 127.0.0.53\nnameserver 10.0.0.2\n");
    }

    @Test
    void netavarkRequest() throws Exception {
        NetworkBackend.Request r = new NetworkBackend.Request("c".repeat(64), "web",
                new NetworkBackend.Net("n".repeat(64), "front", "br-nnnnnnnnnnnn", "172.31.0.0/24", "172.31.0.1", true, true, Map.of("mtu", "1400")),
                "172.31.0.2", List.of("web", "api"), "eth0", "02:42:ac:11:00:02", List.of(new NetworkBackend.Port("", 8080, 80, "tcp")));
        JsonNode j = new ObjectMapper().readTree(NetavarkBackend.request(r));
        assertThat(j.at("/container_id").asText()).isEqualTo("c".repeat(64));
        assertThat(j.at("/port_mappings/0/host_port").asInt()).isEqualTo(8080);
        assertThat(j.at("/port_mappings/0/container_port").asInt()).isEqualTo(80);
        assertThat(j.at("/networks/front-nnnnnnnnnnnn/static_ips/0").asText()).isEqualTo("172.31.0.2");
        assertThat(j.at("/networks/front-nnnnnnnnnnnn/aliases/1").asText()).isEqualTo("api");
        assertThat(j.at("/networks/front-nnnnnnnnnnnn/static_mac").asText()).isEqualTo("02:42:ac:11:00:02");
        assertThat(j.at("/network_info/front-nnnnnnnnnnnn/network_interface").asText()).isEqualTo("br-nnnnnnnnnnnn");
        assertThat(j.at("/network_info/front-nnnnnnnnnnnn/subnets/0/gateway").asText()).isEqualTo("172.31.0.1");
        assertThat(j.at("/network_info/front-nnnnnnnnnnnn/internal").asBoolean()).isTrue();
        assertThat(j.at("/network_info/front-nnnnnnnnnnnn/dns_enabled").asBoolean()).isTrue();
        assertThat(j.at("/network_info/front-nnnnnnnnnnnn/options/mtu").asText()).isEqualTo("1400");
    }

    @Test
    void portSpecs() {
        assertThat(NetworkService.parsePort("80")).containsExactly("80", "tcp");
        assertThat(NetworkService.parsePort("53/udp")).containsExactly("53", "udp");
        assertThatThrownBy(() -> NetworkService.parsePort("80/icmp")).isInstanceOf(BerthException.class);
        assertThatThrownBy(() -> NetworkService.parsePort("0/tcp")).isInstanceOf(BerthException.class);
        assertThat(NetworkService.hostPortRange("")).isNull();
        assertThat(NetworkService.hostPortRange("0")).isNull();
        assertThat(NetworkService.hostPortRange("8000-8010")).containsExactly(8000, 8010);
        assertThatThrownBy(() -> NetworkService.hostPortRange("9-1")).isInstanceOf(BerthException.class);
    }

    @Test
    void egressRulesAreLabelledPerNetwork() {
        Egress e = new Egress("t1", "/var/lib/berth");
        List<List<String>> meta = e.rules(new Egress.Policy("abc", "br-x", false, false));
        assertThat(meta).isNotEmpty().allSatisfy(r -> assertThat(r).contains("BERTH-EGRESS-t1", "-i", "br-x", "berth:abc", "REJECT"));
        assertThat(meta.getFirst()).contains(Egress.METADATA4);
        assertThat(e.rules(new Egress.Policy("abc", "br-x", false, true))).isEmpty();
        assertThat(e.rules(new Egress.Policy("abc", "br-x", true, true)).getFirst()).containsSequence("!", "-o", "br-x");
    }
}
