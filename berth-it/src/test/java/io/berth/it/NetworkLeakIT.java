package io.berth.it;

import io.berth.it.fixture.Berthd;
import io.berth.it.fixture.CommandResult;
import io.berth.it.fixture.Compression;
import io.berth.it.fixture.DockerCli;
import io.berth.it.fixture.Format;
import io.berth.it.fixture.HostTraces;
import io.berth.it.fixture.ImageBuilder;
import io.berth.it.fixture.LayerBuilder;
import io.berth.it.fixture.LogOnFailure;
import io.berth.it.fixture.Proc;
import io.berth.it.fixture.Pusher;
import io.berth.it.fixture.TempDirs;
import io.berth.it.fixture.TestRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 4's leak claim against the real berthd and the docker CLI: 200 {@code run --rm} cycles on
 * the default bridge and a user network, then a kill -9 of berthd with networked containers running
 * (and one exiting while no daemon runs) and a restart, leave no network namespace (file or nsfs
 * mount), veth, IP lease, iptables/ip6tables rule, bridge or aardvark name entry behind.
 *
 * <p>The daemon gets its own bridge ({@code berthnl0}) and subnets (10.232.0.0/16) through its
 * config, so other daemons on this shared host (berth0, 172.30.0.0/16) neither disturb nor are
 * disturbed by the comparison: every host trace is filtered to this daemon's bridges, subnets,
 * network and container ids. Traffic only goes to 127.0.0.1 and the containers' own subnets.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetworkLeakIT {
    @RegisterExtension
    static final LogOnFailure LOGS = new LogOnFailure();
    /** {@code -Dberth.it.netLeakCycles=N} for a longer soak; half on each network. */
    static final int CYCLES = Integer.getInteger("berth.it.netLeakCycles", 200);
    static final int PARALLEL = 4;
    static final String BRIDGE = "berthnl0";
    static final String PREFIX = "10.232.";
    static final String HTTPD = "mkdir -p /www && echo ok-from-berth > /www/index.html && exec httpd -f -p 8080 -h /www";
    static final String GET = "printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc -w 5 ";
    /** Blocks until the test opens the gate (after the kill), as in CrashIT. */
    static final String GATE = "while [ ! -e /gate/go ]; do sleep 0.05; done; ";

    static TestRegistry registry;
    static Berthd daemon;
    static DockerCli docker;
    static String image;
    static Path root;
    static Path scratch;
    /** every container id and name this test made, and the user networks (name, id), for filtering and clean-up */
    static final Set<String> containerKeys = java.util.concurrent.ConcurrentHashMap.newKeySet();
    static final Set<String> networkNames = java.util.concurrent.ConcurrentHashMap.newKeySet();
    static final Set<String> networkIds = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void up() throws IOException {
        scratch = TempDirs.create("netleak-");
        Path config = scratch.resolve("daemon.json");
        Files.writeString(config, """
                {"bip": "10.232.0.1/24", "bridge": "%s",
                 "default-address-pools": [{"base": "10.232.16.0/20", "size": 24}]}
                """.formatted(BRIDGE));
        registry = TestRegistry.open();
        LOGS.watch("registry", registry::logText);
        new Pusher(registry).push("it/busybox", "1",
                new ImageBuilder().format(Format.OCI).layer(LayerBuilder.busybox().build(Compression.GZIP), "busybox").cmd("sh").build());
        daemon = Berthd.builder().arg("--config", config.toString()).start();
        LOGS.watch("berthd", daemon::logText);
        docker = daemon.docker();
        root = daemon.root();
        image = registry.hostPort() + "/it/busybox:1";
        docker.ok("pull", image);
    }

    @AfterAll
    static void down() {
        try {
            // A failure between the kill and the restart: a daemon must run to tear the networking down.
            if (daemon != null && !daemon.isAlive()) daemon.restart();
            if (daemon != null && daemon.isAlive()) {
                for (String id : docker.run("ps", "-aq").lines()) docker.run("rm", "-f", id);
                for (String n : networkNames) docker.run("network", "rm", n);
            }
        } finally {
            if (root != null) HostTraces.reap(root);
            if (daemon != null) daemon.close(); // SIGTERM: the engine tears down what is left and drops its egress chain
            // Whatever still names this daemon's bridges: a failed run must not leave a bridge behind.
            for (String b : myBridges()) Proc.run("ip", "link", "del", b);
            if (registry != null) registry.close();
            TempDirs.deleteTree(scratch);
        }
    }

    @Test
    @Order(1)
    void runRmCyclesOnTheDefaultBridgeAndAUserNetworkLeaveNothing() throws Exception {
        String net = createNetwork("nl-cycles");
        // One cycle on each network first, so what the daemon creates once (bridges, aardvark) exists in "before".
        cycle(0, "bridge");
        cycle(1, net);
        NetTraces before = settled(null);
        assertThat(before.netns()).as("namespaces with nothing running").isEmpty();
        assertThat(before.leases()).as("leases with nothing running").isEmpty();
        assertThat(before.warm()).as("warm namespaces on the default network").isEqualTo(WARM);
        assertThat(before.rules()).as("port forwarding rules with nothing running").noneMatch(l -> l.contains("DNAT") || l.contains("dport"));

        Queue<String> ips = new ConcurrentLinkedQueue<>();
        AtomicInteger next = new AtomicInteger(2);
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(PARALLEL)) {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < PARALLEL; w++) {
                workers.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < CYCLES + 2; i = next.getAndIncrement())
                        ips.add(cycle(i, i % 2 == 0 ? "bridge" : net));
                    return null;
                }));
            }
            for (Future<?> f : workers) f.get();
        }
        System.err.printf("NetworkLeakIT: %d run --rm cycles in %d ms%n", CYCLES, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        assertThat(ips).hasSize(CYCLES).allMatch(ip -> ip.startsWith(PREFIX));
        assertThat(docker.ok("ps", "-aq").lines()).isEmpty();
        assertThat(docker.ok("network", "inspect", "-f", "{{len .Containers}}", net, "bridge").lines()).containsOnly("0");

        NetTraces after = settled(before);
        assertThat(after).as("network traces of %d removed containers", CYCLES).isEqualTo(before);

        String bridge = userBridge(net);
        docker.ok("network", "rm", net);
        networkNames.remove(net);
        NetTraces gone = settled(null);
        assertThat(gone.bridges()).as("bridges after network rm").doesNotContain(bridge);
        assertThat(gone.rules()).as("rules naming the removed network").noneMatch(l -> l.contains(bridge) || networkIds.stream().anyMatch(l::contains));
        assertThat(gone.aardvark()).as("aardvark files of the removed network").noneMatch(l -> l.startsWith("aardvark-dns/nl-cycles"));
    }

    @Test
    @Order(2)
    void killNineWithNetworkedContainersThenRestartKeepsTheRunningAndTearsDownTheRest() throws Exception {
        NetTraces baseline = settled(null);
        assertThat(baseline.rules()).as("port forwarding rules with nothing running").noneMatch(l -> l.contains("DNAT") || l.contains("dport"));
        String net = createNetwork("nl-crash");
        Path gate = scratch.resolve("gate");
        Files.createDirectories(gate);

        String web = run("nl-web", "-p", "127.0.0.1::8080", image, "sh", "-c", HTTPD);
        String db = run("nl-db", "--network", net, image, "sh", "-c", HTTPD);
        String client = run("nl-client", "--network", net, image, "sleep", "1000");
        String quit = run("nl-quit", "--network", net, "-p", "127.0.0.1::8080", "-v", gate + ":/gate", image, "sh", "-c", GATE + "exit 0");
        int webPort = hostPort("nl-web");
        int quitPort = hostPort("nl-quit");
        String quitIp = docker.ok("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + net + "\").IPAddress}}", "nl-quit").out();
        assertThat(quitIp).startsWith(PREFIX);
        await("the published port answers before the crash", () -> httpGet(webPort).contains("ok-from-berth"));
        await("the peer is reached by name before the crash", () -> reachesDb());
        String dbIp = docker.ok("inspect", "-f", "{{(index .NetworkSettings.Networks \"" + net + "\").IPAddress}}", "nl-db").out();
        docker.ok("exec", "nl-client", "sh", "-c", "echo " + dbIp + " > /tmp/db-ip");
        NetTraces running = NetTraces.take();
        assertThat(running.netns()).containsExactlyInAnyOrder(web, db, client, quit);
        assertThat(running.leases()).anyMatch(l -> l.contains(quit) && l.contains(quitIp));
        assertThat(running.rules()).anyMatch(l -> l.contains(quitIp));
        String bridge = userBridge(net);
        assertThat(running.bridgePorts()).filteredOn(p -> p.startsWith(bridge + " ")).hasSize(3);

        long oldPid = daemon.pid();
        daemon.kill9();
        System.err.println("NetworkLeakIT: berthd killed at " + java.time.Instant.now());
        Files.writeString(gate.resolve("go"), "");
        Path exit = root.resolve("run/exits").resolve(quit);
        await("nl-quit exits while the daemon is down", () -> Files.exists(exit));
        daemon.restart();
        System.err.println("NetworkLeakIT: berthd answers again at " + java.time.Instant.now());

        await("the published port answers after the restart", () -> httpGet(webPort).contains("ok-from-berth"));
        // Known weakness (docs/networking.md, "Not done"): aardvark-dns 1.4 sometimes answers nothing for
        // 20-30 s after netavark's reload signal (here: the recovery's teardown of nl-quit), while the path
        // by address works. The name must come back; the outage is printed, and 60 s keeps the test stable.
        long t1 = System.nanoTime();
        awaitOr("the peer is reached by name after the restart", NetworkLeakIT::reachesDb, NetworkLeakIT::nameDiagnostics, 60);
        System.err.printf("NetworkLeakIT: peer reached by name %d ms after the restart%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1));
        assertThat(docker.ok("inspect", "-f", "{{.State.Status}}", "nl-quit").out()).isEqualTo("exited");
        awaitOr("the exited container's networking is torn down", () -> {
            NetTraces t = NetTraces.take();
            // its endpoint row stays (the container still exists, as Docker keeps its network settings); lease and sandbox go
            return !t.netns().contains(quit) && t.leases().stream().noneMatch(l -> l.contains(quit) && !l.startsWith("endpoint "))
                    && t.rules().stream().noneMatch(l -> l.contains(quitIp) || l.contains(quit) || l.contains("dport " + quitPort + " "))
                    && t.bridgePorts().stream().filter(p -> p.startsWith(bridge + " ")).count() == 2;
        }, () -> "quit " + quit + " " + quitIp + ":" + quitPort + "\n" + NetTraces.take());
        NetTraces afterRestart = NetTraces.take();
        assertThat(afterRestart.netns()).containsExactlyInAnyOrder(web, db, client);
        assertThat(afterRestart.aardvark()).noneMatch(l -> l.contains(quit) || l.contains("nl-quit"));
        // A new container can take the freed address and port again: the lease really is free.
        assertThat(docker.ok("run", "--rm", "--network", net, "--ip", quitIp, image, "true").exitCode()).isZero();

        for (String id : List.of(web, db, client, quit)) docker.ok("rm", "-f", id);
        docker.ok("network", "rm", net);
        networkNames.remove(net);
        NetTraces end = settled(baseline);
        assertThat(end).as("network traces after removing everything (old daemon %d)", oldPid).isEqualTo(baseline);
        assertThat(end.bridges()).doesNotContain(bridge);
    }

    // ---- what the host holds ---------------------------------------------------------------------------

    /**
     * This daemon's network traces as sorted strings: namespace files under ROOT/netns and nsfs mounts
     * under the root; ports (veths) of its bridges; which of its bridges exist; lease, sandbox and
     * endpoint rows of its database; iptables/ip6tables lines naming its subnets, bridges, networks or
     * containers; lines of aardvark's files naming its containers; aardvark processes of its root.
     */
    record NetTraces(List<String> netns, List<String> nsfsMounts, List<String> bridgePorts, List<String> bridges,
                     List<String> leases, List<String> rules, List<String> aardvark, List<String> aardvarkProcesses, int warm) {
        static NetTraces take() {
            // The daemon keeps namespaces set up ahead of time on its default network ("warm-" IDs, see
            // docs/networking.md); they come and go with claims, so they are counted, not listed.
            List<String> netns = new ArrayList<>();
            List<Path> warm = new ArrayList<>();
            try (Stream<Path> s = Files.isDirectory(root.resolve("netns")) ? Files.list(root.resolve("netns")) : Stream.empty()) {
                s.forEach(p -> {
                    if (p.getFileName().toString().startsWith("warm-")) warm.add(p);
                    else netns.add(p.getFileName().toString());
                });
            } catch (IOException e) {
                netns.add("unreadable: " + e);
            }
            Set<String> warmVeths = warmVeths(warm);
            List<String> nsfs = new ArrayList<>();
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                    String[] f = line.split(" ");
                    int dash = List.of(f).indexOf("-");
                    if (dash > 0 && f[dash + 1].equals("nsfs") && f[4].startsWith(root.toString()) && !f[4].contains("/warm-")) nsfs.add(f[4]);
                }
            } catch (IOException e) {
                nsfs.add("unreadable: " + e);
            }
            List<String> mine = myBridges();
            List<String> ports = new ArrayList<>();
            for (String b : mine) {
                for (String l : Proc.run("ip", "-o", "link", "show", "master", b).stdout().lines().toList()) {
                    String[] f = l.split(": ");
                    if (f.length > 1 && !warmVeths.contains(f[1].replaceAll("@.*", ""))) ports.add(b + " " + f[1].replaceAll("@.*", ""));
                }
            }
            List<String> rules = new ArrayList<>();
            Set<String> keys = new TreeSet<>(containerKeys);
            keys.addAll(networkIds);
            for (String id : networkIds) keys.add("br-" + id.substring(0, 12));
            keys.add(BRIDGE);
            keys.add(PREFIX);
            for (String tool : List.of("iptables-save", "ip6tables-save")) {
                for (String l : Proc.run(tool).stdout().lines().toList()) {
                    if (l.startsWith("#")) continue;
                    if (keys.stream().anyMatch(l::contains)) rules.add(tool + ": " + l);
                }
            }
            List<String> aardvark = new ArrayList<>();
            Path av = root.resolve("netavark");
            if (Files.isDirectory(av)) {
                try (Stream<Path> s = Files.walk(av)) {
                    for (Path p : s.filter(Files::isRegularFile).toList()) {
                        List<String> lines;
                        try {
                            lines = Files.readAllLines(p);
                        } catch (IOException e) {
                            continue; // rewritten meanwhile
                        }
                        for (String l : lines)
                            if (containerKeys.stream().anyMatch(l::contains)) aardvark.add(av.relativize(p) + ": " + l);
                    }
                } catch (IOException | java.io.UncheckedIOException e) {
                    aardvark.add("unreadable: " + e);
                }
            }
            List<String> procs = ProcessHandle.allProcesses()
                    .filter(ph -> ph.info().commandLine().map(c -> c.contains("aardvark") && c.contains(root.toString())).orElse(false))
                    .map(ph -> "aardvark-dns").toList();
            return new NetTraces(sorted(netns), sorted(nsfs), sorted(ports), sorted(mine), readLeases(), sorted(rules), sorted(aardvark), procs,
                    warm.size());
        }

        /** The host ends of the warm namespaces' eth0 (its "eth0@ifN" names the peer's index N). */
        static Set<String> warmVeths(List<Path> warm) {
            Set<String> indexes = new TreeSet<>();
            for (Path w : warm) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("eth0@if(\\d+)")
                        .matcher(Proc.run("nsenter", "--net=" + w, "ip", "-o", "link", "show", "eth0").stdout());
                if (m.find()) indexes.add(m.group(1));
            }
            Set<String> out = new TreeSet<>();
            for (String l : Proc.run("ip", "-o", "link", "show", "type", "veth").stdout().lines().toList()) {
                String[] f = l.split(": ");
                if (f.length > 1 && indexes.contains(f[0].strip())) out.add(f[1].replaceAll("@.*", ""));
            }
            return out;
        }

        static List<String> readLeases() {
            List<String> out = new ArrayList<>();
            Path db = root.resolve("metadata.db");
            if (!Files.exists(db)) return out;
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro");
                 Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT container_id, network_id, ip, ifname FROM network_attachments")) {
                    while (rs.next()) {
                        if (!rs.getString(1).startsWith("warm-"))
                            out.add("lease " + rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4));
                    }
                }
                try (ResultSet rs = st.executeQuery("SELECT container_id, netns, ports FROM network_sandboxes")) {
                    while (rs.next()) out.add("sandbox " + rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3));
                }
                try (ResultSet rs = st.executeQuery("SELECT container_id, network_id FROM network_endpoints")) {
                    while (rs.next()) out.add("endpoint " + rs.getString(1) + " " + rs.getString(2));
                }
            } catch (SQLException e) {
                out.add("db unreadable: " + e.getMessage());
            }
            return sorted(out);
        }
    }

    /** The existing Linux bridges that belong to this daemon: its default bridge and br-ID of its networks. */
    static List<String> myBridges() {
        Set<String> mine = new TreeSet<>();
        mine.add(BRIDGE);
        for (String id : networkIds) mine.add("br-" + id.substring(0, 12));
        List<String> out = new ArrayList<>();
        for (String l : Proc.run("ip", "-o", "link", "show", "type", "bridge").stdout().lines().toList()) {
            String[] f = l.split(": ");
            if (f.length > 1 && mine.contains(f[1])) out.add(f[1]);
        }
        return out;
    }

    /**
     * The traces once they stop changing towards {@code expected} (or, without one, once two
     * snapshots agree): teardown of the last {@code --rm} container may still be under way.
     */
    /** daemon.json's warm-netns default: the daemon keeps this many namespaces ready on its default network */
    static final int WARM = 4;

    private static NetTraces settled(NetTraces expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        NetTraces t = NetTraces.take();
        while (System.nanoTime() < deadline) {
            Thread.sleep(300);
            NetTraces again = NetTraces.take();
            if (expected != null ? again.equals(expected) : again.equals(t) && again.warm() == WARM) return again;
            t = again;
        }
        return t;
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    /** One {@code run --rm} on {@code network}, every 10th with a published port; returns the container's address. */
    private static String cycle(int i, String network) throws IOException {
        String name = "nl-c" + i;
        containerKeys.add(name);
        Path cid = scratch.resolve("cid-" + i);
        List<String> args = new ArrayList<>(List.of("run", "--rm", "--name", name, "--cidfile", cid.toString(), "--network", network));
        if (i % 10 < 2) args.addAll(List.of("-p", "127.0.0.1::8080"));
        args.addAll(List.of(image, "sh", "-c", "ip -o -4 addr show eth0"));
        CommandResult r = docker.run(args.toArray(String[]::new));
        if (Files.exists(cid)) containerKeys.add(Files.readString(cid).trim());
        assertThat(r.exitCode()).as("cycle %d on %s: %s", i, network, r).isZero();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/").matcher(r.stdout());
        assertThat(m.find()).as("eth0 address in cycle %d: %s", i, r).isTrue();
        return m.group(1);
    }

    private static String createNetwork(String name) {
        networkNames.add(name);
        String id = docker.ok("network", "create", name).out();
        assertThat(id).matches("[0-9a-f]{64}");
        networkIds.add(id);
        assertThat(docker.ok("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}}{{end}}", name).out()).startsWith(PREFIX);
        return name;
    }

    private static String userBridge(String net) {
        return "br-" + docker.ok("network", "inspect", "-f", "{{.Id}}", net).out().substring(0, 12);
    }

    private static String run(String name, String... args) {
        containerKeys.add(name);
        List<String> a = new ArrayList<>(List.of("run", "-d", "--name", name));
        a.addAll(List.of(args));
        String id = docker.ok(a.toArray(String[]::new)).out();
        containerKeys.add(id);
        return id;
    }

    private static int hostPort(String name) {
        String p = docker.ok("port", name, "8080").lines().getFirst();
        assertThat(p).startsWith("127.0.0.1:");
        return Integer.parseInt(p.substring(p.lastIndexOf(':') + 1));
    }

    /** the last failed attempt of {@link #reachesDb}, for the failure message */
    static volatile String lastReach = "";

    private static boolean reachesDb() {
        CommandResult r = docker.run("exec", "nl-client", "sh", "-c", GET + "nl-db 8080");
        boolean ok = r.stdout().contains("ok-from-berth");
        if (!ok) {
            lastReach = java.time.Instant.now() + " " + r;
            System.err.println("NetworkLeakIT: not reached: " + lastReach);
            System.err.println("NetworkLeakIT: by address: " + docker.run("exec", "nl-client", "sh", "-c",
                    "date; nslookup nl-db; date; " + GET + "$(cat /tmp/db-ip) 8080; date"));
        }
        return ok;
    }

    /** A plain HTTP/1.0 GET to 127.0.0.1:port; "" on any failure (the caller polls). */
    private static String httpGet(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(3000);
            OutputStream out = s.getOutputStream();
            out.write("GET /index.html HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    private static List<String> sorted(Collection<String> l) {
        return l.stream().sorted().toList();
    }

    /** What the client sees of name resolution and the host of aardvark, for a failure message. */
    private static String nameDiagnostics() {
        StringBuilder b = new StringBuilder("last attempt: " + lastReach + "\nnow: " + java.time.Instant.now() + "\n");
        b.append(docker.run("exec", "nl-client", "sh", "-c",
                "cat /etc/resolv.conf; nslookup nl-db; ip -o -4 addr; ip route; " + GET + "nl-db 8080; echo rc=$?")).append('\n');
        try (Stream<Path> s = Files.walk(root.resolve("netavark"))) {
            for (Path p : s.filter(Files::isRegularFile).toList()) b.append(p).append(":\n").append(Files.readString(p)).append('\n');
        } catch (IOException e) {
            b.append(e).append('\n');
        }
        ProcessHandle.allProcesses().forEach(ph -> ph.info().commandLine().filter(c -> c.contains("aardvark"))
                .ifPresent(c -> b.append(ph.pid()).append(' ').append(c).append('\n')));
        b.append(Proc.run("ss", "-ulnp").stdout());
        return b.toString();
    }

    private static void awaitOr(String what, Supplier<Boolean> cond, Supplier<String> diagnostics) {
        awaitOr(what, cond, diagnostics, 30);
    }

    private static void awaitOr(String what, Supplier<Boolean> cond, Supplier<String> diagnostics, int seconds) {
        try {
            await(what, cond, seconds);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + diagnostics.get(), e);
        }
    }

    /** Polls {@code cond} for up to 30 s (the machine may be slow); fails naming {@code what}. */
    private static void await(String what, Supplier<Boolean> cond) {
        await(what, cond, 30);
    }

    private static void await(String what, Supplier<Boolean> cond, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!cond.get()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting until " + what);
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what);
            }
        }
    }
}
