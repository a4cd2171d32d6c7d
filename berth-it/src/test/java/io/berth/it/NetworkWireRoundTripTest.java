package io.berth.it;

import io.berth.api.BerthException;
import io.berth.api.container.ContainerDetails;
import io.berth.api.container.ContainerEngine;
import io.berth.api.container.ContainerSpec;
import io.berth.api.container.ContainerState;
import io.berth.api.container.ContainerSummary;
import io.berth.api.container.CreateReport;
import io.berth.api.container.EndpointState;
import io.berth.api.container.NetworkSettings;
import io.berth.api.container.NetworkSpec;
import io.berth.api.container.PortBinding;
import io.berth.api.image.ImageEngine;
import io.berth.api.network.EndpointSpec;
import io.berth.api.network.IpamConfig;
import io.berth.api.network.NetworkCreateReport;
import io.berth.api.network.NetworkCreateSpec;
import io.berth.api.network.NetworkDetails;
import io.berth.api.network.NetworkEndpoint;
import io.berth.api.network.NetworkEngine;
import io.berth.api.system.SystemEngine;
import io.berth.api.volume.VolumeEngine;
import io.berth.client.BerthClient;
import io.berth.client.NetworkClient;
import io.berth.server.BerthServer;
import io.berth.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Berth's networking records through the whole wire and back: BerthClient's JSON → BerthServer's
 * parsing → an in-memory engine, and the engine's answers → the server's Docker JSON → the
 * client's records. What goes in must come out unchanged, so neither side can drift alone.
 */
class NetworkWireRoundTripTest {
    @TempDir static Path tmp;
    static BerthServer.Handle server;
    static BerthClient client;
    static final Map<String, NetworkDetails> networks = new LinkedHashMap<>();
    static final List<String> calls = new ArrayList<>();
    static volatile ContainerSpec created;
    static volatile NetworkSettings reported;

    static final class Networks implements NetworkEngine {
        @Override public synchronized NetworkCreateReport create(NetworkCreateSpec s) {
            calls.add("create " + s);
            String id = "%064x".formatted(networks.size() + 1);
            networks.put(s.name(), new NetworkDetails(id, s.name(), Instant.parse("2026-11-23T14:00:00.5Z"), "local", s.driver(), s.enableIPv6(),
                    s.ipam(), s.internal(), s.attachable(), Map.of("c".repeat(64), new NetworkEndpoint("web", "e".repeat(64), "02:42:0a:05:00:07",
                    "10.5.0.7/24", "")), s.options(), s.labels()));
            return new NetworkCreateReport(id, "");
        }
        @Override public synchronized List<NetworkDetails> list(Map<String, List<String>> filters) {
            calls.add("list " + filters);
            return List.copyOf(networks.values());
        }
        @Override public synchronized NetworkDetails inspect(String ref) {
            NetworkDetails d = networks.get(ref);
            if (d == null) throw BerthException.notFound("network %s not found", ref);
            return d;
        }
        @Override public synchronized void remove(String ref) { inspect(ref); networks.remove(ref); calls.add("remove " + ref); }
        @Override public synchronized List<String> prune(Map<String, List<String>> filters) { calls.add("prune " + filters); return List.of("old"); }
        @Override public void connect(String network, String container, EndpointSpec endpoint) { calls.add("connect " + network + " " + container + " " + endpoint); }
        @Override public void disconnect(String network, String container, boolean force) { calls.add("disconnect " + network + " " + container + " " + force); }
    }

    @BeforeAll static void start() throws Exception {
        ContainerEngine containers = (ContainerEngine) Proxy.newProxyInstance(ContainerEngine.class.getClassLoader(),
                new Class<?>[]{ContainerEngine.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "create" -> { created = (ContainerSpec) args[0]; yield new CreateReport("d".repeat(64), List.of()); }
                    case "inspect" -> new ContainerDetails("d".repeat(64), "web", Instant.parse("2026-11-23T14:00:00Z"), "sha256:" + "b".repeat(64),
                            created.image(), "sh", List.of(), new ContainerState(ContainerState.Status.RUNNING, 7, 0, null, false,
                            Instant.parse("2026-11-23T14:00:01Z"), null, 0), created, List.of(), null, null, "/r", "/l", Map.of(), List.of(),
                            "overlay", reported, List.of());
                    case "list" -> List.of(new ContainerSummary("d".repeat(64), List.of("/web"), "busybox", "sha256:aa", "sh",
                            Instant.parse("2026-11-23T14:00:00Z"), ContainerState.Status.RUNNING, "Up 1 second", Map.of(), reported, List.of()));
                    default -> throw BerthException.unavailable("not in this test: %s", m.getName());
                });
        Path sock = tmp.resolve("b.sock");
        server = new BerthServer(ServerConfig.of(sock, "0.1.0-test"), unavailable(ImageEngine.class), unavailable(SystemEngine.class),
                containers, new Networks(), unavailable(VolumeEngine.class)).start();
        client = new BerthClient("unix://" + sock, r -> null);
    }

