package io.berth.engine.network;

import io.berth.api.BerthException;
import io.berth.api.container.ContainerSpec;
import io.berth.api.container.EndpointState;
import io.berth.api.container.NetworkSettings;
import io.berth.api.container.NetworkSpec;
import io.berth.api.container.PortBinding;
import io.berth.api.network.EndpointSpec;
import io.berth.api.network.IpamConfig;
import io.berth.api.network.NetworkCreateReport;
import io.berth.api.network.NetworkCreateSpec;
import io.berth.api.network.NetworkDetails;
import io.berth.api.network.NetworkEndpoint;
import io.berth.api.network.NetworkEngine;
import io.berth.engine.network.NetworkStore.Attachment;
import io.berth.engine.network.NetworkStore.Endpoint;
import io.berth.engine.network.NetworkStore.NetworkRecord;
import io.berth.engine.network.NetworkStore.Sandbox;
import io.berth.engine.oci.ContainerConfig;
import io.berth.engine.store.Database;
import io.berth.spec.image.ImageConfig;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;

/**
 * The native {@link NetworkEngine} and the container service's {@link ContainerNetworking}.
 *
 * <p>Berth owns the model: networks, endpoints and IP leases are rows in the metadata database
 * ({@link NetworkStore}), addresses are allocated here (lowest free address of the subnet or
 * ip-range; the gateway is the subnet's first address unless given), subnets for new networks come
 * from the configured pool avoiding every existing network and host route. The kernel side goes
 * through {@link NetworkBackend} (netavark), the namespaces through {@link Netns}, the egress
 * isolation through {@link Egress}.
 *
 * <p>Predefined networks, as Docker: "bridge" (the default, Linux bridge {@link NetworkConfig#bridgeName()},
 * subnet from {@link NetworkConfig#bip()}, no name resolution between containers), "host" and "none".
 * User-defined bridge networks run aardvark-dns on their gateway so members resolve each other's
 * names and aliases.
 *
 * <p>Locking: one lock per container for its setup/teardown/connect; {@link #netLock} for network
 * create/remove and address allocation.
 */
public final class NetworkService implements NetworkEngine, ContainerNetworking {
    private static final System.Logger LOG = System.getLogger(NetworkService.class.getName());
    private static final Set<String> BUILTIN = Set.of("bridge", "host", "none");
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final NetworkStore store;
    private final NetworkBackend backend;
    private final Netns netns;
    private final Egress egress;
    private final PortForwarder forwarder;
    private final NetworkConfig config;
    private final Path filesDir;
    private final Object netLock = new Object();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    /** What {@link #configure} applies, per container set up since this service started. */
    private final Map<String, Prepared> prepared = new ConcurrentHashMap<>();
    private volatile ContainerDirectory containers = ref -> { throw BerthException.notFound("No such container: %s", ref); };

    /*
     * Ahead of time and in the background (NamespaceReserve): up to config.warmNamespaces() namespaces
     * are set up on the default network ahead of demand ("warm-" keys) and a container there takes one
     * (a bind mount and one transaction), never reused; a container's teardown hands its namespace and
     * leases to a "gone-" key and returns, and the reserve tears those down in order. Ports go at once
     * (they are Berth's own rules). Both kinds are ordinary attachment rows and namespace files, so a
     * crash leaves nothing that the next start's recover() does not tear down (neither runs a container).
     */
    static final String WARM = "warm-", GONE = "gone-";

    /** A warm or gone key: attachments and namespaces that belong to no container. */
    static boolean reserved(String key) { return key.startsWith(WARM) || key.startsWith(GONE); }
    private final NamespaceReserve reserve;
    /** Port publishing started by setUp, joined by awaitReady (it overlaps the runtime's create). */
    private final Map<String, CompletableFuture<Void>> portsReady = new ConcurrentHashMap<>();

    /** The namespace to run in (kind: "none", "host", "path") and where the resolver files are. */
    private record Prepared(String kind, String netnsPath, Path files) {
    }

    private NetworkService(Database db, Path root, NetworkConfig config, NetworkBackend backend) {
        this.store = new NetworkStore(db);
        this.backend = backend;
        this.netns = new Netns(root.resolve("netns"));
        this.filesDir = root.resolve("network").resolve("containers");
        this.config = config;
        String r = root.toAbsolutePath().normalize().toString();
        String tag = endpointId(r, "egress").substring(0, 8);
        this.egress = new Egress(tag, r);
        this.forwarder = new PortForwarder(tag);
        this.reserve = new NamespaceReserve(config.warmNamespaces(), new NamespaceReserve.Plumbing() {
            @Override public String makeWarm() { return NetworkService.this.makeWarm(); }

            @Override public void tearDownNow(String key) {
                NetworkService.this.tearDownNow(key);
                locks.remove(key);
            }
        });
    }

    /**
     * Opens the service on an engine root ({@code ROOT/netns} for namespaces, {@code ROOT/network} for
     * resolver files), making the predefined networks exist and Berth's egress rules match the records.
     */
    public static NetworkService open(Database db, Path root, NetworkConfig config, NetworkBackend backend) {
        NetworkService s = new NetworkService(db, root, config, backend);
        s.predefined();
        return s;
    }

    /** The default backend on an engine root: netavark with its aardvark files under {@code ROOT/netavark}. */
    public static NetworkBackend netavark(Path root) {
        return new NetavarkBackend(NetavarkBackend.NETAVARK, NetavarkBackend.AARDVARK, root.resolve("netavark"));
    }

    /** Lets {@link #connect}, {@link #disconnect} and {@code container:REF} find containers. */
    public void useContainers(ContainerDirectory d) { this.containers = d; }

