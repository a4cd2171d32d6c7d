package io.berth.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code berth network …}, {@code berth port} and ps's PORTS end to end against Docker-shaped answers on a unix socket. */
class NetworkMainTest {
    static final String N1 = "f1e2d3c4b5a6978812345678901234567890123456789012345678901234abcd";
    static final String BRIDGE = "{\"Name\":\"bridge\",\"Id\":\"a369f90b2677cc7f5a11e7117b8f775a5a06d97d4e3d6a037ef0a5130bb920ee\","
            + "\"Created\":\"2026-11-23T13:39:39.186453327Z\",\"Scope\":\"local\",\"Driver\":\"bridge\",\"EnableIPv6\":false,"
            + "\"IPAM\":{\"Driver\":\"default\",\"Options\":null,\"Config\":[{\"Subnet\":\"172.17.0.0/16\",\"Gateway\":\"172.17.0.1\"}]},"
            + "\"Internal\":false,\"Attachable\":false,\"Ingress\":false,\"ConfigFrom\":{\"Network\":\"\"},\"ConfigOnly\":false,"
            + "\"Containers\":{},\"Options\":{},\"Labels\":{}}";
    static final String NET1 = "{\"Name\":\"n1\",\"Id\":\"" + N1 + "\",\"Created\":\"2026-11-23T14:00:00Z\",\"Scope\":\"local\",\"Driver\":\"bridge\","
            + "\"EnableIPv6\":false,\"IPAM\":{\"Driver\":\"default\",\"Options\":null,\"Config\":[{\"Subnet\":\"10.5.0.0/24\",\"Gateway\":\"10.5.0.1\"}]},"
            + "\"Internal\":true,\"Attachable\":false,\"Ingress\":false,\"ConfigFrom\":{\"Network\":\"\"},\"ConfigOnly\":false,"
            + "\"Containers\":{},\"Options\":{},\"Labels\":{\"team\":\"a\",\"env\":\"dev\"}}";
    static final String HOST = "{\"Name\":\"host\",\"Id\":\"" + "b".repeat(64) + "\",\"Created\":\"2026-11-23T13:39:39Z\",\"Scope\":\"local\","
            + "\"Driver\":\"host\",\"IPAM\":{\"Driver\":\"default\",\"Config\":[]},\"Containers\":{},\"Options\":{},\"Labels\":{}}";
    static final String PORTS = "{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"18080\"},{\"HostIp\":\"::\",\"HostPort\":\"18080\"}],"
            + "\"81/udp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"32768\"}],\"90/tcp\":null}";

    @TempDir Path dir;
    CannedServer server;
    String stdout, stderr;

    static CannedServer.Reply route(String key) {
        String path = key.contains("?") ? key.substring(0, key.indexOf('?')) : key;
        return switch (path) {
            case "GET /networks" -> CannedServer.Reply.json(200, "[" + NET1 + "," + HOST + "," + BRIDGE + "]");
            case "GET /networks/n1", "GET /networks/" + N1 -> CannedServer.Reply.json(200, NET1);
            case "GET /networks/bridge" -> CannedServer.Reply.json(200, BRIDGE);
            case "GET /networks/nosuch", "DELETE /networks/nosuch" -> CannedServer.Reply.json(404, "{\"message\":\"network nosuch not found\"}");
            case "DELETE /networks/bridge" -> CannedServer.Reply.json(400, "{\"message\":\"bridge is a pre-defined network and cannot be removed\"}");
            case "DELETE /networks/n1" -> new CannedServer.Reply(204, null, List.of(""));
            case "POST /networks/create" -> CannedServer.Reply.json(201, "{\"Id\":\"" + N1 + "\",\"Warning\":\"\"}");
            case "POST /networks/prune" -> CannedServer.Reply.json(200, "{\"NetworksDeleted\":[\"n2\",\"n3\"]}");
            case "POST /networks/n1/connect", "POST /networks/n1/disconnect" -> new CannedServer.Reply(200, null, List.of(""));
            case "GET /containers/web/json" -> CannedServer.Reply.json(200, "{\"Id\":\"" + CannedServer.CONTAINER + "\",\"Name\":\"/web\","
                    + "\"State\":{\"Status\":\"running\",\"Running\":true},\"Config\":{\"Image\":\"busybox\",\"ExposedPorts\":{\"80/tcp\":{},\"81/udp\":{},\"90/tcp\":{}}},"
                    + "\"HostConfig\":{\"NetworkMode\":\"default\"},\"NetworkSettings\":{\"SandboxKey\":\"/run/berth/netns/x\",\"Ports\":" + PORTS + ","
                    + "\"Networks\":{\"bridge\":{\"IPAddress\":\"172.17.0.2\",\"Gateway\":\"172.17.0.1\",\"IPPrefixLen\":16}}}}");
            case "GET /containers/json" -> CannedServer.Reply.json(200, "[{\"Id\":\"" + CannedServer.CONTAINER + "\",\"Names\":[\"/web\"],\"Image\":\"busybox\","
                    + "\"ImageID\":\"sha256:aa\",\"Command\":\"sleep 100\",\"Created\":1795441435,\"Ports\":[{\"IP\":\"0.0.0.0\",\"PrivatePort\":80,"
                    + "\"PublicPort\":18080,\"Type\":\"tcp\"},{\"IP\":\"::\",\"PrivatePort\":80,\"PublicPort\":18080,\"Type\":\"tcp\"},"
                    + "{\"IP\":\"127.0.0.1\",\"PrivatePort\":81,\"PublicPort\":32768,\"Type\":\"udp\"},{\"PrivatePort\":90,\"Type\":\"tcp\"}],"
                    + "\"Labels\":{},\"State\":\"running\",\"Status\":\"Up 4 seconds\",\"HostConfig\":{\"NetworkMode\":\"bridge\"},"
                    + "\"NetworkSettings\":{\"Networks\":{\"bridge\":{\"IPAddress\":\"172.17.0.2\"},\"appnet\":{\"IPAddress\":\"10.9.0.2\"}}},\"Mounts\":[]}]");
            default -> CannedServer.sample(key);
        };
    }

