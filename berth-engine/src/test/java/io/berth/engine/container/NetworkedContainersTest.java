package io.berth.engine.container;

import io.berth.api.BerthException;
import io.berth.api.container.ContainerDetails;
import io.berth.api.container.ContainerEngine;
import io.berth.api.container.ContainerListOptions;
import io.berth.api.container.ContainerSpec;
import io.berth.api.container.ContainerSummary;
import io.berth.api.container.HostSpec;
import io.berth.api.container.LogEntry;
import io.berth.api.container.LogOptions;
import io.berth.api.container.LogStream;
import io.berth.api.container.NetworkSpec;
import io.berth.api.container.PortBinding;
import io.berth.api.container.WaitCondition;
import io.berth.api.image.PullOptions;
import io.berth.api.network.EndpointSpec;
import io.berth.api.network.IpamConfig;
import io.berth.api.network.NetworkCreateSpec;
import io.berth.api.network.NetworkDetails;
import io.berth.api.network.NetworkEngine;
import io.berth.engine.Engine;
import io.berth.engine.EngineConfig;
import io.berth.engine.NativeEngine;
import io.berth.engine.network.NetworkConfig;
import io.berth.engine.registry.TestRegistry;
import io.berth.engine.snapshot.Mounter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Containers on real networks (netavark, aardvark-dns, iptables) through the container service, as
 * root. Each test uses its own engine root, a default bridge of its own name and subnets no other
 * network on this host uses; everything made (containers, networks, namespaces, a test namespace
 * standing in for the metadata service) is removed after each test, also when it fails, and the
 * removal itself is checked: no namespace file, no bridge, no lease, no egress rule is left.
 */
class NetworkedContainersTest {
    private static final String BRIDGE = "berthnt0";
    @TempDir static Path shared;
    static TestRegistry registry;
    static String image;

    Path root;
    Engine engine;
    ContainerEngine ctr;
    NetworkEngine nets;
    final List<Runnable> undo = new ArrayList<>();

    @BeforeAll
    static void pushBusybox() throws IOException {
        registry = TestRegistry.start(shared.resolve("registry"));
        image = ContainerServiceTest.pushBusyboxImage(registry);
    }

    @AfterAll
    static void stopRegistry() { registry.close(); }