    private void predefined() {
        Ipam.Cidr bip = Ipam.Cidr.parse(config.bip());
        String gateway = config.bip().split("/")[0];
        if (Ipam.addr(gateway) == bip.base()) gateway = Ipam.str(bip.base() + 1);
        Map<String, String> opts = new TreeMap<>(Map.of("com.docker.network.bridge.default_bridge", "true",
                "com.docker.network.bridge.name", config.bridgeName(), "com.docker.network.bridge.enable_ip_masquerade", "true"));
        synchronized (netLock) {
            NetworkRecord bridge = byName("bridge");
            if (bridge == null) {
                store.put(new NetworkRecord(newId(), "bridge", "bridge", config.bridgeName(), bip.toString(), gateway, null, false, false,
                        opts, Map.of(), Instant.now()));
            } else if (!bip.toString().equals(bridge.subnet()) || !config.bridgeName().equals(bridge.bridge())) {
                // warm and gone attachments never run a container (recover tears them down with their own request)
                if (store.attachments("network_id", bridge.id()).stream().allMatch(a -> reserved(a.containerId()))) {
                    store.put(new NetworkRecord(bridge.id(), "bridge", "bridge", config.bridgeName(), bip.toString(), gateway, null, false,
                            false, opts, Map.of(), bridge.created()));
                } else {
                    LOG.log(System.Logger.Level.WARNING, "default network: keeping " + bridge.subnet() + " on " + bridge.bridge()
                            + " while containers use it (configured: " + config.bip() + " on " + config.bridgeName() + ")");
                }
            }
            if (byName("host") == null) store.put(new NetworkRecord(newId(), "host", "host", null, null, null, null, false, false, Map.of(), Map.of(), Instant.now()));
            if (byName("none") == null) store.put(new NetworkRecord(newId(), "none", "null", null, null, null, null, false, false, Map.of(), Map.of(), Instant.now()));
        }
    }

    // ---- NetworkEngine ------------------------------------------------------------------------------

    @Override
    public NetworkCreateReport create(NetworkCreateSpec spec) {
        if (spec == null || spec.name() == null || spec.name().isEmpty()) throw BerthException.invalid("creating network: a name is required");
        if (!NAME.matcher(spec.name()).matches())
            throw BerthException.invalid("creating network %s: invalid name, only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", spec.name());
        String driver = spec.driver() == null || spec.driver().isEmpty() ? "bridge" : spec.driver();
        if (!driver.equals("bridge")) throw BerthException.invalid("creating network %s: driver %s is not supported (only bridge)", spec.name(), driver);
        if (spec.enableIPv6()) throw BerthException.invalid("creating network %s: IPv6 networks are not supported yet", spec.name());
        Map<String, String> options = spec.options() == null ? Map.of() : spec.options();
        List<IpamConfig> ipam = spec.ipam() == null ? List.of() : spec.ipam().stream().filter(i -> i.subnet() == null || !i.subnet().contains(":")).toList();
        if (ipam.size() > 1) throw BerthException.invalid("creating network %s: only one IPv4 pool is supported", spec.name());
        String id = newId();
        synchronized (netLock) {
            if (byName(spec.name()) != null) throw BerthException.conflict("network with name %s already exists", spec.name());
            List<NetworkRecord> all = store.networks();
            List<Ipam.Cidr> taken = new ArrayList<>();
            for (NetworkRecord n : all) if (n.subnet() != null) taken.add(Ipam.Cidr.parse(n.subnet()));
            IpamConfig want = ipam.isEmpty() ? new IpamConfig(null, null, null) : ipam.getFirst();
            Ipam.Cidr subnet;
            if (want.subnet() != null && !want.subnet().isEmpty()) {
                subnet = Ipam.Cidr.parse(want.subnet());
                if (taken.stream().anyMatch(subnet::overlaps))
                    throw BerthException.conflict("creating network %s: Pool overlaps with other one on this address space", spec.name());
            } else {
                Set<String> ours = new HashSet<>();
                for (NetworkRecord n : all) if (n.bridge() != null) ours.add(n.bridge());
                taken.addAll(Ipam.hostRoutes(ours::contains));
                subnet = Ipam.freeSubnet(Ipam.Cidr.parse(config.pool()), config.poolSize(), taken);
                if (subnet == null) throw BerthException.unavailable("creating network %s: no free subnet left in %s", spec.name(), config.pool());
            }
            String range = null;
            if (want.ipRange() != null && !want.ipRange().isEmpty()) {
                Ipam.Cidr r = Ipam.Cidr.parse(want.ipRange());
                if (!subnet.contains(r.base()) || !subnet.contains(r.last()))
                    throw BerthException.invalid("creating network %s: ip-range %s is not inside subnet %s", spec.name(), want.ipRange(), subnet);
                range = r.toString();
            }
            String gateway = Ipam.str(subnet.base() + 1);
            if (want.gateway() != null && !want.gateway().isEmpty()) {
                if (!subnet.contains(Ipam.addr(want.gateway())))
                    throw BerthException.invalid("creating network %s: gateway %s is not inside subnet %s", spec.name(), want.gateway(), subnet);
                gateway = want.gateway();
            }
            String bridge = options.getOrDefault("com.docker.network.bridge.name", "br-" + id.substring(0, 12));
            if (bridge.length() > 15) throw BerthException.invalid("creating network %s: bridge name %s is longer than 15 characters", spec.name(), bridge);
            NetworkRecord rec = new NetworkRecord(id, spec.name(), "bridge", bridge, subnet.toString(), gateway, range, spec.internal(),
                    spec.attachable(), new TreeMap<>(options), spec.labels() == null ? Map.of() : new TreeMap<>(spec.labels()), Instant.now());
            store.put(rec);
            try {
                egress.add(policy(rec));
            } catch (RuntimeException e) {
                store.deleteNetwork(id);
                throw e;
            }
        }
        return new NetworkCreateReport(id, "");
    }

    @Override
    public List<NetworkDetails> list(Map<String, List<String>> filters) {
        Map<String, List<String>> f = filters == null ? Map.of() : filters;
        for (String k : f.keySet()) {
            if (!Set.of("name", "id", "label", "driver", "type", "dangling", "scope").contains(k)) throw BerthException.invalid("invalid filter '%s'", k);
        }
        List<NetworkDetails> out = new ArrayList<>();
        List<Endpoint> eps = store.endpoints(null, null);
        for (NetworkRecord n : store.networks()) {
            if (matches(n, f, eps)) out.add(details(n));
        }
        return out;
    }

