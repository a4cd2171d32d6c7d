package io.berth.server.wire;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.api.BerthException;
import io.berth.api.container.ContainerDetails;
import io.berth.api.container.ContainerSpec;
import io.berth.api.container.ContainerState;
import io.berth.api.container.ContainerSummary;
import io.berth.api.container.EndpointState;
import io.berth.api.container.NetworkSettings;
import io.berth.api.container.NetworkSpec;
import io.berth.api.container.PortBinding;
import io.berth.api.network.EndpointSpec;
import io.berth.api.network.IpamConfig;
import io.berth.api.network.NetworkCreateSpec;
import io.berth.api.network.NetworkDetails;
import io.berth.api.network.NetworkEndpoint;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.berth.server.wire.ContainerJsonTest.keys;
import static io.berth.server.wire.ContainerJsonTest.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The networking JSON against the recorded Docker 20.10 samples: the same facts rendered by
 * {@link NetworkJson} must give the samples' NetworkSettings, Ports and HostConfig byte for byte
 * (as trees), and the recorded create bodies must parse into the facts they carry.
 */
class NetworkJsonTest {
    static final String NET_ID = "a369f90b2677cc7f5a11e7117b8f775a5a06d97d4e3d6a037ef0a5130bb920ee";

    static JsonNode tree(Object o) { return Json.MAPPER.valueToTree(o); }

    static JsonNode first(JsonNode n) { return n.isArray() ? n.get(0) : n; }

    /** The bridge endpoint both recorded containers had. */
    static EndpointState bridge(String endpointId) {
        return new EndpointState(NET_ID, endpointId, "172.17.0.1", "172.17.0.2", 16, "02:42:ac:11:00:02", List.of(), "", "", 0);
    }

    static ContainerDetails details(ContainerSpec spec, NetworkSettings ns) {
        var state = new ContainerState(ContainerState.Status.RUNNING, 1223, 0, null, false, Instant.parse("2026-11-23T13:43:55Z"), null, 0);
        return new ContainerDetails("d".repeat(64), "x", Instant.parse("2026-11-23T13:43:55Z"), "sha256:" + "b".repeat(64), "busybox",
                "sh", List.of(), state, spec, List.of(), null, null, "/r", "/l", Map.of(), List.of(), "overlay", ns, List.of());
    }

    @Test void testcontainersCreateBodyAndItsInspectMatchTheRecording() throws Exception {
        JsonNode body = sample("create_tc.json");
        NetworkSpec ns = NetworkJson.containerSpec(body);
        assertThat(ns.exposedPorts()).containsExactly("8080/tcp");
        assertThat(ns.portBindings()).containsExactly(Map.entry("8080/tcp", List.of(new PortBinding("", ""))));
        assertThat(ns.publishAllPorts()).isFalse();
        assertThat(ns.dns()).isEmpty();
        assertThat(ns.extraHosts()).isEmpty();
        assertThat(ns.endpoints()).isEmpty();
        assertThat(ns.macAddress()).isNull();

        JsonNode docker = first(sample("container_inspect_tc.json"));
        String endpoint = docker.at("/NetworkSettings/EndpointID").asText();
        String sandbox = docker.at("/NetworkSettings/SandboxKey").asText();
        var settings = new NetworkSettings(sandbox,
                Map.of("8080/tcp", List.of(new PortBinding("0.0.0.0", "32768"), new PortBinding("::", "32768"))),
                Map.of("bridge", bridge(endpoint)));
        ContainerSpec spec = ContainerJson.createSpec(body, null).withNetwork(ns);
        JsonNode ours = tree(ContainerJson.inspect(details(spec, settings)));
        JsonNode expected = ((com.fasterxml.jackson.databind.node.ObjectNode) docker.get("NetworkSettings").deepCopy())
                .put("SandboxID", sandbox.substring(sandbox.lastIndexOf('/') + 1)); // Berth names the sandbox by its netns file
        assertThat(ours.get("NetworkSettings")).isEqualTo(expected);
        for (String k : List.of("NetworkMode", "PortBindings", "PublishAllPorts", "Dns", "DnsOptions", "DnsSearch"))
            assertThat(ours.at("/HostConfig/" + k)).as(k).isEqualTo(docker.at("/HostConfig/" + k));
        assertThat(ours.at("/Config/ExposedPorts")).isEqualTo(docker.at("/Config/ExposedPorts"));
    }