    @BeforeEach
    void open() {
        root = Path.of("/tmp", "bn-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
        openEngine(false);
        engine.images().pull(PullOptions.of(image), e -> { });
    }

    void openEngine(boolean allowMetadata) {
        engine = NativeEngine.open(EngineConfig.defaults(root)
                .withNetwork(new NetworkConfig(BRIDGE, "172.29.7.1/24", "172.29.64.0/18", 24, allowMetadata, 2)));
        ctr = engine.containers();
        nets = engine.networks();
    }

    @AfterEach
    void cleanUp() throws IOException {
        List<String> removedNets = new ArrayList<>();
        try {
            for (ContainerSummary s : ctr.list(ContainerListOptions.ALL)) ctr.remove(s.id(), true, false);
            for (NetworkDetails n : nets.list(Map.of("type", List.of("custom")))) {
                removedNets.add(n.id());
                nets.remove(n.id());
            }
            assertThat(nets.inspect("bridge").containers()).as("leases on the default network").isEmpty();
        } finally {
            engine.close();
            for (Runnable r : undo.reversed()) r.run();
        }
        assertThat(Mounter.mountPointsUnder(root)).as("mounts (netns files) left under the engine root").isEmpty();
        assertThat(root.resolve("netns")).satisfiesAnyOf(p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyDirectory());
        assertThat(sh("ip", "link", "show", BRIDGE).code()).as("default bridge left").isNotZero();
        String rules = sh("iptables-save", "-t", "filter").out();
        for (String id : removedNets) assertThat(rules).as("egress rules of removed networks").doesNotContain("berth:" + id);
        assertThat(rules).as("this engine's egress chain and jump after a close with nothing running").doesNotContain(root.toString());
        try (var w = Files.walk(root)) {
            for (Path p : w.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    // ---- helpers

    static HostSpec mode(String network) {
        return new HostSpec(List.of(), List.of(), Map.of(), network, false, false, List.of(), List.of(), List.of(), false, null,
                List.of(), null, "no", 0, HostSpec.Resources.NONE, null, List.of(), Map.of(), null, null, null, null, null);
    }

    static NetworkSpec netSpec(Set<String> exposed, Map<String, List<PortBinding>> bindings, boolean all, Map<String, EndpointSpec> endpoints) {
        return new NetworkSpec(exposed, bindings, all, List.of(), List.of(), List.of(), List.of("static.example:10.9.8.7"), endpoints, null);
    }

    String run(String name, String network, NetworkSpec ns, String script) {
        ContainerSpec s = ContainerSpec.of(image, List.of("sh", "-c", script)).withName(name).withHost(mode(network)).withNetwork(ns);
        String id = ctr.create(s).id();
        ctr.start(id);
        return id;
    }

    int exitOf(String id) { return ctr.wait(id, WaitCondition.NOT_RUNNING).statusCode(); }

    String logs(String id) throws IOException {
        StringBuilder b = new StringBuilder();
        try (LogStream l = ctr.logs(id, LogOptions.ALL)) {
            for (LogEntry e; (e = l.next()) != null; ) b.append(new String(e.data(), StandardCharsets.UTF_8));
        }
        return b.toString();
    }

    record Out(int code, String out) {
    }

    static Out sh(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return new Out(p.exitValue(), out);
        } catch (IOException | InterruptedException e) {
            throw new RuntimeException(e);
        }
    }

    static String httpGet(int port, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                s.setSoTimeout(3000);
                OutputStream o = s.getOutputStream();
                o.write("GET /index.html HTTP/1.0\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                o.flush();
                InputStream in = s.getInputStream();
                String r = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                if (r.startsWith("HTTP/1")) return r;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) throw e;
            }
            if (System.nanoTime() > deadline) throw new IOException("no HTTP answer on 127.0.0.1:" + port);
            Thread.sleep(100);
        }
    }

    /** busybox-static's wget crashes on Debian 12 (even on the host), so HTTP goes through nc. */
    static String get(String host) { return "printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 5 " + host + " 80"; }

    static final String HTTPD = "mkdir -p /www && echo served-by-$HOSTNAME > /www/index.html && exec busybox httpd -f -p 80 -h /www";

    // ---- tests

    @Test
    void containersOnAUserNetworkReachEachOtherByNameAndAlias() throws Exception {
        nets.create(NetworkCreateSpec.named("nt-app"));
        String web = run("nt-web", "nt-app", netSpec(Set.of(), Map.of(), false, Map.of("nt-app", new EndpointSpec(List.of("api"), null, null, null))), HTTPD);
        ContainerDetails d = ctr.inspect(web);
        var ep = d.networkSettings().networks().get("nt-app");
        assertThat(ep.ipAddress()).startsWith("172.29.");
        assertThat(ep.gateway()).isEqualTo(nets.inspect("nt-app").ipam().getFirst().gateway());
        assertThat(ep.macAddress()).matches("([0-9a-f]{2}:){5}[0-9a-f]{2}");
        assertThat(d.networkSettings().sandboxKey()).isEqualTo(root.resolve("netns").resolve(web).toString());
        assertThat(nets.inspect("nt-app").containers()).containsKey(web);
        assertThat(((io.berth.engine.network.NetworkService) nets).observable(web)).as("a user network's DNS name must go before a removal answers").isTrue();

        String client = run("nt-client", "nt-app", netSpec(Set.of(), Map.of(), false, Map.of()),
                "busybox ping -c1 -W3 nt-web && busybox nslookup api && " + get("api") + " && cat /etc/hosts /etc/resolv.conf");
        assertThat(exitOf(client)).as(() -> { try { return logs(client); } catch (IOException e) { return e.toString(); } }).isZero();
        String out = logs(client);
        assertThat(out).contains("served-by-" + web.substring(0, 12));
        assertThat(out).contains("nameserver " + ep.gateway()); // aardvark on the gateway
        assertThat(out).contains("10.9.8.7\tstatic.example").contains("127.0.0.1\tlocalhost");
        assertThat(out).containsPattern("172\\.29\\.[0-9.]+\t" + client.substring(0, 12) + " nt-client");

        // connect a running container to a second network: it gets an interface there at once
        nets.create(new NetworkCreateSpec("nt-other", "bridge", false, false, false, List.of(new IpamConfig("172.29.99.0/24", null, null)),
                Map.of(), Map.of("purpose", "test"), true));
        nets.connect("nt-other", web, new EndpointSpec(List.of("web2"), "172.29.99.77", null, null));
        assertThat(ctr.inspect(web).networkSettings().networks().get("nt-other").ipAddress()).isEqualTo("172.29.99.77");
        String probe = run("nt-probe", "nt-other", NetworkSpec.NONE, get("web2"));
        assertThat(exitOf(probe)).isZero();
        assertThatThrownBy(() -> nets.remove("nt-other")).isInstanceOfSatisfying(BerthException.class,
                e -> assertThat(e.kind()).isEqualTo(BerthException.Kind.CONFLICT));
        nets.disconnect("nt-other", web, false);
        assertThat(ctr.inspect(web).networkSettings().networks()).doesNotContainKey("nt-other");
        assertThat(nets.list(Map.of("label", List.of("purpose=test")))).extracting(NetworkDetails::name).containsExactly("nt-other");
    }

    @Test
    void publishedPortsServeTheHostOnLoopbackAndDashPPicksFreePorts() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) { port = s.getLocalPort(); }
        String a = run("nt-pub", null, netSpec(Set.of("80/tcp"), Map.of("80/tcp", List.of(new PortBinding("", Integer.toString(port)))), false, Map.of()), HTTPD);
        assertThat(ctr.inspect(a).networkSettings().ports()).containsEntry("80/tcp", List.of(new PortBinding("0.0.0.0", Integer.toString(port))));
        assertThat(ctr.inspect(a).networkSettings().networks().get("bridge").ipAddress()).startsWith("172.29.7.");
        assertThat(httpGet(port, Duration.ofSeconds(10))).contains("served-by-" + a.substring(0, 12));
        io.berth.engine.network.NetworkService service = (io.berth.engine.network.NetworkService) nets;
        assertThat(service.observable(a)).as("published ports must be free before a removal answers").isTrue();
        String plain = run("nt-plain", "bridge", netSpec(Set.of(), Map.of(), false, Map.of()), "sleep 30");
        assertThat(service.observable(plain)).as("a plain default-bridge container may be torn down after the answer").isFalse();
        ctr.remove(plain, true, false);