    private static boolean matches(NetworkRecord n, Map<String, List<String>> f, List<Endpoint> eps) {
        for (Map.Entry<String, List<String>> e : f.entrySet()) {
            if (e.getValue() == null || e.getValue().isEmpty()) continue;
            boolean any = false;
            for (String v : e.getValue()) {
                any |= switch (e.getKey()) {
                    case "name" -> n.name().contains(v);
                    case "id" -> n.id().startsWith(v);
                    case "driver" -> n.driver().equals(v);
                    case "scope" -> v.equals("local");
                    case "type" -> v.equals("builtin") ? BUILTIN.contains(n.name()) : v.equals("custom") && !BUILTIN.contains(n.name());
                    case "dangling" -> (v.equals("true") || v.equals("1")) == (!BUILTIN.contains(n.name())
                            && eps.stream().noneMatch(x -> x.networkId().equals(n.id())));
                    case "label" -> {
                        int eq = v.indexOf('=');
                        yield eq < 0 ? n.labels().containsKey(v) : v.substring(eq + 1).equals(n.labels().get(v.substring(0, eq)));
                    }
                    default -> false;
                };
            }
            if (!any) return false;
        }
        return true;
    }

    @Override
    public NetworkDetails inspect(String ref) { return details(resolve(ref)); }

    private NetworkDetails details(NetworkRecord n) {
        Map<String, NetworkEndpoint> ctrs = new LinkedHashMap<>();
        int bits = n.subnet() == null ? 0 : Ipam.Cidr.parse(n.subnet()).bits();
        for (Attachment a : store.attachments("network_id", n.id())) {
            if (reserved(a.containerId())) continue; // no container's
            ctrs.put(a.containerId(), new NetworkEndpoint(a.request().containerName(), endpointId(a.containerId(), n.id()),
                    a.mac() == null ? "" : a.mac(), a.ip() + "/" + bits, ""));
        }
        List<IpamConfig> ipam = n.subnet() == null ? List.of() : List.of(new IpamConfig(n.subnet(), n.ipRange(), n.gateway()));
        return new NetworkDetails(n.id(), n.name(), n.created(), "local", n.driver(), false, ipam, n.internal(), n.attachable(), ctrs,
                n.options(), n.labels());
    }

    @Override
    public void remove(String ref) {
        NetworkRecord n = resolve(ref);
        if (BUILTIN.contains(n.name())) throw BerthException.invalid("%s is a pre-defined network and cannot be removed", n.name());
        settleTeardowns(); // removed containers' endpoints are gone for good first (docker rm -f; docker network rm)
        synchronized (netLock) {
            if (!store.attachments("network_id", n.id()).isEmpty())
                throw BerthException.conflict("error while removing network: network %s id %s has active endpoints", n.name(), n.id());
            egress.remove(policy(n));
            store.deleteNetwork(n.id()); // endpoints of stopped containers go with it (their start then fails: network not found)
        }
    }

    @Override
    public List<String> prune(Map<String, List<String>> filters) {
        Map<String, List<String>> f = filters == null ? Map.of() : filters;
        for (String k : f.keySet()) if (!Set.of("until", "label", "label!").contains(k)) throw BerthException.invalid("invalid filter '%s'", k);
        List<String> out = new ArrayList<>();
        List<Endpoint> eps = store.endpoints(null, null);
        for (NetworkRecord n : store.networks()) {
            if (BUILTIN.contains(n.name()) || eps.stream().anyMatch(e -> e.networkId().equals(n.id()))) continue;
            if (!pruneMatches(n, f)) continue;
            try {
                remove(n.id());
                out.add(n.name());
            } catch (BerthException e) {
                LOG.log(System.Logger.Level.DEBUG, "pruning network " + n.name() + ": " + e.getMessage());
            }
        }
        return out;
    }

    private static boolean pruneMatches(NetworkRecord n, Map<String, List<String>> f) {
        for (String v : f.getOrDefault("until", List.of())) if (!n.created().isBefore(until(v))) return false;
        for (String v : f.getOrDefault("label", List.of())) {
            int eq = v.indexOf('=');
            if (!(eq < 0 ? n.labels().containsKey(v) : v.substring(eq + 1).equals(n.labels().get(v.substring(0, eq))))) return false;
        }
        for (String v : f.getOrDefault("label!", List.of())) {
            int eq = v.indexOf('=');
            if (eq < 0 ? n.labels().containsKey(v) : v.substring(eq + 1).equals(n.labels().get(v.substring(0, eq)))) return false;
        }
        return true;
    }

    /** Docker's "until": a timestamp (RFC 3339 or unix seconds) or a Go duration before now ("24h", "90m", "10s"). */
    static Instant until(String v) {
        try {
            return Instant.parse(v);
        } catch (RuntimeException ignored) { /* next form */ }
        if (v.matches("\\d+(\\.\\d+)?")) return Instant.ofEpochSecond((long) Double.parseDouble(v));
        var m = Pattern.compile("(\\d+)(h|m|s)").matcher(v);
        Duration d = Duration.ZERO;
        while (m.find()) {
            long x = Long.parseLong(m.group(1));
            d = d.plus(switch (m.group(2)) { case "h" -> Duration.ofHours(x); case "m" -> Duration.ofMinutes(x); default -> Duration.ofSeconds(x); });
        }
        if (d.isZero()) throw BerthException.invalid("invalid filter 'until=%s'", v);
        return Instant.now().minus(d);
    }

    @Override
    public void connect(String network, String container, EndpointSpec endpoint) {
        NetworkRecord n = resolve(network);
        ContainerDirectory.Entry c = containers.find(container);
        String mode = mode(c.spec());
        if (!n.isBridge()) throw BerthException.invalid("container cannot be disconnected from host network or connected to host network");
        if (mode.equals("none") || mode.equals("host") || mode.startsWith("container:"))
            throw BerthException.invalid("container sharing network namespace with another container or host cannot be connected to any other network");
        EndpointSpec e = endpoint == null ? EndpointSpec.DEFAULT : endpoint;
        checkStaticIp(n, e.ipv4Address());
        synchronized (lock(c.id())) {
            List<Endpoint> mine = store.endpoints("container_id", c.id());
            if (mine.stream().anyMatch(x -> x.networkId().equals(n.id())))
                throw BerthException.conflict("endpoint with name %s already exists in network %s", c.name(), n.name());
            int ord = mine.stream().mapToInt(Endpoint::ord).max().orElse(-1) + 1;
            Endpoint ep = new Endpoint(c.id(), n.id(), ord, e.aliases() == null ? List.of() : List.copyOf(e.aliases()), blank(e.ipv4Address()),
                    blank(e.macAddress()));
            store.putEndpoint(ep);
            Sandbox sb = sandbox(c.id());
            if (c.running() && sb != null && sb.netns() != null && !sb.netns().isEmpty() && Files.exists(Path.of(sb.netns()))
                    && sb.netns().startsWith(netns.dir().toString())) {
                try {
                    attach(c.id(), c.name(), Path.of(sb.netns()), n, ep, "eth" + nextIf(c.id()));
                } catch (RuntimeException x) {
                    store.deleteEndpoint(c.id(), n.id());
                    throw x;
                }
                ignore(() -> writeFiles(c.id(), c.name(), c.spec()));
            }
        }
    }