    static <T> T unavailable(Class<T> c) { return io.berth.api.Unavailable.of(c, "not in this test"); }

    @AfterAll static void stop() { if (server != null) server.close(); }

    @Test void networkVerbsRoundTrip() {
        NetworkClient n = client.networks();
        var spec = new NetworkCreateSpec("appnet", "bridge", true, true, false,
                List.of(new IpamConfig("10.5.0.0/24", "10.5.0.128/25", "10.5.0.1")), Map.of("com.docker.network.driver.mtu", "1400"),
                Map.of("team", "a"), true);
        var rep = n.create(spec);
        assertThat(calls.getLast()).isEqualTo("create " + spec);
        NetworkDetails back = n.inspect("appnet");
        assertThat(back).isEqualTo(networks.get("appnet"));
        assertThat(back.id()).isEqualTo(rep.id());
        assertThat(n.list(Map.of("label", List.of("team=a")))).containsExactly(back);
        assertThat(calls.getLast()).isEqualTo("list {label=[team=a]}");
        n.connect("appnet", "web", new EndpointSpec(List.of("www", "api"), "10.5.0.9", "fd00::9", "02:00:00:00:00:09"));
        assertThat(calls.getLast()).isEqualTo("connect appnet web " + new EndpointSpec(List.of("www", "api"), "10.5.0.9", "fd00::9", "02:00:00:00:00:09"));
        n.connect("appnet", "db", EndpointSpec.DEFAULT);
        assertThat(calls.getLast()).isEqualTo("connect appnet db " + EndpointSpec.DEFAULT);
        n.disconnect("appnet", "web", true);
        assertThat(calls.getLast()).isEqualTo("disconnect appnet web true");
        assertThat(n.prune(Map.of("until", List.of("24h")))).containsExactly("old");
        n.remove("appnet");
        assertThatThrownBy(() -> n.inspect("appnet")).isInstanceOfSatisfying(BerthException.class, e -> {
            assertThat(e.kind()).isEqualTo(BerthException.Kind.NOT_FOUND);
            assertThat(e.getMessage()).isEqualTo("network appnet not found");
        });
    }

    @Test void containerNetworkingRoundTrip() {
        var asked = new NetworkSpec(Set.of("90/tcp", "80/tcp", "53/udp"), Map.of("80/tcp", List.of(new PortBinding("", "18080"),
                new PortBinding("127.0.0.1", "18081")), "53/udp", List.of(new PortBinding("::1", ""))), true, List.of("1.1.1.1"),
                List.of("corp"), List.of("ndots:2"), List.of("db:10.0.0.5", "gw:host-gateway"),
                Map.of("appnet", new EndpointSpec(List.of("web"), "10.5.0.7", null, "02:00:00:00:00:07")), "02:00:00:00:00:07");
        ContainerSpec spec = ContainerSpec.of("busybox", List.of("sleep", "1")).withName("web").withNetwork(asked);
        client.containers().create(spec, false);
        assertThat(created.network()).isEqualTo(asked);

        var ports = new LinkedHashMap<String, List<PortBinding>>();
        ports.put("53/udp", List.of(new PortBinding("::1", "32768")));
        ports.put("80/tcp", List.of(new PortBinding("0.0.0.0", "18080"), new PortBinding("::", "18080"), new PortBinding("127.0.0.1", "18081")));
        ports.put("90/tcp", List.of());
        reported = new NetworkSettings("/run/berth/netns/dddddddddddd", ports, Map.of(
                "appnet", new EndpointState("n".repeat(64), "e".repeat(64), "10.5.0.1", "10.5.0.7", 24, "02:00:00:00:00:07",
                        List.of("web", "dddddddddddd"), "", "", 0),
                "bridge", new EndpointState("a".repeat(64), "f".repeat(64), "172.17.0.1", "172.17.0.2", 16, "02:42:ac:11:00:02",
                        List.of(), "", "", 0)));
        ContainerDetails d = client.containers().inspect("web");
        assertThat(d.networkSettings()).isEqualTo(reported);
        assertThat(d.spec().network().exposedPorts()).isEqualTo(asked.exposedPorts());
        assertThat(d.spec().network().portBindings()).isEqualTo(asked.portBindings());
        assertThat(d.spec().network().dns()).isEqualTo(asked.dns());
        assertThat(d.spec().network().extraHosts()).isEqualTo(asked.extraHosts());
        assertThat(d.spec().network().macAddress()).isEqualTo(asked.macAddress());
        assertThat(d.spec().network().endpoints().get("appnet").ipv4Address()).isEqualTo("10.5.0.7");

        ContainerSummary s = client.containers().list(new io.berth.api.container.ContainerListOptions(true, -1, Map.of())).getFirst();
        assertThat(s.networkSettings().ports()).isEqualTo(ports);
        assertThat(s.networkSettings().networks()).isEqualTo(reported.networks());
    }
}
