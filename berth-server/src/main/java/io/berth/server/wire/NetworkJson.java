package io.berth.server.wire;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.api.BerthException;
import io.berth.api.container.ContainerDetails;
import io.berth.api.container.ContainerSpec;
import io.berth.api.container.ContainerSummary;
import io.berth.api.container.EndpointState;
import io.berth.api.container.HostSpec;
import io.berth.api.container.NetworkSettings;
import io.berth.api.container.NetworkSpec;
import io.berth.api.container.PortBinding;
import io.berth.api.network.EndpointSpec;
import io.berth.api.network.IpamConfig;
import io.berth.api.network.NetworkCreateSpec;
import io.berth.api.network.NetworkDetails;
import io.berth.api.network.NetworkEndpoint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Docker's networking JSON: the {@code /networks} bodies, and the networking parts of container
 * create (Config.ExposedPorts, HostConfig.PortBindings, Dns, ExtraHosts, NetworkingConfig), inspect
 * (NetworkSettings, the echoed HostConfig and Config fields) and list (Ports, Networks). Kept apart
 * from {@link ContainerJson} so that class only calls in here with a line each.
 *
 * <p>Map keys are sorted where Docker's are Go maps (Go's encoder sorts them), so output is stable.
 */
public final class NetworkJson {
    private NetworkJson() {}

    // ------------------------------------------------------------------ /networks requests

    /** {@code POST /networks/create} body. Docker ≥ 1.44 always refuses duplicate names, whatever CheckDuplicate says. */
    public static NetworkCreateSpec createSpec(JsonNode b) {
        if (b == null || !b.isObject()) throw BerthException.invalid("creating a network: the body must be a JSON object");
        String name = ContainerJson.str(b, "Name");
        if (name == null) throw BerthException.invalid("creating a network: no name given (Name is empty)");
        String driver = ContainerJson.str(b, "Driver");
        List<IpamConfig> ipam = new ArrayList<>();
        for (JsonNode c : b.path("IPAM").path("Config")) {
            ipam.add(new IpamConfig(ContainerJson.str(c, "Subnet"), ContainerJson.str(c, "IPRange"), ContainerJson.str(c, "Gateway")));
        }
        return new NetworkCreateSpec(name, driver == null ? "bridge" : driver, ContainerJson.bool(b, "Internal"),
                ContainerJson.bool(b, "Attachable"), ContainerJson.bool(b, "EnableIPv6"), List.copyOf(ipam),
                ContainerJson.strMap(b, "Options"), ContainerJson.strMap(b, "Labels"), true);
    }

    /** An EndpointSettings object (connect's EndpointConfig, create's EndpointsConfig values); null/missing → default. */
    public static EndpointSpec endpoint(JsonNode e) {
        if (e == null || !e.isObject()) return EndpointSpec.DEFAULT;
        List<String> aliases = ContainerJson.strs(e, "Aliases");
        JsonNode ipam = e.path("IPAMConfig");
        return new EndpointSpec(aliases == null ? List.of() : List.copyOf(aliases), ContainerJson.str(ipam, "IPv4Address"),
                ContainerJson.str(ipam, "IPv6Address"), ContainerJson.str(e, "MacAddress"));
    }

    /** {@code POST /networks/{id}/connect}: the container reference. */
    public static String container(JsonNode b) {
        String c = b == null ? null : ContainerJson.str(b, "Container");
        if (c == null) throw BerthException.invalid("no container given (Container is empty)");
        return c;
    }

    // ------------------------------------------------------------------ /networks responses

    /** One network as {@code GET /networks/{id}} and each element of {@code GET /networks} show it, keys in Docker's order. */
    public static Map<String, Object> network(NetworkDetails d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Name", d.name());
        m.put("Id", d.id());
        m.put("Created", WireTime.rfc3339Nano(d.created()));
        m.put("Scope", d.scope() == null ? "local" : d.scope());
        m.put("Driver", d.driver() == null ? "bridge" : d.driver());
        m.put("EnableIPv4", true);
        m.put("EnableIPv6", d.enableIPv6());
        List<Map<String, Object>> configs = new ArrayList<>();
        if (d.ipam() != null) for (IpamConfig c : d.ipam()) {
            // Go's IPAMConfig fields are all omitempty.
            Map<String, Object> x = new LinkedHashMap<>();
            if (notEmpty(c.subnet())) x.put("Subnet", c.subnet());
            if (notEmpty(c.ipRange())) x.put("IPRange", c.ipRange());
            if (notEmpty(c.gateway())) x.put("Gateway", c.gateway());
            configs.add(x);
        }
        Map<String, Object> ipam = new LinkedHashMap<>();
        ipam.put("Driver", "default");
        ipam.put("Options", null);
        ipam.put("Config", configs);
        m.put("IPAM", ipam);
        m.put("Internal", d.internal());
        m.put("Attachable", d.attachable());
        m.put("Ingress", false);
        m.put("ConfigFrom", Map.of("Network", ""));
        m.put("ConfigOnly", false);
        Map<String, Object> containers = new TreeMap<>();
        if (d.containers() != null) d.containers().forEach((id, e) -> containers.put(id, endpoint(e)));
        m.put("Containers", containers);
        m.put("Options", d.options() == null ? Map.of() : new TreeMap<>(d.options()));
        m.put("Labels", d.labels() == null ? Map.of() : new TreeMap<>(d.labels()));
        return m;
    }