    @Test void cliRunWithPublishedExposedAndUdpPortsMatchesInspectAndPs() throws Exception {
        // docker run -p 18080:80 -p 127.0.0.1::81/udp --expose 90 --network bridge (docker-api.md B.1b)
        JsonNode body = Json.MAPPER.readTree("""
                {"Image":"bb","ExposedPorts":{"80/tcp":{},"81/udp":{},"90/tcp":{}},
                 "HostConfig":{"NetworkMode":"bridge","PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"18080"}],
                   "81/udp":[{"HostIp":"127.0.0.1","HostPort":""}]},"Dns":[],"DnsOptions":[],"DnsSearch":[],"ExtraHosts":null},
                 "NetworkingConfig":{"EndpointsConfig":{}}}""");
        NetworkSpec ns = NetworkJson.containerSpec(body);
        assertThat(ns.exposedPorts()).containsExactlyInAnyOrder("80/tcp", "81/udp", "90/tcp");
        assertThat(ns.portBindings()).containsEntry("81/udp", List.of(new PortBinding("127.0.0.1", "")));

        JsonNode docker = first(sample("container_inspect.json"));
        String endpoint = docker.at("/NetworkSettings/EndpointID").asText();
        String sandbox = docker.at("/NetworkSettings/SandboxKey").asText();
        Map<String, List<PortBinding>> made = new LinkedHashMap<>();
        made.put("80/tcp", List.of(new PortBinding("0.0.0.0", "18080"), new PortBinding("::", "18080")));
        made.put("81/udp", List.of(new PortBinding("127.0.0.1", "32768")));
        made.put("90/tcp", List.of());
        var settings = new NetworkSettings(sandbox, made, Map.of("bridge", bridge(endpoint)));
        ContainerSpec spec = ContainerJson.createSpec(body, null).withNetwork(ns);
        JsonNode ours = tree(ContainerJson.inspect(details(spec, settings)));
        assertThat(ours.at("/NetworkSettings/Ports")).isEqualTo(docker.at("/NetworkSettings/Ports"));
        assertThat(ours.at("/NetworkSettings/Networks")).isEqualTo(docker.at("/NetworkSettings/Networks"));
        assertThat(keys(ours.get("NetworkSettings"))).containsExactlyElementsOf(keys(docker.get("NetworkSettings")));
        for (String k : List.of("NetworkMode", "PortBindings", "PublishAllPorts", "Dns", "ExtraHosts"))
            assertThat(ours.at("/HostConfig/" + k)).as(k).isEqualTo(k.equals("Dns") ? Json.MAPPER.nullNode() : docker.at("/HostConfig/" + k));
        assertThat(ours.at("/Config/ExposedPorts")).isEqualTo(docker.at("/Config/ExposedPorts"));

        // The same facts as a ps row: Ports, NetworkSettings.Networks and NetworkMode as recorded.
        JsonNode psDocker = first(sample("containers_json.json"));
        var summary = new ContainerSummary("d".repeat(64), List.of("/x"), "bb", "sha256:aa", "sh", Instant.EPOCH,
                ContainerState.Status.RUNNING, "Up 4 seconds", Map.of(), settings, List.of());
        JsonNode row = tree(NetworkJson.summary(summary, "none"));
        assertThat(row.get("Ports")).isEqualTo(psDocker.get("Ports"));
        assertThat(row.get("NetworkSettings")).isEqualTo(psDocker.get("NetworkSettings"));
        assertThat(row.get("HostConfig")).isEqualTo(psDocker.get("HostConfig"));
    }

    @Test void createdContainerHasNoPortsAndEmptyNetworksWithoutASandbox() throws Exception {
        JsonNode body = sample("create_cli_rm.json");
        NetworkSpec ns = NetworkJson.containerSpec(body);
        assertThat(ns.endpoints()).as("the CLI's empty \"default\" endpoint is not a request").isEmpty();
        ContainerSpec spec = ContainerJson.createSpec(body, null).withNetwork(
                new NetworkSpec(java.util.Set.of("80/tcp"), Map.of(), true, List.of("1.1.1.1"), List.of("ex.com"), List.of("ndots:2"),
                        List.of("h:10.0.0.1"), Map.of(), "02:42:ac:11:00:09"));
        JsonNode ours = tree(ContainerJson.inspect(details(spec, NetworkSettings.EMPTY)));
        assertThat(ours.at("/NetworkSettings/Ports").toString()).isEqualTo("{}");
        assertThat(ours.at("/NetworkSettings/Networks").toString()).isEqualTo("{}");
        assertThat(ours.at("/NetworkSettings/IPAddress").asText()).isEmpty();
        assertThat(ours.at("/HostConfig/NetworkMode").asText()).isEqualTo("default");
        assertThat(ours.at("/HostConfig/PublishAllPorts").asBoolean()).isTrue();
        assertThat(ours.at("/HostConfig/Dns").toString()).isEqualTo("[\"1.1.1.1\"]");
        assertThat(ours.at("/HostConfig/DnsSearch").toString()).isEqualTo("[\"ex.com\"]");
        assertThat(ours.at("/HostConfig/DnsOptions").toString()).isEqualTo("[\"ndots:2\"]");
        assertThat(ours.at("/HostConfig/ExtraHosts").toString()).isEqualTo("[\"h:10.0.0.1\"]");
        assertThat(ours.at("/HostConfig/PortBindings").toString()).isEqualTo("{}");
        assertThat(ours.at("/Config/MacAddress").asText()).isEqualTo("02:42:ac:11:00:09");
    }

