package io.berth.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.api.container.PortBinding;
import io.berth.server.wire.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /networks} and container networking through the real docker CLI (28.x) and curl, with
 * {@link FakeNetworks} and {@link FakeContainers}: what the CLI sends must parse, and what we answer
 * must print the way docker prints Docker's answers.
 */
class NetworkRoutesTest {
    static final String DOCKER = "/usr/local/bin/docker";
    @TempDir static Path tmp;
    static FakeNetworks networks;
    static FakeContainers containers;
    static BerthServer.Handle server;
    static Path sock;
    static Map<String, String> env;

    @BeforeAll static void start() throws Exception {
        FakeEngine engine = new FakeEngine();
        containers = new FakeContainers();
        networks = new FakeNetworks();
        sock = tmp.resolve("run/berth.sock");
        server = new BerthServer(ServerConfig.of(sock, "0.1.0-test"), engine, engine, FakeNetworks.around(containers), networks,
                io.berth.api.Unavailable.of(io.berth.api.volume.VolumeEngine.class, "no volumes")).start();
        Files.createDirectories(tmp.resolve("dockercfg"));
        env = Map.of("DOCKER_HOST", "unix://" + sock, "DOCKER_CONFIG", tmp.resolve("dockercfg").toString(), "DOCKER_CLI_HINTS", "false");
    }

    @AfterAll static void stop() { if (server != null) server.close(); }

    static Proc docker(String... args) { return Proc.run(env, null, Proc.args(DOCKER, args).toArray(String[]::new)); }

    static Proc ok(String... args) {
        Proc p = docker(args);
        assertThat(p.exit()).as(p.toString()).isZero();
        return p;
    }