    @Override
    public void disconnect(String network, String container, boolean force) {
        NetworkRecord n = resolve(network);
        ContainerDirectory.Entry c = containers.find(container);
        synchronized (lock(c.id())) {
            boolean configured = store.endpoints("container_id", c.id()).stream().anyMatch(x -> x.networkId().equals(n.id()));
            Attachment a = store.attachments("container_id", c.id()).stream().filter(x -> x.networkId().equals(n.id())).findFirst().orElse(null);
            if (!configured && a == null) throw BerthException.invalid("container %s is not connected to network %s", c.id(), n.name());
            if (a != null) detach(a);
            store.deleteEndpoint(c.id(), n.id());
            if (c.running() && a != null) ignore(() -> writeFiles(c.id(), c.name(), c.spec()));
        }
    }

    // ---- ContainerNetworking --------------------------------------------------------------------------

    /** The container's primary mode: "none", "host", "container:REF", or a network reference ("bridge" for the default). */
    static String mode(ContainerSpec spec) {
        String m = spec.host() == null ? null : spec.host().networkMode();
        return m == null || m.isEmpty() || m.equals("default") ? "bridge" : m;
    }

    @Override
    public void validate(ContainerSpec spec) {
        String m = mode(spec);
        if (m.startsWith("container:")) {
            if (m.length() == "container:".length()) throw BerthException.invalid("invalid network mode %s: a container is required", m);
        } else if (!m.equals("none") && !m.equals("host")) {
            NetworkRecord primary = resolve(m);
            if (primary.isBridge()) checkStaticIp(primary, endpointFor(spec, primary).ipv4Address());
        }
        NetworkSpec ns = spec.network() == null ? NetworkSpec.NONE : spec.network();
        if (ns.endpoints() != null) {
            for (Map.Entry<String, EndpointSpec> e : ns.endpoints().entrySet()) {
                NetworkRecord n = resolve(e.getKey());
                if (n.isBridge()) checkStaticIp(n, e.getValue() == null ? null : e.getValue().ipv4Address());
            }
        }
        for (String p : ports(spec, null).keySet()) parsePort(p);
        if (ns.portBindings() != null) {
            for (List<PortBinding> bs : ns.portBindings().values()) {
                if (bs == null) continue;
                for (PortBinding b : bs) hostPortRange(b.hostPort());
            }
        }
    }

    @Override
    public void created(String id, ContainerSpec spec) {
        String m = mode(spec);
        if (m.startsWith("container:")) return;
        if (m.equals("none") || m.equals("host")) {
            // Docker lists the predefined network in NetworkSettings.Networks even without an address
            NetworkRecord builtin = byName(m);
            if (builtin != null) store.putEndpoint(new Endpoint(id, builtin.id(), 0, List.of(), null, null));
            return;
        }
        NetworkRecord primary = resolve(m);
        if (!primary.isBridge()) return;
        NetworkSpec ns = spec.network() == null ? NetworkSpec.NONE : spec.network();
        EndpointSpec pe = endpointFor(spec, primary);
        String mac = blank(pe.macAddress()) != null ? pe.macAddress() : blank(ns.macAddress());
        store.putEndpoint(new Endpoint(id, primary.id(), 0, aliases(pe), blank(pe.ipv4Address()), mac));
        int ord = 1;
        if (ns.endpoints() != null) {
            for (Map.Entry<String, EndpointSpec> e : ns.endpoints().entrySet()) {
                NetworkRecord n = resolve(e.getKey());
                if (n.id().equals(primary.id()) || !n.isBridge()) continue;
                EndpointSpec es = e.getValue() == null ? EndpointSpec.DEFAULT : e.getValue();
                store.putEndpoint(new Endpoint(id, n.id(), ord++, aliases(es), blank(es.ipv4Address()), blank(es.macAddress())));
            }
        }
    }

    private EndpointSpec endpointFor(ContainerSpec spec, NetworkRecord n) {
        NetworkSpec ns = spec.network() == null ? NetworkSpec.NONE : spec.network();
        if (ns.endpoints() != null) {
            for (Map.Entry<String, EndpointSpec> e : ns.endpoints().entrySet()) {
                if ((e.getKey().equals(n.name()) || e.getKey().equals(n.id())) && e.getValue() != null) return e.getValue();
            }
        }
        return EndpointSpec.DEFAULT;
    }