    @Test void userNetworkEndpointsAliasesStaticAddressAndDns() throws Exception {
        JsonNode body = Json.MAPPER.readTree("""
                {"Image":"bb","MacAddress":"02:00:00:00:00:01","ExposedPorts":{"53/UDP":{}},
                 "HostConfig":{"NetworkMode":"appnet","PublishAllPorts":true,"Dns":["10.0.0.53"],"DnsSearch":["corp"],
                   "DnsOptions":["ndots:1"],"ExtraHosts":["db:10.1.1.1","gw:host-gateway"],"PortBindings":{"8080":[{"HostIp":"::1","HostPort":"9000"}]}},
                 "NetworkingConfig":{"EndpointsConfig":{"appnet":{"Aliases":["web","www"],"IPAMConfig":{"IPv4Address":"10.9.0.7"},"MacAddress":"02:00:00:00:00:02"},
                   "other":{}}}}""");
        NetworkSpec ns = NetworkJson.containerSpec(body);
        assertThat(ns.exposedPorts()).containsExactlyInAnyOrder("53/udp", "8080/tcp");
        assertThat(ns.portBindings()).containsExactly(Map.entry("8080/tcp", List.of(new PortBinding("::1", "9000"))));
        assertThat(ns.publishAllPorts()).isTrue();
        assertThat(ns.dns()).containsExactly("10.0.0.53");
        assertThat(ns.dnsSearch()).containsExactly("corp");
        assertThat(ns.dnsOptions()).containsExactly("ndots:1");
        assertThat(ns.extraHosts()).containsExactly("db:10.1.1.1", "gw:host-gateway");
        assertThat(ns.macAddress()).isEqualTo("02:00:00:00:00:01");
        assertThat(ns.endpoints()).containsOnlyKeys("appnet", "other");
        assertThat(ns.endpoints().get("appnet")).isEqualTo(new EndpointSpec(List.of("web", "www"), "10.9.0.7", null, "02:00:00:00:00:02"));
        assertThat(ns.endpoints().get("other")).isEqualTo(EndpointSpec.DEFAULT);

        var ep = new EndpointState("n".repeat(64), "e".repeat(64), "10.9.0.1", "10.9.0.7", 24, "02:00:00:00:00:02",
                List.of("web", "www", "dddddddddddd"), "", "", 0);
        var settings = new NetworkSettings("/run/berth/netns/abc", Map.of("8080/tcp", List.of(new PortBinding("::1", "9000"))), Map.of("appnet", ep));
        JsonNode ours = tree(ContainerJson.inspect(details(ContainerJson.createSpec(body, null).withNetwork(ns), settings)));
        JsonNode n = ours.at("/NetworkSettings/Networks/appnet");
        assertThat(n.get("IPAMConfig").toString()).isEqualTo("{\"IPv4Address\":\"10.9.0.7\"}");
        assertThat(n.get("Aliases").toString()).isEqualTo("[\"web\",\"www\",\"dddddddddddd\"]");
        assertThat(n.get("IPAddress").asText()).isEqualTo("10.9.0.7");
        assertThat(n.get("Gateway").asText()).isEqualTo("10.9.0.1");
        assertThat(n.get("IPPrefixLen").asInt()).isEqualTo(24);
        // Not the default bridge: Docker leaves the top-level address fields empty.
        assertThat(ours.at("/NetworkSettings/IPAddress").asText()).isEmpty();
        assertThat(ours.at("/NetworkSettings/Gateway").asText()).isEmpty();
        assertThat(ours.at("/NetworkSettings/Ports").toString())
                .isEqualTo("{\"53/udp\":null,\"8080/tcp\":[{\"HostIp\":\"::1\",\"HostPort\":\"9000\"}]}");
        assertThat(ours.at("/Config/ExposedPorts").toString()).isEqualTo("{\"53/udp\":{},\"8080/tcp\":{}}");
        assertThat(ours.at("/HostConfig/NetworkMode").asText()).isEqualTo("appnet");
    }