    @BeforeEach void start() throws IOException { server = new CannedServer(dir.resolve("b.sock"), NetworkMainTest::route); }

    @AfterEach void stop() throws IOException { server.close(); }

    private int run(String... args) { return runIn("", args); }

    private int runIn(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        List<String> argv = new ArrayList<>(List.of("-H", server.host()));
        argv.addAll(List.of(args));
        int rc = Main.run(argv.toArray(String[]::new), new PrintStream(out, false, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                Map.of("DOCKER_CONFIG", dir.resolve("dc").toString()), false);
        stdout = out.toString(StandardCharsets.UTF_8);
        stderr = err.toString(StandardCharsets.UTF_8);
        return rc;
    }

    private String lastRequest() { return URLDecoder.decode(server.requests.getLast(), StandardCharsets.UTF_8); }

    @Test void lsSortsByNameAndTruncatesIds() {
        assertThat(run("network", "ls")).isZero();
        assertThat(stdout).isEqualTo("""
                NETWORK ID     NAME      DRIVER    SCOPE
                a369f90b2677   bridge    bridge    local
                bbbbbbbbbbbb   host      host      local
                f1e2d3c4b5a6   n1        bridge    local
                """);
        assertThat(run("network", "ls", "-q", "--no-trunc")).isZero();
        assertThat(stdout).isEqualTo("a369f90b2677cc7f5a11e7117b8f775a5a06d97d4e3d6a037ef0a5130bb920ee\n" + "b".repeat(64) + "\n" + N1 + "\n");
        assertThat(run("network", "list", "-f", "name=n1", "--filter", "label=team", "--format", "{{.Name}}\t{{.Internal}}\t{{.Labels}}")).isZero();
        assertThat(lastRequest()).isEqualTo("GET /networks?filters={\"name\":{\"n1\":true},\"label\":{\"team\":true}}");
        assertThat(stdout).contains("n1\ttrue\tenv=dev,team=a\n"); // the canned daemon does not filter
        assertThat(run("network", "ls", "--format", "table {{.Name}}\t{{.IPv6}}")).isZero();
        assertThat(stdout.lines().findFirst()).contains("NAME      IPV6");
        assertThat(run("network", "ls", "extra")).isEqualTo(1);
        assertThat(stderr).contains("\"berth network ls\" accepts no arguments.");
    }

    @Test void createInspectRmPruneConnect() {
        assertThat(run("network", "create", "--subnet", "10.5.0.0/24", "--gateway", "10.5.0.1", "--internal", "n1")).isZero();
        assertThat(stdout).isEqualTo(N1 + "\n");
        assertThat(server.requests).contains("POST /networks/create");
        assertThat(run("network", "create")).isEqualTo(1);
        assertThat(stderr).contains("\"berth network create\" requires exactly 1 argument.");
        assertThat(run("network", "create", "--gateway", "10.0.0.1", "x")).isEqualTo(1);
        assertThat(stderr).isEqualTo("every ip-range or gateway must have a corresponding subnet\n");

        assertThat(run("network", "inspect", "n1")).isZero();
        assertThat(stdout).startsWith("[\n    {\n        \"Name\": \"n1\",\n        \"Id\": \"" + N1 + "\",");
        assertThat(run("network", "inspect", "-f", "{{.Name}} {{.Internal}} {{range .IPAM.Config}}{{.Gateway}}{{end}}", "n1", "bridge")).isZero();
        assertThat(stdout).isEqualTo("n1 true 10.5.0.1\nbridge false 172.17.0.1\n");
        assertThat(run("network", "inspect", "n1", "nosuch")).isEqualTo(1);
        assertThat(stdout).contains("\"Name\": \"n1\"");
        assertThat(stderr).isEqualTo("Error response from daemon: network nosuch not found\n");

        assertThat(run("network", "rm", "n1", "bridge", "nosuch")).isEqualTo(1);
        assertThat(stdout).isEqualTo("n1\n");
        assertThat(stderr).isEqualTo("Error response from daemon: bridge is a pre-defined network and cannot be removed\n"
                + "Error response from daemon: network nosuch not found\n");
        assertThat(run("network", "rm", "-f", "nosuch", "n1")).isZero();
        assertThat(stdout).isEqualTo("n1\n");

        assertThat(runIn("n\n", "network", "prune")).isEqualTo(1);
        assertThat(stdout).isEqualTo("WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ");
        assertThat(stderr).isEqualTo("network prune has been cancelled\n");
        assertThat(runIn("y\n", "network", "prune", "--filter", "label=x")).isZero();
        assertThat(stdout).endsWith("Deleted Networks:\nn2\nn3\n\n");
        assertThat(lastRequest()).isEqualTo("POST /networks/prune?filters={\"label\":{\"x=true\":true}}".replace("x=true", "x"));

        assertThat(run("network", "connect", "--alias", "a,b", "--ip", "10.5.0.9", "n1", "web")).isZero();
        assertThat(server.requests.getLast()).isEqualTo("POST /networks/n1/connect");
        assertThat(run("network", "disconnect", "-f", "n1", "web")).isZero();
        assertThat(server.requests.getLast()).isEqualTo("POST /networks/n1/disconnect");
        assertThat(run("network", "connect", "n1")).isEqualTo(1);
        assertThat(stderr).contains("\"berth network connect\" requires exactly 2 arguments.");
        assertThat(run("network", "frob")).isEqualTo(1);
        assertThat(stderr).contains("'frob' is not a berth network command");
        assertThat(run("network")).isZero();
        assertThat(stdout).contains("Manage networks");
    }

    @Test void portAndPsPortsAsDocker() {
        assertThat(run("port", "web")).isZero();
        assertThat(stdout).isEqualTo("80/tcp -> 0.0.0.0:18080\n80/tcp -> [::]:18080\n81/udp -> 127.0.0.1:32768\n");
        assertThat(run("container", "port", "web", "80")).isZero();
        assertThat(stdout).isEqualTo("0.0.0.0:18080\n[::]:18080\n");
        assertThat(run("port", "web", "81/udp")).isZero();
        assertThat(stdout).isEqualTo("127.0.0.1:32768\n");
        assertThat(run("port", "web", "90")).isEqualTo(1);
        assertThat(stderr).isEqualTo("Error: No public port '90' published for web\n");
        assertThat(run("port", "web", "http")).isEqualTo(1);
        assertThat(stderr).isEqualTo("Error: invalid port (http): strconv.ParseUint: parsing \"http\": invalid syntax\n");

        assertThat(run("ps", "--format", "{{.Ports}}|{{.Networks}}")).isZero();
        assertThat(stdout).isEqualTo("90/tcp, 0.0.0.0:18080->80/tcp, [::]:18080->80/tcp, 127.0.0.1:32768->81/udp|appnet,bridge\n");
        assertThat(run("ps")).isZero();
        assertThat(stdout.lines().toList().get(1)).contains("   90/tcp, 0.0.0.0:18080->80/tcp, [::]:18080->80/tcp, 127.0.0.1:32768->81/udp   web");
    }

    @Test void runRefusesBadPortsBeforeTalkingToTheDaemon() {
        assertThat(run("run", "-p", "8080:http", "busybox")).isEqualTo(1);
        assertThat(stderr).isEqualTo("invalid containerPort: http\n");
        assertThat(server.requests).doesNotContain("POST /containers/create");
        assertThat(run("create", "--add-host", "x", "busybox")).isEqualTo(1);
        assertThat(stderr).contains("bad format for add-host: \"x\"");
    }

    @Test void inspectFallsBackToNetworks() {
        assertThat(run("inspect", "-f", "{{.Name}} {{.Driver}}", "n1")).isZero();
        assertThat(stdout).isEqualTo("n1 bridge\n");
        assertThat(server.requests).contains("GET /containers/n1/json", "GET /images/n1/json", "GET /networks/n1");
        assertThat(run("inspect", "--type", "network", "-f", "{{.Id}}", "bridge")).isZero();
        assertThat(stdout).isEqualTo("a369f90b2677cc7f5a11e7117b8f775a5a06d97d4e3d6a037ef0a5130bb920ee\n");
        assertThat(run("inspect", "--type", "network", "nosuch")).isEqualTo(1);
        assertThat(stderr).isEqualTo("Error: No such network: nosuch\n");
    }
}