    @Override
    public void setUp(String id, String name, ContainerSpec spec, ImageConfig image) {
        synchronized (lock(id)) {
            if (sandbox(id) != null || !store.attachments("container_id", id).isEmpty()) tearDown(id);
            String m = mode(spec);
            Path files = filesDir.resolve(id);
            try {
                switch (m) {
                    case "none" -> {
                        store.putSandbox(new Sandbox(id, "", Map.of()));
                        writeFiles(id, name, spec);
                        prepared.put(id, new Prepared("none", null, files));
                    }
                    case "host" -> {
                        store.putSandbox(new Sandbox(id, "host", Map.of()));
                        writeFiles(id, name, spec);
                        prepared.put(id, new Prepared("host", null, files));
                    }
                    default -> {
                        if (m.startsWith("container:")) {
                            ContainerDirectory.Entry other = containers.find(m.substring("container:".length()));
                            if (!other.running() || other.pid() <= 0)
                                throw BerthException.conflict("cannot join network namespace of a non running container: %s", other.id());
                            String path = "/proc/" + other.pid() + "/ns/net";
                            store.putSandbox(new Sandbox(id, path, Map.of()));
                            Path otherFiles = filesDir.resolve(other.id());
                            prepared.put(id, new Prepared("path", path, Files.exists(otherFiles.resolve("hosts")) ? otherFiles : null));
                        } else {
                            setUpBridge(id, name, spec, image);
                            prepared.put(id, new Prepared("path", netns.path(id).toString(), files));
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                ignore(() -> tearDown(id));
                if (e instanceof BerthException be) throw be;
                throw BerthException.unavailable("setting up networking of container %s: %s", id, e.getMessage());
            }
        }
    }

    private void setUpBridge(String id, String name, ContainerSpec spec, ImageConfig image) throws IOException {
        List<Endpoint> eps = store.endpoints("container_id", id);
        if (eps.isEmpty()) throw BerthException.notFound("setting up networking of container %s: no network to join (was it removed?)", id);
        Map<String, List<PortBinding>> resolved = new TreeMap<>();
        List<NetworkBackend.Port> ports = publish(id, spec, image, resolved);
        if (!claimWarm(id, name, eps, resolved)) {
            settleTeardowns(); // names, static addresses and aardvark entries of removed containers are free first
            Path ns = netns.create(id);
            store.putSandbox(new Sandbox(id, ns.toString(), resolved));
            int i = 0;
            for (Endpoint e : eps) {
                NetworkRecord n = byId(e.networkId());
                if (n == null) throw BerthException.notFound("network %s not found", e.networkId());
                attach(id, name, ns, n, e, "eth" + i);
                i++;
            }
        }
        // One iptables-restore (~20-30 ms): it runs while the runtime creates the container, and
        // awaitReady joins it before the process starts. Each sync writes the records' state as of its
        // own turn under the forwarder's lock, so it cannot undo a later teardown's.
        if (!ports.isEmpty()) portsReady.put(id, CompletableFuture.runAsync(this::syncPorts, Thread::startVirtualThread));
        writeFiles(id, name, spec);
    }

    /**
     * A container on the default network alone (no static MAC) takes a warm namespace when one is ready:
     * the namespace file and the lease become the container's. False when there is none (set up as usual).
     */
    private boolean claimWarm(String id, String name, List<Endpoint> eps, Map<String, List<PortBinding>> resolved) {
        if (eps.size() != 1 || eps.getFirst().mac() != null || eps.getFirst().ipv4() != null) return false;
        NetworkRecord n = byId(eps.getFirst().networkId());
        if (n == null || !n.name().equals("bridge")) return false;
        for (String w = reserve.take(); w != null; w = reserve.take()) {
            List<Attachment> atts = store.attachments("container_id", w);
            if (atts.size() != 1 || !atts.getFirst().networkId().equals(n.id())) { // the default network changed under it
                reserve.retire(w);
                continue;
            }
            try {
                Path ns = netns.move(w, id);
                store.moveAttachments(w, id, name, new Sandbox(id, ns.toString(), resolved));
                return true;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "taking warm namespace " + w + " for container " + id + ": " + e.getMessage());
                ignore(() -> netns.remove(id));
                reserve.retire(w);
            }
        }
        return false;
    }

    /** A new warm namespace on the default network (the reserve's filler thread); undone if it fails. */
    private String makeWarm() {
        NetworkRecord n = byName("bridge");
        if (n == null) throw BerthException.notFound("network bridge not found");
        String w = WARM + newId().substring(0, 20);
        try {
            Path ns = netns.create(w);
            attach(w, w, ns, n, new Endpoint(w, n.id(), 0, List.of(), null, null), "eth0");
            return w;
        } catch (RuntimeException e) {
            tearDownNow(w);
            throw e;
        }
    }

    private void settleTeardowns() { reserve.settleTeardowns(); }

    /**
     * Waits until the background has nothing left to do: teardowns done, the warm namespaces topped up.
     * For tests and leak checks that compare the host before and after.
     */
    public void settle() { reserve.settle(); }

    /** How many warm namespaces are ready now. */
    public int warmCount() { return reserve.ready(); }

    /** Allocates the address (the lease row), then lets the backend plumb it; the row goes if the backend fails. */
    private void attach(String id, String name, Path ns, NetworkRecord n, Endpoint e, String ifname) {
        NetworkBackend.Request req;
        synchronized (netLock) {
            Ipam.Cidr subnet = Ipam.Cidr.parse(n.subnet());
            Set<String> used = new HashSet<>();
            for (Attachment a : store.attachments("network_id", n.id())) used.add(a.ip());
            if (n.gateway() != null) used.add(n.gateway());
            String ip;
            if (e.ipv4() != null) {
                if (used.contains(e.ipv4())) throw BerthException.conflict("Address already in use: %s on network %s", e.ipv4(), n.name());
                ip = e.ipv4();
            } else {
                ip = Ipam.firstFree(subnet, n.ipRange() == null ? null : Ipam.Cidr.parse(n.ipRange()), used);
                if (ip == null) throw BerthException.unavailable("no available IPv4 addresses on network %s", n.name());
            }
            List<String> aliases = new ArrayList<>();
            aliases.add(name);
            aliases.add(id.substring(0, 12));
            for (String a : e.aliases()) if (!aliases.contains(a)) aliases.add(a);
            boolean dns = !n.name().equals("bridge");
            req = new NetworkBackend.Request(id, name, new NetworkBackend.Net(n.id(), n.name(), n.bridge(), n.subnet(), n.gateway(),
                    n.internal(), dns, n.options()), ip, aliases, ifname, e.mac(), List.of()); // ports: PortForwarder's
            store.putAttachment(new Attachment(id, n.id(), ip, e.mac(), ifname, req));
        }
        try {
            NetworkBackend.Attachment made = backend.setup(ns, req);
            store.setMac(id, n.id(), made.mac());
            egress.ensureFirst();
        } catch (RuntimeException x) {
            store.deleteAttachment(id, n.id());
            throw x;
        }
    }

    private void detach(Attachment a) {
        Path ns = netns.path(a.containerId());
        boolean temporary = false;
        try {
            if (!Files.exists(ns)) {
                // After a reboot or a lost namespace the host side (rules, aardvark entries, the bridge) may
                // still be there; netavark needs some namespace to run its teardown, an empty one will do.
                netns.create(a.containerId());
                temporary = true;
            }
            backend.teardown(ns, a.request());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "tearing down network " + a.networkId() + " of container " + a.containerId() + ": " + e.getMessage());
        } finally {
            store.deleteAttachment(a.containerId(), a.networkId());
            if (temporary) ignore(() -> netns.remove(a.containerId()));
        }
    }

    private void writeFiles(String id, String name, ContainerSpec spec) throws IOException {
        NetworkSpec ns = spec.network() == null ? NetworkSpec.NONE : spec.network();
        String m = mode(spec);
        Path dir = filesDir.resolve(id);
        boolean hostNet = m.equals("host");
        String hostname = spec.hostname() != null && !spec.hostname().isEmpty() ? spec.hostname()
                : hostNet ? hostHostname() : id.substring(0, 12);
        List<EtcFiles.Self> self = new ArrayList<>();
        List<String> servers = new ArrayList<>();
        String gateway = null;
        List<Attachment> atts = store.attachments("container_id", id);
        Map<String, Endpoint> eps = new TreeMap<>();
        for (Endpoint e : store.endpoints("container_id", id)) eps.put(e.networkId(), e);
        for (Attachment a : atts) {
            List<String> names = new ArrayList<>();
            if (self.isEmpty()) {
                names.add(hostname);
                names.add(name);
                gateway = a.request().net().gateway();
            }
            Endpoint e = eps.get(a.networkId());
            if (e != null) names.addAll(e.aliases());
            if (!names.isEmpty()) self.add(new EtcFiles.Self(a.ip(), names));
            if (a.request().net().dns() && servers.isEmpty() && a.request().net().gateway() != null) servers.add(a.request().net().gateway());
        }
        String hosts;
        if (hostNet) {
            String h;
            try {
                h = Files.readString(Path.of("/etc/hosts"));
            } catch (IOException e) {
                h = String.join("\n", EtcFiles.LOCALHOST) + "\n";
            }
            hosts = h + EtcFiles.hosts(ns.extraHosts(), List.of(), null).substring(String.join("\n", EtcFiles.LOCALHOST).length() + 1);
        } else {
            hosts = EtcFiles.hosts(ns.extraHosts(), self, gateway);
        }
        EtcFiles.write(dir.resolve("hosts"), hosts);
        EtcFiles.write(dir.resolve("resolv.conf"), EtcFiles.resolvConf(EtcFiles.hostResolvConf(), servers, hostNet, ns.dns(), ns.dnsSearch(), ns.dnsOptions()));
        EtcFiles.write(dir.resolve("hostname"), hostname + "\n");
    }

    private static String hostHostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return "localhost";
        }
    }

    @Override
    public ContainerConfig configure(String id, ContainerConfig c) {
        Prepared p = prepared.get(id);
        if (p == null) return c;
        ContainerConfig.Builder b = c.toBuilder();
        b.network(switch (p.kind()) {
            case "host" -> ContainerConfig.NamespaceMode.HOST;
            case "path" -> ContainerConfig.NamespaceMode.join(p.netnsPath());
            default -> ContainerConfig.NamespaceMode.PRIVATE;
        });
        if (p.files() != null) {
            List<ContainerConfig.MountRequest> mounts = new ArrayList<>(c.mounts() == null ? List.of() : c.mounts());
            Set<String> taken = new HashSet<>();
            for (ContainerConfig.MountRequest m : mounts) taken.add(Path.of(m.destination()).normalize().toString());
            if (c.tmpfs() != null) for (String d : c.tmpfs().keySet()) taken.add(Path.of(d).normalize().toString());
            for (String f : List.of("hosts", "resolv.conf", "hostname")) {
                if (!taken.contains("/etc/" + f)) mounts.add(ContainerConfig.MountRequest.bind(p.files().resolve(f).toString(), "/etc/" + f, false));
            }
            b.mounts(mounts);
        }
        return b.build();
    }

    /**
     * Ports go at once; namespace and leases are handed to a "gone-" key and torn down in the background
     * (see {@link #WARM}), so an exit or a removal does not wait for netavark.
     */
    @Override
    public void awaitReady(String id) {
        CompletableFuture<Void> f = portsReady.remove(id);
        if (f == null) return;
        try {
            f.join();
        } catch (CompletionException e) {
            Throwable c = e.getCause() == null ? e : e.getCause();
            if (c instanceof BerthException be) throw be;
            throw BerthException.unavailable("publishing the ports of container %s: %s", id, c.getMessage());
        }
    }

    @Override
    public void tearDown(String id) {
        synchronized (lock(id)) {
            CompletableFuture<Void> pending = portsReady.remove(id);
            if (pending != null) ignore(pending::join); // a start that failed before awaitReady
            prepared.remove(id);
            Sandbox sb = sandbox(id);
            if (store.attachments("container_id", id).isEmpty()) {
                tearDownNow(id);
                return;
            }
            String g = GONE + newId().substring(0, 20);
            try {
                if (Files.exists(netns.path(id))) netns.move(id, g);
                store.moveAttachments(id, g, null, null);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "handing the network of " + id + " to the background: " + e.getMessage());
                tearDownNow(id);
                return;
            }
            if (sb != null && !sb.ports().isEmpty()) ignore(this::syncPorts); // the ports are free again at once
            reserve.retire(g);
        }
    }

    @Override
    public boolean observable(String id) {
        Sandbox sb = sandbox(id);
        if (sb != null && !sb.ports().isEmpty()) return true;
        NetworkRecord bridge = byName("bridge");
        // User networks have DNS names and may have requested addresses; the default bridge has neither
        // (Docker refuses --ip there), and its leases come from IPAM, which just picks another.
        for (Attachment a : store.attachments("container_id", id)) {
            if (bridge == null || !a.networkId().equals(bridge.id())) return true;
        }
        return false;
    }

    /** Tears down here and now: the backend, the namespace, the ports. */
    private void tearDownNow(String id) {
        synchronized (lock(id)) {
            Sandbox sb = sandbox(id);
            store.deleteSandbox(id);
            if (sb != null && !sb.ports().isEmpty()) ignore(this::syncPorts); // the ports are free again at once
            for (Attachment a : store.attachments("container_id", id)) detach(a);
            ignore(() -> netns.remove(id));
            prepared.remove(id);
        }
    }

    @Override
    public void forget(String id) {
        synchronized (lock(id)) {
            tearDown(id);
            store.deleteEndpoints(id);
            deleteTree(filesDir.resolve(id));
        }
        locks.remove(id);
    }

    @Override
    public NetworkSettings settings(String id) {
        Sandbox sb = sandbox(id);
        List<Attachment> atts = store.attachments("container_id", id);
        Map<String, EndpointState> nets = new TreeMap<>();
        for (Endpoint e : store.endpoints("container_id", id)) {
            NetworkRecord n = byId(e.networkId());
            if (n == null) continue;
            Attachment a = atts.stream().filter(x -> x.networkId().equals(n.id())).findFirst().orElse(null);
            int bits = n.subnet() == null ? 0 : Ipam.Cidr.parse(n.subnet()).bits();
            nets.put(n.name(), a == null
                    ? new EndpointState(n.id(), "", "", "", 0, e.mac() == null ? "" : e.mac(), e.aliases(), "", "", 0)
                    : new EndpointState(n.id(), endpointId(id, n.id()), n.gateway() == null ? "" : n.gateway(), a.ip(), bits,
                    a.mac() == null ? "" : a.mac(), e.aliases(), "", "", 0));
        }
        String key = sb == null || sb.netns() == null || sb.netns().equals("host") ? "" : sb.netns();
        return new NetworkSettings(key, sb == null ? Map.of() : sb.ports(), nets);
    }

    @Override
    public void recover(Set<String> known, Set<String> running) {
        List<Egress.Policy> policies = new ArrayList<>();
        for (NetworkRecord n : store.networks()) if (n.isBridge()) policies.add(policy(n));
        try {
            egress.sync(policies);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "re-creating egress rules: " + e.getMessage());
        }
        Set<String> stale = new HashSet<>();
        for (Sandbox s : store.sandboxes()) if (!running.contains(s.containerId())) stale.add(s.containerId());
        for (Attachment a : store.attachments(null, null)) if (!running.contains(a.containerId())) stale.add(a.containerId());
        for (String id : stale) {
            if (!reserved(id))
                LOG.log(System.Logger.Level.INFO, "tearing down the networking of container " + id + ": it is not running");
            tearDownNow(id);
        }
        for (String id : netns.list()) if (!running.contains(id)) ignore(() -> netns.remove(id));
        forwarder.recheck();
        try {
            syncPorts();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "re-creating port forwarding rules: " + e.getMessage());
        }
        for (Endpoint e : store.endpoints(null, null)) if (!known.contains(e.containerId())) store.deleteEndpoints(e.containerId());
        try (var s = Files.isDirectory(filesDir) ? Files.list(filesDir) : java.util.stream.Stream.<Path>empty()) {
            for (Path p : s.toList()) if (!known.contains(p.getFileName().toString())) deleteTree(p);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "listing " + filesDir + ": " + e.getMessage());
        }
        reserve.start();
    }

    /**
     * Engine close. With no container running (no namespace left) the namespace directory's own mount
     * and this engine's egress chain go too; otherwise both stay for the containers that keep running.
     */
    public void close() {
        reserve.close();
        if (netns.list().isEmpty()) {
            try {
                egress.destroy();
                forwarder.destroy();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "removing egress and port chains: " + e.getMessage());
            }
        }
        netns.closeIfUnused();
    }

    /** The name of this engine's egress chain ({@code BERTH-EGRESS-<tag>}). */
    public String egressChain() { return egress.chain(); }

    // ---- helpers ---------------------------------------------------------------------------------------

    private Egress.Policy policy(NetworkRecord n) {
        boolean allow = config.allowMetadataAccess() || "true".equalsIgnoreCase(n.options().get(NetworkConfig.ALLOW_METADATA_OPTION));
        return new Egress.Policy(n.id(), n.bridge(), n.internal(), allow);
    }

    /** Berth's egress rules as iptables -S lines (leak checks). */
    public List<String> egressRules() { return egress.current(); }

    /** Berth's port forwarding rules as iptables -S lines (leak checks). */
    public List<String> portRules() { return forwarder.current(); }

    /** Rewrites the port chains from the records: every published port of every set-up container. */
    private void syncPorts() {
        synchronized (forwarder) { // read and apply together: a sync from older records must not land last
            syncPortsLocked();
        }
    }

    private void syncPortsLocked() {
        List<PortForwarder.Mapping> all = new ArrayList<>();
        Map<String, Attachment> primary = new TreeMap<>();
        for (Attachment a : store.attachments(null, null)) if (a.ifname().equals("eth0")) primary.put(a.containerId(), a);
        for (Sandbox s : store.sandboxes()) {
            Attachment a = primary.get(s.containerId());
            if (a == null || s.ports().isEmpty()) continue;
            s.ports().forEach((k, bs) -> {
                String[] cp = parsePort(k);
                for (PortBinding b : bs) {
                    String hostIp = b.hostIp() == null || b.hostIp().equals("0.0.0.0") ? "" : b.hostIp();
                    all.add(new PortForwarder.Mapping(s.containerId(), a.request().net().bridge(), a.request().net().subnet(), a.ip(),
                            hostIp, Integer.parseInt(b.hostPort()), Integer.parseInt(cp[0]), cp[1]));
                }
            });
        }
        forwarder.sync(all);
    }

    /** Published ports: explicit bindings plus, with publishAllPorts, a free host port for every exposed one. */
    private List<NetworkBackend.Port> publish(String id, ContainerSpec spec, ImageConfig image, Map<String, List<PortBinding>> resolved) {
        List<NetworkBackend.Port> out = new ArrayList<>();
        Set<String> inUse = new HashSet<>();
        for (Sandbox s : store.sandboxes()) {
            if (s.containerId().equals(id)) continue;
            s.ports().forEach((k, v) -> v.forEach(b -> inUse.add(b.hostPort() + "/" + parsePort(k)[1])));
        }
        for (Map.Entry<String, List<PortBinding>> e : ports(spec, image).entrySet()) {
            String[] cp = parsePort(e.getKey());
            int containerPort = Integer.parseInt(cp[0]);
            List<PortBinding> made = new ArrayList<>();
            for (PortBinding b : e.getValue()) {
                String ip = b.hostIp() == null || b.hostIp().isEmpty() || b.hostIp().equals("0.0.0.0") ? "" : b.hostIp();
                if (ip.contains(":")) continue; // IPv6 host addresses: no IPv6 networks yet
                int[] range = hostPortRange(b.hostPort());
                int port = pickPort(ip, cp[1], range, inUse);
                inUse.add(port + "/" + cp[1]);
                out.add(new NetworkBackend.Port(ip, port, containerPort, cp[1]));
                made.add(new PortBinding(ip.isEmpty() ? "0.0.0.0" : ip, Integer.toString(port)));
            }
            resolved.put(e.getKey(), made);
        }
        return out;
    }

    /** Every exposed or published port ("80/tcp") → the bindings asked for (empty: exposed only). */
    private static Map<String, List<PortBinding>> ports(ContainerSpec spec, ImageConfig image) {
        NetworkSpec ns = spec.network() == null ? NetworkSpec.NONE : spec.network();
        Map<String, List<PortBinding>> out = new TreeMap<>();
        Set<String> exposed = new HashSet<>();
        if (ns.exposedPorts() != null) exposed.addAll(ns.exposedPorts());
        if (image != null && image.config() != null && image.config().exposedPorts() != null) exposed.addAll(image.config().exposedPorts().keySet());
        for (String p : exposed) out.put(normalPort(p), new ArrayList<>());
        if (ns.portBindings() != null) {
            ns.portBindings().forEach((k, v) -> out.computeIfAbsent(normalPort(k), x -> new ArrayList<>()).addAll(v == null ? List.of() : v));
        }
        if (ns.publishAllPorts()) out.replaceAll((k, v) -> v.isEmpty() ? List.of(new PortBinding("", "")) : v);
        return out;
    }

    private static String normalPort(String p) { return p.contains("/") ? p : p + "/tcp"; }

    /** "80/tcp" → {"80", "tcp"}. */
    static String[] parsePort(String p) {
        String[] f = normalPort(p).split("/");
        if (f.length != 2 || !(f[1].equals("tcp") || f[1].equals("udp") || f[1].equals("sctp")))
            throw BerthException.invalid("invalid port %s: want PORT[/tcp|udp]", p);
        try {
            int v = Integer.parseInt(f[0]);
            if (v < 1 || v > 65535) throw new NumberFormatException();
        } catch (NumberFormatException e) {
            throw BerthException.invalid("invalid port %s: want PORT[/tcp|udp]", p);
        }
        return f;
    }

    /** "" / "0" → null (any); "8080" → {8080, 8080}; "8000-8010" → {8000, 8010}. */
    static int[] hostPortRange(String s) {
        if (s == null || s.isEmpty() || s.equals("0")) return null;
        try {
            String[] f = s.split("-");
            int lo = Integer.parseInt(f[0]), hi = f.length > 1 ? Integer.parseInt(f[1]) : lo;
            if (lo < 1 || hi > 65535 || hi < lo || f.length > 2) throw new NumberFormatException();
            return new int[]{lo, hi};
        } catch (NumberFormatException e) {
            throw BerthException.invalid("invalid host port %s", s);
        }
    }

    /**
     * A host port: a free one from the kernel's ephemeral range when none is asked, else the first free one
     * of the range. "Free" means no other container publishes it and a socket can bind it now (netavark
     * forwards with DNAT, so a host process on the same port would otherwise be silently shadowed).
     */
    private static int pickPort(String ip, String proto, int[] range, Set<String> inUse) {
        if (range == null) {
            for (int i = 0; i < 20; i++) {
                int p = bindable(ip, proto, 0);
                if (p > 0 && !inUse.contains(p + "/" + proto)) return p;
            }
            throw BerthException.unavailable("publishing a %s port: no free host port", proto);
        }
        for (int p = range[0]; p <= range[1]; p++) {
            if (!inUse.contains(p + "/" + proto) && bindable(ip, proto, p) > 0) return p;
        }
        String where = (ip.isEmpty() ? "0.0.0.0" : ip) + ":" + (range[0] == range[1] ? range[0] : range[0] + "-" + range[1]);
        throw BerthException.conflict("Bind for %s failed: port is already allocated", where);
    }

    private static int bindable(String ip, String proto, int port) {
        try {
            InetSocketAddress a = ip.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(InetAddress.getByName(ip), port);
            if (proto.equals("udp")) {
                try (DatagramSocket s = new DatagramSocket(a)) { return s.getLocalPort(); }
            }
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(a);
                return s.getLocalPort();
            }
        } catch (IOException e) {
            return -1;
        }
    }

    private static void checkStaticIp(NetworkRecord n, String ip) {
        if (ip == null || ip.isEmpty()) return;
        if (n.name().equals("bridge")) throw BerthException.invalid("user specified IP address is supported on user defined networks only");
        if (!Ipam.Cidr.parse(n.subnet()).contains(Ipam.addr(ip)))
            throw BerthException.invalid("invalid address %s: it does not belong to any of network %s's subnets", ip, n.name());
    }

    private int nextIf(String id) {
        Set<String> used = new HashSet<>();
        for (Attachment a : store.attachments("container_id", id)) used.add(a.ifname());
        int i = 0;
        while (used.contains("eth" + i)) i++;
        return i;
    }

    private Sandbox sandbox(String id) {
        for (Sandbox s : store.sandboxes()) if (s.containerId().equals(id)) return s;
        return null;
    }

    private NetworkRecord resolve(String ref) {
        if (ref == null || ref.isEmpty()) throw BerthException.notFound("network %s not found", ref);
        List<NetworkRecord> all = store.networks();
        for (NetworkRecord n : all) if (n.id().equals(ref)) return n;
        for (NetworkRecord n : all) if (n.name().equals(ref)) return n;
        List<NetworkRecord> pre = all.stream().filter(n -> n.id().startsWith(ref)).toList();
        if (pre.size() == 1) return pre.getFirst();
        if (pre.size() > 1) throw BerthException.invalid("network %s is ambiguous (%d matches found based on ID prefix)", ref, pre.size());
        throw BerthException.notFound("network %s not found", ref);
    }

    private NetworkRecord byName(String name) {
        for (NetworkRecord n : store.networks()) if (n.name().equals(name)) return n;
        return null;
    }

    private NetworkRecord byId(String id) {
        for (NetworkRecord n : store.networks()) if (n.id().equals(id)) return n;
        return null;
    }

    private Object lock(String id) { return locks.computeIfAbsent(id, k -> new Object()); }

    private static List<String> aliases(EndpointSpec e) { return e.aliases() == null ? List.of() : List.copyOf(e.aliases()); }

    private static String blank(String s) { return s == null || s.isEmpty() ? null : s; }

    private static String newId() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    static String endpointId(String containerId, String networkId) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((containerId + "/" + networkId).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private interface Step { void run() throws Exception; }

    private static void ignore(Step s) {
        try {
            s.run();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "ignored: " + e.getMessage());
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "deleting " + dir + ": " + e.getMessage());
        }
    }
}
