package io.berth.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.api.BerthException;
import io.berth.api.container.ContainerDetails;
import io.berth.api.container.ContainerListOptions;
import io.berth.api.container.ContainerSpec;
import io.berth.api.container.ContainerSummary;
import io.berth.api.container.NetworkSpec;
import io.berth.api.container.PortBinding;
import io.berth.api.network.EndpointSpec;
import io.berth.api.network.IpamConfig;
import io.berth.api.network.NetworkCreateSpec;
import io.berth.api.network.NetworkDetails;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link NetworkClient} and the networking half of container JSON, against recorded Docker answers. */
@Timeout(20)
class NetworkClientTest {
    @TempDir Path dir;

    static String sample(String name) throws IOException {
        try (InputStream in = NetworkClientTest.class.getResourceAsStream("/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static JsonNode body(FakeDaemon.Request r) throws IOException { return Json.mapper().readTree(r.body()); }

    static final String BRIDGE = """
            {"Name":"bridge","Id":"a369f90b2677cc7f5a11e7117b8f775a5a06d97d4e3d6a037ef0a5130bb920ee","Created":"2026-11-23T13:39:39.186453327Z",
             "Scope":"local","Driver":"bridge","EnableIPv6":false,"IPAM":{"Driver":"default","Options":null,"Config":[{"Subnet":"172.17.0.0/16","Gateway":"172.17.0.1"}]},
             "Internal":false,"Attachable":false,"Ingress":false,"ConfigFrom":{"Network":""},"ConfigOnly":false,
             "Containers":{"d5f8977b1018a7c2cc9b703c9f857c04997540a1c0fb07f62be5e54927d93eb7":{"Name":"rsch-full","EndpointID":"0716","MacAddress":"02:42:ac:11:00:02","IPv4Address":"172.17.0.2/16","IPv6Address":""}},
             "Options":{"com.docker.network.bridge.name":"docker0"},"Labels":{}}""";

    @Test void networkVerbsSendWhatTheDockerCliSends() throws Exception {
        try (FakeDaemon d = new FakeDaemon(dir.resolve("d.sock"), (r, out) -> {
            String p = r.path();
            if (p.equals("/networks/create")) FakeDaemon.json(out, 201, "{\"Id\":\"" + "f".repeat(64) + "\",\"Warning\":\"\"}");
            else if (p.startsWith("/networks?") || p.equals("/networks")) FakeDaemon.json(out, 200, "[" + BRIDGE + "]");
            else if (p.equals("/networks/bridge")) FakeDaemon.json(out, 200, BRIDGE);
            else if (p.equals("/networks/nosuch")) FakeDaemon.json(out, 404, "{\"message\":\"network nosuch not found\"}");
            else if (p.startsWith("/networks/prune")) FakeDaemon.json(out, 200, "{\"NetworksDeleted\":[\"n1\",\"n2\"]}");
            else if (r.method().equals("DELETE")) FakeDaemon.respond(out, 204, "text/plain", "", Map.of());
            else FakeDaemon.respond(out, 200, "text/plain", "", Map.of());
        })) {
            NetworkClient n = new BerthClient(d.host(), x -> null).networks();
            var spec = new NetworkCreateSpec("n1", "bridge", true, false, false, List.of(new IpamConfig("10.5.0.0/24", null, "10.5.0.1")),
                    Map.of("com.docker.network.driver.mtu", "1400"), Map.of("team", "a"), true);
            var rep = n.create(spec);
            assertThat(rep.id()).hasSize(64);
            assertThat(rep.warning()).isNull();
            JsonNode b = body(d.requests.getLast());
            assertThat(b.get("Name").asText()).isEqualTo("n1");
            assertThat(b.get("Internal").asBoolean()).isTrue();
            assertThat(b.at("/IPAM/Config").toString()).isEqualTo("[{\"Subnet\":\"10.5.0.0/24\",\"Gateway\":\"10.5.0.1\"}]");
            assertThat(b.at("/Options/com.docker.network.driver.mtu").asText()).isEqualTo("1400");
            assertThat(b.at("/Labels/team").asText()).isEqualTo("a");

            List<NetworkDetails> all = n.list(Map.of("name", List.of("bri")));
            assertThat(URLDecoder.decode(d.requests.getLast().target(), StandardCharsets.UTF_8)).endsWith("/networks?filters={\"name\":{\"bri\":true}}");
            NetworkDetails bridge = all.getFirst();
            assertThat(bridge.name()).isEqualTo("bridge");
            assertThat(bridge.ipam()).containsExactly(new IpamConfig("172.17.0.0/16", null, "172.17.0.1"));
            assertThat(bridge.created()).isNotNull();
            assertThat(bridge.containers().values()).singleElement().satisfies(e -> {
                assertThat(e.name()).isEqualTo("rsch-full");
                assertThat(e.ipv4Address()).isEqualTo("172.17.0.2/16");
            });
            assertThat(bridge.options()).containsEntry("com.docker.network.bridge.name", "docker0");
            assertThat(n.inspect("bridge")).isEqualTo(bridge);
            assertThatThrownBy(() -> n.inspect("nosuch")).isInstanceOfSatisfying(BerthException.class, e -> {
                assertThat(e.kind()).isEqualTo(BerthException.Kind.NOT_FOUND);
                assertThat(e.getMessage()).isEqualTo("network nosuch not found");
            });

            n.connect("n1", "web", new EndpointSpec(List.of("www"), "10.5.0.7", null, null));
            assertThat(d.requests.getLast().path()).isEqualTo("/networks/n1/connect");
            assertThat(body(d.requests.getLast()).toString())
                    .isEqualTo("{\"Container\":\"web\",\"EndpointConfig\":{\"IPAMConfig\":{\"IPv4Address\":\"10.5.0.7\"},\"Aliases\":[\"www\"],\"MacAddress\":\"\"}}");
            n.disconnect("n1", "web", true);
            assertThat(body(d.requests.getLast()).toString()).isEqualTo("{\"Container\":\"web\",\"Force\":true}");
            n.remove("n1");
            assertThat(d.requests.getLast().method() + " " + d.requests.getLast().path()).isEqualTo("DELETE /networks/n1");
            assertThat(n.prune(Map.of("label", List.of("x=1")))).containsExactly("n1", "n2");
            assertThat(URLDecoder.decode(d.requests.getLast().target(), StandardCharsets.UTF_8)).endsWith("/networks/prune?filters={\"label\":{\"x=1\":true}}");
        }
    }

    @Test void inspectAndPsCarryPortsAndNetworks() throws Exception {
        String inspect = sample("container_inspect.json");
        String inspectOne = inspect.strip().startsWith("[") ? Json.mapper().readTree(inspect).get(0).toString() : inspect;
        try (FakeDaemon d = new FakeDaemon(dir.resolve("d.sock"), (r, out) -> {
            if (r.path().startsWith("/containers/json")) FakeDaemon.json(out, 200, sample("containers_json.json"));
            else FakeDaemon.json(out, 200, inspectOne);
        })) {
            var c = new BerthClient(d.host(), x -> null).containers();
            ContainerDetails det = c.inspect("rsch-full");
            var ns = det.networkSettings();
            assertThat(ns.sandboxKey()).isEqualTo("/var/run/docker/netns/a61dd575e1e4");
            assertThat(ns.ports()).containsEntry("80/tcp", List.of(new PortBinding("0.0.0.0", "18080"), new PortBinding("::", "18080")))
                    .containsEntry("81/udp", List.of(new PortBinding("127.0.0.1", "32768")))
                    .containsEntry("90/tcp", List.of());
            assertThat(ns.networks()).containsOnlyKeys("bridge");
            assertThat(ns.networks().get("bridge").ipAddress()).isEqualTo("172.17.0.2");
            assertThat(ns.networks().get("bridge").gateway()).isEqualTo("172.17.0.1");
            assertThat(ns.networks().get("bridge").ipPrefixLen()).isEqualTo(16);
            assertThat(ns.networks().get("bridge").aliases()).isEmpty();
            NetworkSpec asked = det.spec().network();
            assertThat(asked.exposedPorts()).containsExactlyInAnyOrder("80/tcp", "81/udp", "90/tcp");
            assertThat(asked.portBindings()).containsEntry("80/tcp", List.of(new PortBinding("", "18080")))
                    .containsEntry("81/udp", List.of(new PortBinding("127.0.0.1", "")));

            ContainerSummary s = c.list(new ContainerListOptions(true, -1, Map.of())).getFirst();
            assertThat(s.networkSettings().ports()).containsEntry("80/tcp", List.of(new PortBinding("0.0.0.0", "18080"), new PortBinding("::", "18080")))
                    .containsEntry("81/udp", List.of(new PortBinding("127.0.0.1", "32768")))
                    .containsEntry("90/tcp", List.of());
            assertThat(s.networkSettings().networks().get("bridge").macAddress()).isEqualTo("02:42:ac:11:00:02");
        }
    }

    @Test void createBodyCarriesPortsDnsAndEndpointsAsTheCliDoes() throws Exception {
        var net = new NetworkSpec(Set.of("90/tcp"), Map.of("80/tcp", List.of(new PortBinding("", "18080")),
                "81/udp", List.of(new PortBinding("127.0.0.1", ""))), true, List.of("1.1.1.1"), List.of("corp"), List.of("ndots:1"),
                List.of("db:10.1.1.1"), Map.of("appnet", new EndpointSpec(List.of("web"), "10.9.0.7", null, null)), "02:00:00:00:00:01");
        ContainerSpec spec = ContainerSpec.of("busybox", List.of("sleep", "1")).withNetwork(net);
        JsonNode b = ContainerJson.createBody(spec, false);
        assertThat(b.get("ExposedPorts").properties().stream().map(Map.Entry::getKey).toList()).containsExactlyInAnyOrder("80/tcp", "81/udp", "90/tcp");
        assertThat(b.get("MacAddress").asText()).isEqualTo("02:00:00:00:00:01");
        assertThat(b.at("/HostConfig/PortBindings/80~1tcp").toString()).isEqualTo("[{\"HostIp\":\"\",\"HostPort\":\"18080\"}]");
        assertThat(b.at("/HostConfig/PortBindings/81~1udp").toString()).isEqualTo("[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"\"}]");
        assertThat(b.at("/HostConfig/PublishAllPorts").asBoolean()).isTrue();
        assertThat(b.at("/HostConfig/Dns").toString()).isEqualTo("[\"1.1.1.1\"]");
        assertThat(b.at("/HostConfig/DnsSearch").toString()).isEqualTo("[\"corp\"]");
        assertThat(b.at("/HostConfig/DnsOptions").toString()).isEqualTo("[\"ndots:1\"]");
        assertThat(b.at("/HostConfig/ExtraHosts").toString()).isEqualTo("[\"db:10.1.1.1\"]");
        assertThat(b.at("/NetworkingConfig/EndpointsConfig/appnet").toString())
                .isEqualTo("{\"IPAMConfig\":{\"IPv4Address\":\"10.9.0.7\"},\"Aliases\":[\"web\"],\"MacAddress\":\"\"}");
        JsonNode plain = ContainerJson.createBody(ContainerSpec.of("busybox", null), false);
        assertThat(plain.has("ExposedPorts")).isFalse();
        assertThat(plain.at("/HostConfig/PortBindings").toString()).isEqualTo("{}");
        assertThat(plain.at("/HostConfig/ExtraHosts").isNull()).isTrue();
        assertThat(plain.at("/NetworkingConfig/EndpointsConfig").toString()).isEqualTo("{}");
    }
}