    static JsonNode curl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("curl", "-sS", "--unix-socket", sock.toString()));
        cmd.addAll(List.of(args));
        Proc p = Proc.run(Map.of(), null, cmd.toArray(String[]::new));
        assertThat(p.exit()).as(p.toString()).isZero();
        return Json.MAPPER.readTree(p.out());
    }

    @Test void networkVerbsThroughTheDockerCli() throws Exception {
        String id = ok("network", "create", "--subnet", "10.5.0.0/24", "--gateway", "10.5.0.1", "--ip-range", "10.5.0.128/25",
                "--internal", "--label", "team=a", "-o", "com.docker.network.driver.mtu=1400", "n1").out().strip();
        assertThat(id).hasSize(64);
        String created = networks.calls.getLast();
        assertThat(created).contains("name=n1", "driver=bridge", "internal=true", "subnet=10.5.0.0/24", "ipRange=10.5.0.128/25",
                "gateway=10.5.0.1", "com.docker.network.driver.mtu=1400", "team=a");

        Proc dup = docker("network", "create", "n1");
        assertThat(dup.exit()).isEqualTo(1);
        assertThat(dup.err()).contains("Error response from daemon: network with name n1 already exists");

        assertThat(ok("network", "ls").out()).isEqualTo("""
                NETWORK ID     NAME      DRIVER    SCOPE
                a369f90b2677   bridge    bridge    local
                bbbbbbbbbbbb   host      host      local
                %s   n1        bridge    local
                cccccccccccc   none      null      local
                """.formatted(id.substring(0, 12)));
        assertThat(ok("network", "ls", "-q", "--filter", "name=n1").out()).isEqualTo(id.substring(0, 12) + "\n");
        assertThat(networks.calls.getLast()).isEqualTo("list {name=[n1]}");
        assertThat(ok("network", "ls", "--format", "{{.Name}} {{.Internal}} {{.Labels}}", "-f", "driver=bridge").out())
                .isEqualTo("bridge false \nn1 true team=a\n");

        JsonNode inspect = Json.MAPPER.readTree(ok("network", "inspect", "n1").out()).get(0);
        assertThat(inspect.get("Id").asText()).isEqualTo(id);
        assertThat(inspect.at("/IPAM/Config/0/Gateway").asText()).isEqualTo("10.5.0.1");
        assertThat(ok("network", "inspect", "-f", "{{.Internal}} {{range .IPAM.Config}}{{.Subnet}}{{end}}", id.substring(0, 8)).out())
                .isEqualTo("true 10.5.0.0/24\n");
        Proc missing = docker("network", "inspect", "nosuch");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("network nosuch not found");

        ok("network", "connect", "--alias", "web", "--alias", "www", "--ip", "10.5.0.7", "n1", "ctr1");
        assertThat(networks.calls.getLast()).isEqualTo("connect n1 ctr1 EndpointSpec[aliases=[web, www], ipv4Address=10.5.0.7, ipv6Address=null, macAddress=null]");
        assertThat(ok("network", "inspect", "-f", "{{range $k, $v := .Containers}}{{$v.Name}} {{$v.IPv4Address}}{{end}}", "n1").out())
                .isEqualTo("ctr1 10.5.0.7/16\n");
        Proc busy = docker("network", "rm", "n1");
        assertThat(busy.exit()).isEqualTo(1);
        assertThat(busy.err()).contains("has active endpoints");
        ok("network", "disconnect", "-f", "n1", "ctr1");
        assertThat(networks.calls.getLast()).isEqualTo("disconnect n1 ctr1 force=true");

        Proc predefined = docker("network", "rm", "bridge");
        assertThat(predefined.err()).contains("bridge is a pre-defined network and cannot be removed");
        assertThat(ok("network", "rm", "n1").out()).isEqualTo("n1\n");
        assertThat(ok("network", "rm", "-f", "nosuch").out()).isEmpty();

        ok("network", "create", "n2");
        assertThat(ok("network", "prune", "-f", "--filter", "label=x").out()).isEqualTo("Deleted Networks:\nn2\n\n");
        assertThat(networks.calls.getLast()).isEqualTo("prune {label=[x]}");
        assertThat(ok("network", "prune", "-f").out()).isEmpty();
    }

    @Test void testcontainersReadsTheBridgeGatewayAndPrunesWithLabelArrays() throws Exception {
        JsonNode bridge = curl("http://x/v1.32/networks/bridge");
        assertThat(bridge.at("/IPAM/Config/0/Gateway").asText()).isEqualTo("172.17.0.1");
        assertThat(bridge.get("Name").asText()).isEqualTo("bridge");
        JsonNode pruned = curl("-X", "POST", "http://x/v1.32/networks/prune?filters=%7B%22label%22%3A%5B%22org.testcontainers%3Dtrue%22%5D%7D");
        assertThat(pruned.toString()).isIn("{\"NetworksDeleted\":null}", "{\"NetworksDeleted\":[\"n2\"]}");
        JsonNode bad = curl("http://x/networks?filters=%7B%22nosuch%22%3A%5B%22x%22%5D%7D");
        assertThat(bad.get("message").asText()).isEqualTo("invalid filter 'nosuch'");
        JsonNode list = curl("http://x/v1.44/networks");
        assertThat(list.isArray()).isTrue();
        assertThat(list.findValuesAsText("Name")).contains("bridge", "host", "none");
    }

    @Test void publishedPortsThroughRunPortPsAndInspect() throws Exception {
        String id = ok("run", "-d", "--name", "pub", "-p", "18080:80", "-p", "127.0.0.1::81/udp", "--expose", "90",
                "--dns", "1.1.1.1", "--dns-search", "corp", "--add-host", "db:10.1.1.1", "busybox", "sleep", "100").out().strip();
        var spec = containers.inspect(id).spec();
        assertThat(spec.network().exposedPorts()).containsExactlyInAnyOrder("80/tcp", "81/udp", "90/tcp");
        assertThat(spec.network().portBindings()).containsEntry("80/tcp", List.of(new PortBinding("", "18080")))
                .containsEntry("81/udp", List.of(new PortBinding("127.0.0.1", "")));
        assertThat(spec.network().dns()).containsExactly("1.1.1.1");
        assertThat(spec.network().dnsSearch()).containsExactly("corp");
        assertThat(spec.network().extraHosts()).containsExactly("db:10.1.1.1");
        assertThat(spec.network().endpoints()).isEmpty();

        assertThat(ok("port", "pub").out()).isEqualTo("""
                80/tcp -> 0.0.0.0:18080
                80/tcp -> [::]:18080
                81/udp -> 127.0.0.1:32768
                """);
        assertThat(ok("port", "pub", "81/udp").out()).isEqualTo("127.0.0.1:32768\n");
        Proc none = docker("port", "pub", "90");
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err()).contains("No public port '90' published for pub");
        assertThat(ok("ps", "--format", "{{.Ports}}", "-f", "name=pub").out())
                .isEqualTo("90/tcp, 0.0.0.0:18080->80/tcp, [::]:18080->80/tcp, 127.0.0.1:32768->81/udp\n");
        assertThat(ok("inspect", "-f", "{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Networks.bridge.Gateway}} {{.HostConfig.NetworkMode}}", "pub").out())
                .isEqualTo("172.17.0.2 172.17.0.1 default\n");
        assertThat(ok("inspect", "-f", "{{json .NetworkSettings.Ports}}", "pub").out().strip()).isEqualTo(
                "{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"18080\"},{\"HostIp\":\"::\",\"HostPort\":\"18080\"}],"
                        + "\"81/udp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"32768\"}],\"90/tcp\":null}");
        ok("rm", "-f", "pub");
        ok("run", "-d", "--name", "ranges", "--expose", "7000-7003", "--expose", "7005", "--expose", "53/udp", "busybox", "sleep", "100");
        assertThat(ok("ps", "--format", "{{.Ports}}", "-f", "name=ranges").out()).isEqualTo("7000-7003/tcp, 53/udp, 7005/tcp\n");
        ok("rm", "-f", "ranges");
    }

    @Test void userNetworkAliasesAndStaticIpFromRun() throws Exception {
        String id = ok("create", "--name", "aliased", "--network", "appnet", "--network-alias", "web", "--ip", "10.9.0.7",
                "--mac-address", "02:00:00:00:00:02", "-P", "--expose", "8080", "busybox", "sleep", "100").out().strip();
        var spec = containers.inspect(id).spec();
        assertThat(spec.host().networkMode()).isEqualTo("appnet");
        assertThat(spec.network().publishAllPorts()).isTrue();
        assertThat(spec.network().endpoints()).containsOnlyKeys("appnet");
        var ep = spec.network().endpoints().get("appnet");
        assertThat(ep.aliases()).containsExactly("web");
        assertThat(ep.ipv4Address()).isEqualTo("10.9.0.7");
        assertThat(ep.macAddress()).isEqualTo("02:00:00:00:00:02");
        ok("start", "aliased");
        assertThat(ok("inspect", "-f", "{{json .NetworkSettings.Networks.appnet.Aliases}} {{.NetworkSettings.Networks.appnet.IPAMConfig.IPv4Address}}", "aliased").out())
                .isEqualTo("[\"web\"] 10.9.0.7\n");
        assertThat(ok("port", "aliased").out()).isEqualTo("8080/tcp -> 0.0.0.0:32768\n8080/tcp -> [::]:32768\n");
        ok("rm", "-f", "aliased");
    }
}