    private static Map<String, Object> endpoint(NetworkEndpoint e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Name", nz(e.name()));
        m.put("EndpointID", nz(e.endpointId()));
        m.put("MacAddress", nz(e.macAddress()));
        m.put("IPv4Address", nz(e.ipv4Address()));
        m.put("IPv6Address", nz(e.ipv6Address()));
        return m;
    }

    public static Map<String, Object> created(String id, String warning) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", id);
        m.put("Warning", warning == null ? "" : warning);
        return m;
    }

    /** Docker writes null, not [], when nothing was pruned (Testcontainers' reaper reads either). */
    public static Map<String, Object> pruned(List<String> names) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("NetworksDeleted", names == null || names.isEmpty() ? null : names);
        return m;
    }

    // ------------------------------------------------------------------ container create

    /**
     * The networking half of a container create body. Ports named in PortBindings are exposed
     * too (docker-java sends both, but a hand-written body may not). The EndpointsConfig entry the
     * CLI always sends for the primary network ("default" or the --network name) is dropped when
     * it carries no settings, so {@link NetworkSpec#endpoints()} holds only what the user asked for;
     * with settings it is keyed "bridge", the default network's name.
     */
    public static NetworkSpec containerSpec(JsonNode b) {
        if (b == null || !b.isObject()) return NetworkSpec.NONE;
        JsonNode h = b.path("HostConfig");
        Set<String> exposed = new LinkedHashSet<>();
        b.path("ExposedPorts").fieldNames().forEachRemaining(p -> exposed.add(portKey(p)));
        Map<String, List<PortBinding>> bindings = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : h.path("PortBindings").properties()) {
            String key = portKey(e.getKey());
            List<PortBinding> list = new ArrayList<>();
            for (JsonNode pb : e.getValue()) list.add(new PortBinding(nz(ContainerJson.str(pb, "HostIp")), nz(ContainerJson.str(pb, "HostPort"))));
            bindings.put(key, List.copyOf(list));
            exposed.add(key);
        }
        String mode = ContainerJson.str(h, "NetworkMode");
        Map<String, EndpointSpec> endpoints = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : b.path("NetworkingConfig").path("EndpointsConfig").properties()) {
            EndpointSpec es = endpoint(e.getValue());
            boolean primary = e.getKey().equals("default") || e.getKey().equals(mode);
            if (primary && es.equals(EndpointSpec.DEFAULT)) continue;
            // "default" is the CLI's name for the daemon's default network, which is "bridge".
            endpoints.put(e.getKey().equals("default") ? "bridge" : e.getKey(), es);
        }
        return new NetworkSpec(Set.copyOf(exposed), bindings, ContainerJson.bool(h, "PublishAllPorts"), list(h, "Dns"),
                list(h, "DnsSearch"), list(h, "DnsOptions"), list(h, "ExtraHosts"), endpoints, ContainerJson.str(b, "MacAddress"));
    }

    /** "80" means "80/tcp", as Docker's nat.NewPort; the protocol is lower-cased. */
    static String portKey(String p) {
        int slash = p.indexOf('/');
        if (slash < 0) return p + "/tcp";
        String proto = p.substring(slash + 1);
        return p.substring(0, slash) + "/" + (proto.isEmpty() ? "tcp" : proto.toLowerCase(java.util.Locale.ROOT));
    }

    // ------------------------------------------------------------------ container inspect and list

    /**
     * Fills the networking keys of an inspect document built by {@link ContainerJson#inspect}:
     * HostConfig (PortBindings, PublishAllPorts, Dns*, ExtraHosts, NetworkMode), Config
     * (ExposedPorts, MacAddress) and NetworkSettings. Existing keys keep their position.
     */
    @SuppressWarnings("unchecked")
    public static void fillInspect(Map<String, Object> doc, ContainerDetails d) {
        ContainerSpec spec = d.spec();
        NetworkSpec ns = spec == null ? NetworkSpec.NONE : spec.network();
        HostSpec host = spec == null || spec.host() == null ? HostSpec.DEFAULT : spec.host();
        if (doc.get("HostConfig") instanceof Map<?, ?> hc) {
            Map<String, Object> h = (Map<String, Object>) hc;
            h.put("NetworkMode", networkMode(host));
            h.put("PortBindings", portBindings(ns.portBindings()));
            h.put("PublishAllPorts", ns.publishAllPorts());
            h.put("Dns", nullIfEmpty(ns.dns()));
            h.put("DnsOptions", nullIfEmpty(ns.dnsOptions()));
            h.put("DnsSearch", nullIfEmpty(ns.dnsSearch()));
            h.put("ExtraHosts", nullIfEmpty(ns.extraHosts()));
        }
        if (doc.get("Config") instanceof Map<?, ?> cc) {
            Map<String, Object> c = (Map<String, Object>) cc;
            // Docker's Config merges the image's exposed ports; the engine reports those among its ports.
            Set<String> exposed = new LinkedHashSet<>(ns.exposedPorts());
            if (d.networkSettings() != null && d.networkSettings().ports() != null) exposed.addAll(d.networkSettings().ports().keySet());
            c.put("ExposedPorts", exposedPorts(exposed));
            if (notEmpty(ns.macAddress())) c.put("MacAddress", ns.macAddress());
        }
        doc.put("NetworkSettings", networkSettings(d.networkSettings(), ns));
    }

    /** Docker echoes "default" when the client gave no NetworkMode. */
    static String networkMode(HostSpec h) {
        return h.networkMode() == null || h.networkMode().isEmpty() ? "default" : h.networkMode();
    }

    static Map<String, Object> portBindings(Map<String, List<PortBinding>> pb) {
        Map<String, Object> m = new TreeMap<>();
        if (pb != null) pb.forEach((port, list) -> {
            List<Map<String, Object>> l = new ArrayList<>();
            for (PortBinding b : list) l.add(binding(nz(b.hostIp()), nz(b.hostPort())));
            m.put(port, l);
        });
        return m;
    }

    static Map<String, Object> exposedPorts(Set<String> ports) {
        if (ports == null || ports.isEmpty()) return null;
        Map<String, Object> m = new TreeMap<>();
        for (String p : ports) m.put(p, Map.of());
        return m;
    }

    /**
     * NetworkSettings as Docker 20.10+ writes it. Ports: the bindings made ("0.0.0.0" for an
     * unspecified host address, as Testcontainers expects a real address), null for an exposed
     * port without one; exposed ports appear only once the container has a sandbox, as in Docker.
     * The top-level EndpointID/Gateway/IPAddress/… describe the default "bridge" network only.
     */
    public static Map<String, Object> networkSettings(NetworkSettings s, NetworkSpec spec) {
        if (s == null) s = NetworkSettings.EMPTY;
        String key = nz(s.sandboxKey());
        Map<String, Object> ports = new TreeMap<>();
        if (!key.isEmpty() && spec != null) for (String p : spec.exposedPorts()) ports.put(p, null);
        if (s.ports() != null) s.ports().forEach((port, list) -> {
            if (list == null || list.isEmpty()) { ports.put(port, null); return; }
            List<Map<String, Object>> l = new ArrayList<>();
            for (PortBinding b : list) l.add(binding(notEmpty(b.hostIp()) ? b.hostIp() : "0.0.0.0", nz(b.hostPort())));
            ports.put(port, l);
        });
        EndpointState bridge = s.networks() == null ? null : s.networks().get("bridge");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Bridge", "");
        m.put("SandboxID", key.isEmpty() ? "" : key.substring(key.lastIndexOf('/') + 1));
        m.put("HairpinMode", false);
        m.put("LinkLocalIPv6Address", "");
        m.put("LinkLocalIPv6PrefixLen", 0);
        m.put("Ports", ports);
        m.put("SandboxKey", key);
        m.put("SecondaryIPAddresses", null);
        m.put("SecondaryIPv6Addresses", null);
        m.put("EndpointID", bridge == null ? "" : nz(bridge.endpointId()));
        m.put("Gateway", bridge == null ? "" : nz(bridge.gateway()));
        m.put("GlobalIPv6Address", bridge == null ? "" : nz(bridge.globalIPv6Address()));
        m.put("GlobalIPv6PrefixLen", bridge == null ? 0 : bridge.globalIPv6PrefixLen());
        m.put("IPAddress", bridge == null ? "" : nz(bridge.ipAddress()));
        m.put("IPPrefixLen", bridge == null ? 0 : bridge.ipPrefixLen());
        m.put("IPv6Gateway", bridge == null ? "" : nz(bridge.ipv6Gateway()));
        m.put("MacAddress", bridge == null ? "" : nz(bridge.macAddress()));
        m.put("Networks", networks(s.networks(), spec));
        return m;
    }

    /** NetworkSettings.Networks: name → EndpointSettings, with the static addresses asked for as IPAMConfig. */
    static Map<String, Object> networks(Map<String, EndpointState> networks, NetworkSpec spec) {
        Map<String, Object> out = new TreeMap<>();
        if (networks == null) return out;
        networks.forEach((name, e) -> {
            EndpointSpec asked = spec == null || spec.endpoints() == null ? null : spec.endpoints().get(name);
            Map<String, Object> m = new LinkedHashMap<>();
            Map<String, Object> ipam = null;
            if (asked != null && (notEmpty(asked.ipv4Address()) || notEmpty(asked.ipv6Address()))) {
                ipam = new LinkedHashMap<>();
                if (notEmpty(asked.ipv4Address())) ipam.put("IPv4Address", asked.ipv4Address());
                if (notEmpty(asked.ipv6Address())) ipam.put("IPv6Address", asked.ipv6Address());
            }
            m.put("IPAMConfig", ipam);
            m.put("Links", null);
            m.put("Aliases", nullIfEmpty(e.aliases()));
            m.put("NetworkID", nz(e.networkId()));
            m.put("EndpointID", nz(e.endpointId()));
            m.put("Gateway", nz(e.gateway()));
            m.put("IPAddress", nz(e.ipAddress()));
            m.put("IPPrefixLen", e.ipPrefixLen());
            m.put("IPv6Gateway", nz(e.ipv6Gateway()));
            m.put("GlobalIPv6Address", nz(e.globalIPv6Address()));
            m.put("GlobalIPv6PrefixLen", e.globalIPv6PrefixLen());
            m.put("MacAddress", nz(e.macAddress()));
            m.put("DriverOpts", null);
            out.put(name, m);
        });
        return out;
    }

    /** A {@code GET /containers/json} row: {@link ContainerJson#summary} with the networking filled in. */
    public static Map<String, Object> summary(ContainerSummary s, String networkMode) {
        Map<String, Object> row = ContainerJson.summary(s, networkMode);
        fillSummary(row, s);
        return row;
    }

    /**
     * Fills a {@code GET /containers/json} row built by {@link ContainerJson#summary}: Ports
     * ({@code {IP,PrivatePort,PublicPort,Type}}, or just PrivatePort and Type when unpublished),
     * HostConfig.NetworkMode (the first network joined when the row does not carry one) and
     * NetworkSettings.Networks.
     */
    public static void fillSummary(Map<String, Object> row, ContainerSummary s) {
        NetworkSettings ns = s.networkSettings() == null ? NetworkSettings.EMPTY : s.networkSettings();
        row.put("Ports", summaryPorts(ns.ports()));
        if (ns.networks() != null && !ns.networks().isEmpty()) {
            String first = ns.networks().keySet().iterator().next();
            row.put("HostConfig", Map.of("NetworkMode", first));
        }
        row.put("NetworkSettings", Map.of("Networks", networks(ns.networks(), null)));
    }

    static List<Map<String, Object>> summaryPorts(Map<String, List<PortBinding>> ports) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (ports == null) return out;
        new TreeMap<>(ports).forEach((key, list) -> {
            int slash = key.indexOf('/');
            int priv = parsePort(slash < 0 ? key : key.substring(0, slash));
            String type = slash < 0 ? "tcp" : key.substring(slash + 1);
            if (list == null || list.isEmpty()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("PrivatePort", priv);
                m.put("Type", type);
                out.add(m);
                return;
            }
            for (PortBinding b : list) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("IP", notEmpty(b.hostIp()) ? b.hostIp() : "0.0.0.0");
                m.put("PrivatePort", priv);
                m.put("PublicPort", parsePort(b.hostPort()));
                m.put("Type", type);
                out.add(m);
            }
        });
        return out;
    }

    private static int parsePort(String s) {
        try { return s == null || s.isEmpty() ? 0 : Integer.parseInt(s); }
        catch (NumberFormatException e) { return 0; }
    }

    private static Map<String, Object> binding(String ip, String port) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("HostIp", ip);
        m.put("HostPort", port);
        return m;
    }

    private static List<String> list(JsonNode n, String f) {
        List<String> l = ContainerJson.strs(n, f);
        return l == null ? List.of() : List.copyOf(l);
    }

    private static <T> List<T> nullIfEmpty(List<T> l) { return l == null || l.isEmpty() ? null : l; }

    private static boolean notEmpty(String s) { return s != null && !s.isEmpty(); }

    private static String nz(String s) { return s == null ? "" : s; }
}
