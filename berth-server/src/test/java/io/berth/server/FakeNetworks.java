package io.berth.server;

import io.berth.api.BerthException;
import io.berth.api.container.ContainerDetails;
import io.berth.api.container.ContainerEngine;
import io.berth.api.container.ContainerState;
import io.berth.api.container.ContainerSummary;
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

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory {@link NetworkEngine} with Docker's predefined bridge/host/none and its error
 * wording, plus {@link #around} which makes {@link FakeContainers} report NetworkSettings the way
 * an engine with bridge networking would (a sandbox, 172.17.0.2 on "bridge", host ports from
 * 32768 for unpinned bindings) without touching FakeContainers itself.
 */
final class FakeNetworks implements NetworkEngine {
    static final String BRIDGE_ID = "a369f90b2677cc7f5a11e7117b8f775a5a06d97d4e3d6a037ef0a5130bb920ee";

    final Map<String, NetworkDetails> byId = new LinkedHashMap<>();
    final List<String> calls = new ArrayList<>();
    private int seq;

    FakeNetworks() {
        put(new NetworkDetails(BRIDGE_ID, "bridge", Instant.parse("2026-11-23T13:39:39.186453327Z"), "local", "bridge", false,
                List.of(new IpamConfig("172.17.0.0/16", null, "172.17.0.1")), false, false, Map.of(),
                Map.of("com.docker.network.bridge.name", "berth0"), Map.of()));
        put(new NetworkDetails("b".repeat(64), "host", Instant.EPOCH, "local", "host", false, List.of(), false, false, Map.of(), Map.of(), Map.of()));
        put(new NetworkDetails("c".repeat(64), "none", Instant.EPOCH, "local", "null", false, List.of(), false, false, Map.of(), Map.of(), Map.of()));
    }

    private void put(NetworkDetails d) { byId.put(d.id(), d); }

    synchronized NetworkDetails find(String ref) {
        for (NetworkDetails d : byId.values()) if (d.id().equals(ref) || d.name().equals(ref)) return d;
        NetworkDetails prefix = null;
        for (NetworkDetails d : byId.values()) if (d.id().startsWith(ref)) prefix = d;
        if (prefix == null) throw BerthException.notFound("network %s not found", ref);
        return prefix;
    }

    @Override public synchronized NetworkCreateReport create(NetworkCreateSpec spec) {
        calls.add("create " + spec);
        for (NetworkDetails d : byId.values())
            if (d.name().equals(spec.name())) throw BerthException.conflict("network with name %s already exists", spec.name());
        String id = String.format("%064x", 0xfeed00L + ++seq);
        List<IpamConfig> ipam = spec.ipam().isEmpty() ? List.of(new IpamConfig("172.18.0.0/16", null, "172.18.0.1")) : spec.ipam();
        put(new NetworkDetails(id, spec.name(), Instant.parse("2026-11-23T14:00:00Z"), "local", spec.driver(), spec.enableIPv6(), ipam,
                spec.internal(), spec.attachable(), Map.of(), spec.options(), spec.labels()));
        return new NetworkCreateReport(id, "");
    }

    @Override public synchronized List<NetworkDetails> list(Map<String, List<String>> filters) {
        calls.add("list " + filters);
        List<NetworkDetails> out = new ArrayList<>();
        for (NetworkDetails d : byId.values()) {
            List<String> names = filters.getOrDefault("name", List.of());
            if (!names.isEmpty() && names.stream().noneMatch(n -> d.name().contains(n))) continue;
            List<String> drivers = filters.getOrDefault("driver", List.of());
            if (!drivers.isEmpty() && !drivers.contains(d.driver())) continue;
            out.add(d);
        }
        return out;
    }

    @Override public NetworkDetails inspect(String ref) { return find(ref); }

    @Override public synchronized void remove(String ref) {
        NetworkDetails d = find(ref);
        calls.add("remove " + d.name());
        if (List.of("bridge", "host", "none").contains(d.name()))
            throw BerthException.invalid("%s is a pre-defined network and cannot be removed", d.name());
        if (!d.containers().isEmpty()) throw BerthException.conflict("error while removing network: network %s id %s has active endpoints", d.name(), d.id());
        byId.remove(d.id());
    }

    @Override public synchronized List<String> prune(Map<String, List<String>> filters) {
        calls.add("prune " + filters);
        List<String> gone = new ArrayList<>();
        for (NetworkDetails d : List.copyOf(byId.values())) {
            if (List.of("bridge", "host", "none").contains(d.name()) || !d.containers().isEmpty()) continue;
            byId.remove(d.id());
            gone.add(d.name());
        }
        return gone;
    }

    @Override public synchronized void connect(String network, String container, EndpointSpec endpoint) {
        NetworkDetails d = find(network);
        calls.add("connect " + d.name() + " " + container + " " + endpoint);
        Map<String, NetworkEndpoint> members = new LinkedHashMap<>(d.containers());
        members.put(container, new NetworkEndpoint(container, "e".repeat(64), "02:42:ac:12:00:02",
                (endpoint.ipv4Address() == null ? "172.18.0.2" : endpoint.ipv4Address()) + "/16", ""));
        put(new NetworkDetails(d.id(), d.name(), d.created(), d.scope(), d.driver(), d.enableIPv6(), d.ipam(), d.internal(),
                d.attachable(), members, d.options(), d.labels()));
    }

    @Override public synchronized void disconnect(String network, String container, boolean force) {
        NetworkDetails d = find(network);
        calls.add("disconnect " + d.name() + " " + container + " force=" + force);
        Map<String, NetworkEndpoint> members = new LinkedHashMap<>(d.containers());
        if (members.remove(container) == null && !force) throw BerthException.notFound("container %s is not connected to network %s", container, d.name());
        put(new NetworkDetails(d.id(), d.name(), d.created(), d.scope(), d.driver(), d.enableIPv6(), d.ipam(), d.internal(),
                d.attachable(), members, d.options(), d.labels()));
    }

    /** What a networked engine would report for a container with this spec and state. */
    static NetworkSettings settings(String id, NetworkSpec spec, String networkMode, boolean running) {
        if (!running) return NetworkSettings.EMPTY;
        Map<String, List<PortBinding>> ports = new LinkedHashMap<>();
        int next = 32768;
        for (String p : spec.exposedPorts()) {
            List<PortBinding> asked = spec.portBindings().get(p);
            if (asked == null && spec.publishAllPorts()) asked = List.of(new PortBinding("", ""));
            List<PortBinding> made = new ArrayList<>();
            if (asked != null) for (PortBinding b : asked) {
                String port = b.hostPort() == null || b.hostPort().isEmpty() ? Integer.toString(next++) : b.hostPort();
                if (b.hostIp() == null || b.hostIp().isEmpty()) {
                    made.add(new PortBinding("0.0.0.0", port));
                    made.add(new PortBinding("::", port));
                } else made.add(new PortBinding(b.hostIp(), port));
            }
            ports.put(p, made);
        }
        String net = networkMode == null || networkMode.equals("default") ? "bridge" : networkMode;
        EndpointSpec ep = spec.endpoints().getOrDefault(net, EndpointSpec.DEFAULT);
        var state = new EndpointState(BRIDGE_ID, "0716190e1bc3744de09a5b17a3fce873284f9ca152ed89d5e32ff7a684d8c1df",
                "172.17.0.1", ep.ipv4Address() != null ? ep.ipv4Address() : "172.17.0.2", 16, "02:42:ac:11:00:02", ep.aliases(), "", "", 0);
        return new NetworkSettings("/run/berth/netns/" + id.substring(0, 12), ports, Map.of(net, state));
    }

    /** {@code containers} with inspect and list results carrying {@link #settings}. */
    static ContainerEngine around(FakeContainers containers) {
        return (ContainerEngine) Proxy.newProxyInstance(ContainerEngine.class.getClassLoader(), new Class<?>[]{ContainerEngine.class},
                (proxy, method, args) -> {
                    Object r;
                    try { r = method.invoke(containers, args); }
                    catch (InvocationTargetException e) { throw e.getCause(); }
                    if (r instanceof ContainerDetails d) {
                        return new ContainerDetails(d.id(), d.name(), d.created(), d.imageId(), d.image(), d.path(), d.args(), d.state(), d.spec(),
                                d.env(), d.workingDir(), d.user(), d.rootfs(), d.logPath(), d.labels(), d.execIds(), d.driver(),
                                settings(d.id(), d.spec().network(), d.spec().host().networkMode(), d.state().running()), d.mounts());
                    }
                    if (method.getName().equals("list") && r instanceof List<?> l) {
                        List<ContainerSummary> out = new ArrayList<>();
                        for (Object o : l) {
                            ContainerSummary s = (ContainerSummary) o;
                            ContainerDetails d = containers.inspect(s.id());
                            out.add(new ContainerSummary(s.id(), s.names(), s.image(), s.imageId(), s.command(), s.created(), s.state(),
                                    s.status(), s.labels(), settings(d.id(), d.spec().network(), d.spec().host().networkMode(),
                                    s.state() == ContainerState.Status.RUNNING), s.mounts()));
                        }
                        return out;
                    }
                    return r;
                });
    }
}