    @Test void networkCreateBodyAsTheCliSendsIt() throws Exception {
        JsonNode b = Json.MAPPER.readTree("""
                {"Name":"n1","CheckDuplicate":true,"Driver":"bridge","Scope":"","EnableIPv6":false,
                 "IPAM":{"Driver":"default","Options":{},"Config":[{"Subnet":"10.5.0.0/24","IPRange":"10.5.0.128/25","Gateway":"10.5.0.1"}]},
                 "Internal":true,"Attachable":false,"Ingress":false,"ConfigOnly":false,"ConfigFrom":null,
                 "Options":{"com.docker.network.driver.mtu":"1400"},"Labels":{"a":"b"}}""");
        NetworkCreateSpec s = NetworkJson.createSpec(b);
        assertThat(s).isEqualTo(new NetworkCreateSpec("n1", "bridge", true, false, false,
                List.of(new IpamConfig("10.5.0.0/24", "10.5.0.128/25", "10.5.0.1")),
                Map.of("com.docker.network.driver.mtu", "1400"), Map.of("a", "b"), true));
        NetworkCreateSpec dj = NetworkJson.createSpec(Json.MAPPER.readTree("{\"Name\":\"tc-1\",\"Driver\":null,\"IPAM\":null,\"Labels\":null}"));
        assertThat(dj.driver()).isEqualTo("bridge");
        assertThat(dj.ipam()).isEmpty();
        assertThat(dj.labels()).isEmpty();
        assertThatThrownBy(() -> NetworkJson.createSpec(Json.MAPPER.readTree("{\"Driver\":\"bridge\"}")))
                .isInstanceOfSatisfying(BerthException.class, e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.INVALID_ARGUMENT));
    }

    @Test void networkInspectHasDockersShapeAndGateway() throws Exception {
        var d = new NetworkDetails(NET_ID, "bridge", Instant.parse("2026-11-23T13:39:39.186453327Z"), "local", "bridge", false,
                List.of(new IpamConfig("172.17.0.0/16", null, "172.17.0.1")), false, false,
                Map.of("c".repeat(64), new NetworkEndpoint("web", "e".repeat(64), "02:42:ac:11:00:02", "172.17.0.2/16", "")),
                Map.of("com.docker.network.bridge.name", "berth0"), Map.of());
        JsonNode n = tree(NetworkJson.network(d));
        assertThat(keys(n)).containsExactly("Name", "Id", "Created", "Scope", "Driver", "EnableIPv4", "EnableIPv6", "IPAM", "Internal",
                "Attachable", "Ingress", "ConfigFrom", "ConfigOnly", "Containers", "Options", "Labels");
        assertThat(n.get("Created").asText()).isEqualTo("2026-11-23T13:39:39.186453327Z");
        assertThat(n.get("IPAM").toString()).isEqualTo("{\"Driver\":\"default\",\"Options\":null,\"Config\":[{\"Subnet\":\"172.17.0.0/16\",\"Gateway\":\"172.17.0.1\"}]}");
        assertThat(n.at("/ConfigFrom/Network").asText()).isEmpty();
        assertThat(n.at("/Containers/" + "c".repeat(64)).toString()).isEqualTo("{\"Name\":\"web\",\"EndpointID\":\"" + "e".repeat(64)
                + "\",\"MacAddress\":\"02:42:ac:11:00:02\",\"IPv4Address\":\"172.17.0.2/16\",\"IPv6Address\":\"\"}");
        assertThat(n.at("/Labels").toString()).isEqualTo("{}");
        assertThat(tree(NetworkJson.pruned(List.of())).toString()).isEqualTo("{\"NetworksDeleted\":null}");
        assertThat(tree(NetworkJson.pruned(List.of("a"))).toString()).isEqualTo("{\"NetworksDeleted\":[\"a\"]}");
        assertThat(tree(NetworkJson.created("i", null)).toString()).isEqualTo("{\"Id\":\"i\",\"Warning\":\"\"}");
    }

    @Test void connectBodies() throws Exception {
        JsonNode b = Json.MAPPER.readTree("{\"Container\":\"web\",\"EndpointConfig\":{\"Aliases\":[\"a\"],\"IPAMConfig\":{\"IPv4Address\":\"10.0.0.9\"}}}");
        assertThat(NetworkJson.container(b)).isEqualTo("web");
        assertThat(NetworkJson.endpoint(b.get("EndpointConfig"))).isEqualTo(new EndpointSpec(List.of("a"), "10.0.0.9", null, null));
        assertThat(NetworkJson.endpoint(Json.MAPPER.readTree("{\"Container\":\"x\",\"EndpointConfig\":null}").get("EndpointConfig")))
                .isEqualTo(EndpointSpec.DEFAULT);
        assertThatThrownBy(() -> NetworkJson.container(Json.MAPPER.readTree("{}"))).isInstanceOf(BerthException.class);
    }

    /** Testcontainers' Network + withNetworkAliases through docker-java: NetworkMode and the endpoint key are the network ID, nulls everywhere. */
    @Test void dockerJavaNetworkAndAliasBodies() throws Exception {
        String netId = "9".repeat(64);
        JsonNode create = Json.MAPPER.readTree("""
                {"Name":"6f1c-uuid","Driver":null,"IPAM":null,"Options":null,"CheckDuplicate":true,"Internal":null,"EnableIPv6":null,
                 "Attachable":null,"Labels":{"org.testcontainers":"true","org.testcontainers.sessionId":"s1"}}""");
        NetworkCreateSpec n = NetworkJson.createSpec(create);
        assertThat(n.driver()).isEqualTo("bridge");
        assertThat(n.internal()).isFalse();
        assertThat(n.labels()).containsEntry("org.testcontainers", "true");
        JsonNode body = Json.MAPPER.readTree("""
                {"Image":"bb","ExposedPorts":{"8080/tcp":{}},"HostConfig":{"NetworkMode":"%s","PortBindings":{"8080/tcp":[{"HostIp":"","HostPort":""}]},
                 "Dns":null,"DnsSearch":null,"DnsOptions":null,"ExtraHosts":[],"PublishAllPorts":null},
                 "NetworkingConfig":{"EndpointsConfig":{"%s":{"IPAMConfig":null,"Links":null,"Aliases":["db"],"NetworkID":null,"EndpointID":null,
                   "Gateway":null,"IPAddress":null,"IPPrefixLen":null,"IPv6Gateway":null,"GlobalIPv6Address":null,"GlobalIPv6PrefixLen":null,"MacAddress":null}}}}"""
                .formatted(netId, netId));
        NetworkSpec ns = NetworkJson.containerSpec(body);
        assertThat(ns.endpoints()).containsExactly(Map.entry(netId, new EndpointSpec(List.of("db"), null, null, null)));
        assertThat(ns.publishAllPorts()).isFalse();
        assertThat(ns.dns()).isEmpty();
        assertThat(ContainerJson.createSpec(body, null).host().networkMode()).isEqualTo(netId);
        JsonNode cliDefault = Json.MAPPER.readTree("""
                {"Image":"bb","HostConfig":{"NetworkMode":"default"},
                 "NetworkingConfig":{"EndpointsConfig":{"default":{"Aliases":null,"IPAMConfig":{"IPv4Address":"172.17.0.9"},"MacAddress":""}}}}""");
        assertThat(NetworkJson.containerSpec(cliDefault).endpoints()).as("the CLI's \"default\" is the bridge network")
                .containsExactly(Map.entry("bridge", new EndpointSpec(List.of(), "172.17.0.9", null, null)));
    }

    @Test void imageExposedPortsReportedByTheEngineAppearInConfig() throws Exception {
        ContainerSpec spec = ContainerSpec.of("bb", null).withNetwork(NetworkJson.containerSpec(Json.MAPPER.readTree("{\"ExposedPorts\":{\"80/tcp\":{}}}")));
        var ns = new NetworkSettings("/run/berth/netns/x", Map.of("80/tcp", List.of(), "6379/tcp", List.of()), Map.of());
        JsonNode ours = tree(ContainerJson.inspect(details(spec, ns)));
        assertThat(ours.at("/Config/ExposedPorts").toString()).isEqualTo("{\"6379/tcp\":{},\"80/tcp\":{}}");
        assertThat(ours.at("/NetworkSettings/Ports").toString()).isEqualTo("{\"6379/tcp\":null,\"80/tcp\":null}");
    }
}