        // the same host port again: refused, and the failed start leaves nothing behind
        String b = ctr.create(ContainerSpec.of(image, List.of("sleep", "30")).withHost(mode("bridge"))
                .withNetwork(netSpec(Set.of(), Map.of("80/tcp", List.of(new PortBinding("", Integer.toString(port)))), false, Map.of()))).id();
        assertThatThrownBy(() -> ctr.start(b)).isInstanceOfSatisfying(BerthException.class,
                e -> assertThat(e.getMessage()).contains("port is already allocated"));
        assertThat(root.resolve("netns").resolve(b)).doesNotExist();

        String c = run("nt-all", "bridge", netSpec(Set.of("80/tcp", "81/tcp"), Map.of(), true, Map.of()), HTTPD);
        var ports = ctr.inspect(c).networkSettings().ports();
        assertThat(ports).containsOnlyKeys("80/tcp", "81/tcp");
        int p80 = Integer.parseInt(ports.get("80/tcp").getFirst().hostPort());
        assertThat(p80).isPositive().isNotEqualTo(port).isNotEqualTo(Integer.parseInt(ports.get("81/tcp").getFirst().hostPort()));
        assertThat(httpGet(p80, Duration.ofSeconds(10))).contains("served-by-" + c.substring(0, 12));
        assertThat(((io.berth.engine.network.NetworkService) nets).portRules()).as("rules while published")
                .anyMatch(l -> l.contains("--dport " + p80 + " ") && l.contains("DNAT"));
        ctr.stop(c, 1, null);
        assertThat(((io.berth.engine.network.NetworkService) nets).portRules()).as("rules after stop")
                .noneMatch(l -> l.contains("berth:" + c.substring(0, 12)));
        assertThat(ctr.inspect(c).networkSettings().ports()).isEmpty();
        assertThat(ctr.inspect(c).networkSettings().sandboxKey()).isEmpty();
    }

    @Test
    void metadataAddressIsBlockedUnlessTheNetworkAllowsIt() throws Exception {
        String ns = "bnt-meta-" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        // A stand-in for the metadata service inside a test namespace on this host: 169.254.169.254 is
        // routed into it, and the route is checked before any packet is sent, so nothing leaves the machine.
        undo.add(() -> sh("ip", "netns", "del", ns));
        undo.add(() -> sh("ip", "link", "del", "bntm0"));
        undo.add(() -> sh("ip", "route", "del", "169.254.169.254/32", "dev", "bntm0"));
        for (String[] c : List.of(
                new String[]{"ip", "netns", "add", ns},
                new String[]{"ip", "link", "add", "bntm0", "type", "veth", "peer", "name", "bntm1", "netns", ns},
                new String[]{"ip", "addr", "add", "10.254.77.1/30", "dev", "bntm0"},
                new String[]{"ip", "link", "set", "bntm0", "up"},
                new String[]{"ip", "-n", ns, "addr", "add", "10.254.77.2/30", "dev", "bntm1"},
                new String[]{"ip", "-n", ns, "addr", "add", "169.254.169.254/32", "dev", "bntm1"},
                new String[]{"ip", "-n", ns, "link", "set", "bntm1", "up"},
                new String[]{"ip", "-n", ns, "link", "set", "lo", "up"},
                new String[]{"ip", "-n", ns, "route", "add", "default", "via", "10.254.77.1"},
                new String[]{"ip", "route", "add", "169.254.169.254/32", "via", "10.254.77.2", "dev", "bntm0"})) {
            Out o = sh(c);
            assertThat(o.code()).as(String.join(" ", c) + ": " + o.out()).isZero();
        }
        assertThat(sh("ip", "route", "get", "169.254.169.254").out()).contains("dev bntm0");
        Path www = Files.createDirectories(shared.resolve("meta-www"));
        Files.writeString(www.resolve("index.html"), "metadata-stand-in\n");
        Process listener = new ProcessBuilder("ip", "netns", "exec", ns, "busybox", "httpd", "-f", "-p", "169.254.169.254:80", "-h", www.toString())
                .redirectErrorStream(true).start();
        undo.add(listener::destroyForcibly); // undo runs last-added first: the listener dies before its namespace
        assertThat(sh("ip", "netns", "exec", ns, "sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do " + get("169.254.169.254") + " && exit 0; sleep 0.2; done; exit 1").code())
                .as("the stand-in listens").isZero();

        nets.create(NetworkCreateSpec.named("nt-blocked"));
        nets.create(new NetworkCreateSpec("nt-allowed", "bridge", false, false, false, List.of(),
                Map.of(NetworkConfig.ALLOW_METADATA_OPTION, "true"), Map.of(), true));
        String get = get("169.254.169.254");
        String blocked = run("nt-m1", "nt-blocked", NetworkSpec.NONE, get);
        String allowed = run("nt-m2", "nt-allowed", NetworkSpec.NONE, get);
        assertThat(exitOf(blocked)).as(() -> "metadata from a default network: " + safeLogs(blocked) + "\n" + sh("iptables", "-S", "FORWARD").out()
                + nets.inspect("nt-blocked")).isNotZero();
        assertThat(exitOf(allowed)).as(() -> "metadata from an allowing network: " + safeLogs(allowed)).isZero();
        assertThat(logs(allowed)).contains("metadata-stand-in");
        String bridgeBlocked = run("nt-m3", null, NetworkSpec.NONE, get);
        assertThat(exitOf(bridgeBlocked)).as("metadata from the default bridge").isNotZero();
        String chain = ((io.berth.engine.network.NetworkService) nets).egressChain();
        assertThat(sh("iptables", "-S", "FORWARD").out()).contains("-j " + chain);
        assertThat(sh("iptables", "-S", chain).out()).contains("169.254.169.254/32").contains("berth:" + nets.inspect("nt-blocked").id())
                .doesNotContain("berth:" + nets.inspect("nt-allowed").id());
    }

    private String safeLogs(String id) {
        try {
            return logs(id);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void internalNetworkHasNoRouteOutButMembersTalk() throws Exception {
        nets.create(new NetworkCreateSpec("nt-int", "bridge", true, false, false, List.of(), Map.of(), Map.of(), true));
        String srv = run("nt-isrv", "nt-int", NetworkSpec.NONE, HTTPD);
        String probe = run("nt-iprobe", "nt-int", NetworkSpec.NONE,
                "busybox ip route; busybox ip route | grep -q default && exit 3; busybox ip route get 192.0.2.1 && exit 4;"
                        + " " + get("nt-isrv"));
        assertThat(exitOf(probe)).as(() -> safeLogs(probe)).isZero();
        assertThat(logs(probe)).contains("served-by-" + srv.substring(0, 12));
        assertThat(sh("iptables", "-S", ((io.berth.engine.network.NetworkService) nets).egressChain()).out())
                .contains("berth:" + nets.inspect("nt-int").id());
    }

    @Test
    void noneIsPlainAndTeardownFollowsExitRemovalAndCrashes() throws Exception {
        String none = run("nt-none", "none", NetworkSpec.NONE, "busybox ip -o link | grep -v ' lo' && exit 1; cat /etc/hosts");
        assertThat(exitOf(none)).isZero();
        assertThat(logs(none)).contains("127.0.0.1\tlocalhost");
        assertThat(ctr.inspect(none).networkSettings().networks()).containsOnlyKeys("none");
        assertThat(ctr.inspect(none).networkSettings().networks().get("none").ipAddress()).isEmpty();
        assertThat(ctr.inspect(none).networkSettings().networks().get("none").networkId()).isEqualTo(nets.inspect("none").id());

        nets.create(NetworkCreateSpec.named("nt-life"));
        String quick = run("nt-quick", "nt-life", NetworkSpec.NONE, "true");
        assertThat(exitOf(quick)).isZero();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (Files.exists(root.resolve("netns").resolve(quick)) && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(root.resolve("netns").resolve(quick)).as("namespace after exit").doesNotExist();
        assertThat(nets.inspect("nt-life").containers()).isEmpty();
        ctr.start(quick); // a restart sets networking up again
        assertThat(exitOf(quick)).isZero();

        // crash recovery: the engine goes away while a networked container runs, the container dies,
        // the next engine start tears its networking down
        String victim = run("nt-victim", "nt-life", NetworkSpec.NONE, "sleep 300");
        String bridge = "br-" + nets.inspect("nt-life").id().substring(0, 12);
        assertThat(sh("ip", "link", "show", bridge).code()).isZero();
        int pid = ctr.inspect(victim).state().pid();
        engine.close();
        sh("kill", "-9", Integer.toString(pid));
        Thread.sleep(300);
        openEngine(false);
        assertThat(ctr.inspect(victim).state().running()).isFalse();
        assertThat(root.resolve("netns").resolve(victim)).doesNotExist();
        assertThat(nets.inspect("nt-life").containers()).isEmpty();
        assertThat(sh("ip", "link", "show", bridge).code()).as("bridge of a network without running members").isNotZero();
        ctr.remove(victim, true, false);
        ctr.remove(quick, true, false);
        nets.remove("nt-life");
        assertThat(sh("iptables", "-S", ((io.berth.engine.network.NetworkService) nets).egressChain()).out()).doesNotContain(bridge);
    }

    @Test
    void runAndRemoveCyclesLeakNoVethNamespaceLeaseOrBridge() throws Exception {
        io.berth.engine.network.NetworkService service = (io.berth.engine.network.NetworkService) nets;
        service.settle(); // the warm namespaces exist (and their veths count) before and after
        assertThat(service.warmCount()).as("warm namespaces on the default network").isEqualTo(2);
        String vethCount = sh("sh", "-c", "ip -o link show type veth | wc -l").out().strip();
        nets.create(NetworkCreateSpec.named("nt-cycle"));
        for (int i = 0; i < 4; i++) {
            for (String net : List.of("bridge", "nt-cycle")) {
                String id = run(null, net, netSpec(Set.of(), Map.of("80/tcp", List.of(new PortBinding("127.0.0.1", ""))), false, Map.of()), "true");
                assertThat(exitOf(id)).isZero();
                ctr.remove(id, true, false);
            }
        }
        service.settle();
        assertThat(sh("sh", "-c", "ip -o link show type veth | wc -l").out().strip()).as("veths").isEqualTo(vethCount);
        try (var names = Files.list(root.resolve("netns"))) {
            assertThat(names.map(p -> p.getFileName().toString()).toList()).as("namespace files: the warm ones only")
                    .hasSize(2).allMatch(n -> n.startsWith("warm-"));
        }
        assertThat(nets.inspect("nt-cycle").containers()).as("leases").isEmpty();
        assertThat(nets.inspect("bridge").containers()).as("leases").isEmpty();
        assertThat(sh("ip", "link", "show", "br-" + nets.inspect("nt-cycle").id().substring(0, 12)).code()).as("bridge").isNotZero();
        assertThat(((io.berth.engine.network.NetworkService) nets).portRules()).as("Berth's port forwarding rules").isEmpty();
        assertThat(sh("iptables-save", "-t", "nat").out()).as("netavark publishes nothing (ports are Berth's own chains)")
                .doesNotContain("dnat name: nt-cycle ").doesNotContain("dnat name: bridge ");
    }
}
