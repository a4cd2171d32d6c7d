package io.berth.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.api.container.ContainerDetails;
import io.berth.api.container.ContainerSpec;
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

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.TreeMap;

/**
 * The client's translation of networking between Berth's records and Docker's JSON: the
 * container create body's ports/DNS/endpoints, NetworkSettings and ps Ports back into records,
 * and the {@code /networks} bodies. {@link ContainerJson} calls in here with a line each.
 */
final class NetworkWire {
    private NetworkWire() { }

    // ------------------------------------------------------------------ container create

    /**
     * Adds the networking fields to a create body as the docker CLI sends them: Config.ExposedPorts
     * and MacAddress, HostConfig.PortBindings/PublishAllPorts/Dns/DnsOptions/DnsSearch/ExtraHosts,
     * NetworkingConfig.EndpointsConfig.
     */
    static void createBody(ObjectNode n, ContainerSpec s) {
        NetworkSpec ns = s.network() == null ? NetworkSpec.NONE : s.network();
        ObjectNode exposed = Json.mapper().createObjectNode();
        for (String p : new TreeMap<>(toMap(ns.exposedPorts())).keySet()) exposed.putObject(p);
        for (String p : ns.portBindings().keySet()) if (!exposed.has(p)) exposed.putObject(p);
        if (!exposed.isEmpty()) n.set("ExposedPorts", exposed); // omitempty, as the CLI
        if (ns.macAddress() != null) n.put("MacAddress", ns.macAddress());
        ObjectNode h = n.withObjectProperty("HostConfig");
        ObjectNode pb = h.putObject("PortBindings");
        ns.portBindings().forEach((port, list) -> {
            ArrayNode a = pb.putArray(port);
            for (PortBinding b : list) a.addObject().put("HostIp", nz(b.hostIp())).put("HostPort", nz(b.hostPort()));
        });
        h.put("PublishAllPorts", ns.publishAllPorts());
        strings(h.putArray("Dns"), ns.dns());
        strings(h.putArray("DnsOptions"), ns.dnsOptions());
        strings(h.putArray("DnsSearch"), ns.dnsSearch());
        if (ns.extraHosts() == null || ns.extraHosts().isEmpty()) h.putNull("ExtraHosts");
        else strings(h.putArray("ExtraHosts"), ns.extraHosts());
        ObjectNode eps = n.putObject("NetworkingConfig").putObject("EndpointsConfig");
        ns.endpoints().forEach((name, e) -> eps.set(name, endpointBody(e)));
    }

    /** An EndpointSettings body (create's EndpointsConfig values, connect's EndpointConfig). */
    static ObjectNode endpointBody(EndpointSpec e) {
        ObjectNode o = Json.mapper().createObjectNode();
        if (e.ipv4Address() != null || e.ipv6Address() != null) {
            ObjectNode ipam = o.putObject("IPAMConfig");
            if (e.ipv4Address() != null) ipam.put("IPv4Address", e.ipv4Address());
            if (e.ipv6Address() != null) ipam.put("IPv6Address", e.ipv6Address());
        } else o.putNull("IPAMConfig");
        if (e.aliases() == null || e.aliases().isEmpty()) o.putNull("Aliases");
        else strings(o.putArray("Aliases"), e.aliases());
        o.put("MacAddress", nz(e.macAddress()));
        return o;
    }

    // ------------------------------------------------------------------ container inspect and list

    /** The details with their networking filled from the inspect document. */
    static ContainerDetails details(ContainerDetails d, JsonNode n) {
        ContainerSpec spec = d.spec().withNetwork(spec(n));
        return new ContainerDetails(d.id(), d.name(), d.created(), d.imageId(), d.image(), d.path(), d.args(), d.state(), spec,
                d.env(), d.workingDir(), d.user(), d.rootfs(), d.logPath(), d.labels(), d.execIds(), d.driver(),
                settings(n.path("NetworkSettings")), d.mounts());
    }

    /** The summary with its ports and networks filled from the ps row. */
    static ContainerSummary summary(ContainerSummary s, JsonNode i) {
        NetworkSettings ns = new NetworkSettings("", summaryPorts(i.path("Ports")), networks(i.path("NetworkSettings").path("Networks")));
        return new ContainerSummary(s.id(), s.names(), s.image(), s.imageId(), s.command(), s.created(), s.state(), s.status(),
                s.labels(), ns, s.mounts());
    }

    /** What was asked at create, as inspect echoes it (Config.ExposedPorts, HostConfig.*, IPAMConfig of each network). */
    static NetworkSpec spec(JsonNode n) {
        JsonNode c = n.path("Config"), h = n.path("HostConfig");
        LinkedHashSet<String> exposed = new LinkedHashSet<>();
        c.path("ExposedPorts").fieldNames().forEachRemaining(exposed::add);
        Map<String, List<PortBinding>> bindings = new LinkedHashMap<>();
        for (Entry<String, JsonNode> e : h.path("PortBindings").properties()) {
            List<PortBinding> l = new ArrayList<>();
            for (JsonNode b : e.getValue()) l.add(new PortBinding(b.path("HostIp").asText(""), b.path("HostPort").asText("")));
            bindings.put(e.getKey(), List.copyOf(l));
        }
        Map<String, EndpointSpec> endpoints = new LinkedHashMap<>();
        for (Entry<String, JsonNode> e : n.path("NetworkSettings").path("Networks").properties()) {
            JsonNode ipam = e.getValue().path("IPAMConfig");
            String v4 = text(ipam, "IPv4Address"), v6 = text(ipam, "IPv6Address");
            if (v4 != null || v6 != null) endpoints.put(e.getKey(), new EndpointSpec(List.of(), v4, v6, null));
        }
        return new NetworkSpec(java.util.Set.copyOf(exposed), bindings, h.path("PublishAllPorts").asBoolean(), strs(h.path("Dns")),
                strs(h.path("DnsSearch")), strs(h.path("DnsOptions")), strs(h.path("ExtraHosts")), endpoints, text(c, "MacAddress"));
    }

    /** NetworkSettings: Ports ({@code null} → an exposed port without bindings, an empty list here) and Networks. */
    static NetworkSettings settings(JsonNode ns) {
        Map<String, List<PortBinding>> ports = new LinkedHashMap<>();
        for (Entry<String, JsonNode> e : ns.path("Ports").properties()) {
            List<PortBinding> l = new ArrayList<>();
            for (JsonNode b : e.getValue()) l.add(new PortBinding(b.path("HostIp").asText(""), b.path("HostPort").asText("")));
            ports.put(e.getKey(), List.copyOf(l));
        }
        return new NetworkSettings(ns.path("SandboxKey").asText(""), ports, networks(ns.path("Networks")));
    }

    static Map<String, EndpointState> networks(JsonNode networks) {
        Map<String, EndpointState> out = new LinkedHashMap<>();
        for (Entry<String, JsonNode> e : networks.properties()) {
            JsonNode x = e.getValue();
            out.put(e.getKey(), new EndpointState(x.path("NetworkID").asText(""), x.path("EndpointID").asText(""), x.path("Gateway").asText(""),
                    x.path("IPAddress").asText(""), x.path("IPPrefixLen").asInt(), x.path("MacAddress").asText(""), strs(x.path("Aliases")),
                    x.path("IPv6Gateway").asText(""), x.path("GlobalIPv6Address").asText(""), x.path("GlobalIPv6PrefixLen").asInt()));
        }
        return out;
    }

    /** ps's Ports array → "80/tcp" → bindings (IP and PublicPort), an unpublished port → an empty list. */
    static Map<String, List<PortBinding>> summaryPorts(JsonNode ports) {
        Map<String, List<PortBinding>> out = new LinkedHashMap<>();
        for (JsonNode p : ports) {
            String key = p.path("PrivatePort").asInt() + "/" + p.path("Type").asText("tcp");
            List<PortBinding> l = new ArrayList<>(out.getOrDefault(key, List.of()));
            if (p.hasNonNull("PublicPort") && p.path("PublicPort").asInt() != 0)
                l.add(new PortBinding(p.path("IP").asText(""), Integer.toString(p.path("PublicPort").asInt())));
            out.put(key, List.copyOf(l));
        }
        return out;
    }

    // ------------------------------------------------------------------ /networks

    /** {@code POST /networks/create} body, as the docker CLI sends it. */
    static ObjectNode createBody(NetworkCreateSpec s) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("Name", s.name());
        n.put("CheckDuplicate", true);
        n.put("Driver", s.driver() == null ? "bridge" : s.driver());
        n.put("EnableIPv6", s.enableIPv6());
        ObjectNode ipam = n.putObject("IPAM");
        ipam.put("Driver", "default");
        ArrayNode cfg = ipam.putArray("Config");
        if (s.ipam() != null) for (IpamConfig c : s.ipam()) {
            ObjectNode o = cfg.addObject();
            if (c.subnet() != null) o.put("Subnet", c.subnet());
            if (c.ipRange() != null) o.put("IPRange", c.ipRange());
            if (c.gateway() != null) o.put("Gateway", c.gateway());
        }
        n.put("Internal", s.internal());
        n.put("Attachable", s.attachable());
        map(n.putObject("Options"), s.options());
        map(n.putObject("Labels"), s.labels());
        return n;
    }

    static NetworkDetails network(JsonNode n) {
        List<IpamConfig> ipam = new ArrayList<>();
        for (JsonNode c : n.path("IPAM").path("Config"))
            ipam.add(new IpamConfig(text(c, "Subnet"), text(c, "IPRange"), text(c, "Gateway")));
        Map<String, NetworkEndpoint> containers = new LinkedHashMap<>();
        for (Entry<String, JsonNode> e : n.path("Containers").properties()) {
            JsonNode x = e.getValue();
            containers.put(e.getKey(), new NetworkEndpoint(x.path("Name").asText(""), x.path("EndpointID").asText(""),
                    x.path("MacAddress").asText(""), x.path("IPv4Address").asText(""), x.path("IPv6Address").asText("")));
        }
        return new NetworkDetails(n.path("Id").asText(), n.path("Name").asText(), BerthClient.instant(text(n, "Created")),
                n.path("Scope").asText("local"), n.path("Driver").asText(""), n.path("EnableIPv6").asBoolean(), List.copyOf(ipam),
                n.path("Internal").asBoolean(), n.path("Attachable").asBoolean(), containers, strMap(n.path("Options")),
                strMap(n.path("Labels")));
    }

    // ------------------------------------------------------------------ helpers

    private static Map<String, Boolean> toMap(java.util.Set<String> s) {
        Map<String, Boolean> m = new LinkedHashMap<>();
        if (s != null) for (String x : s) m.put(x, true);
        return m;
    }

    private static void strings(ArrayNode a, List<String> values) { if (values != null) values.forEach(a::add); }

    private static void map(ObjectNode n, Map<String, String> m) { if (m != null) m.forEach(n::put); }

    private static String nz(String s) { return s == null ? "" : s; }

    private static String text(JsonNode n, String f) {
        JsonNode v = n.get(f);
        return v == null || v.isNull() || v.asText().isEmpty() ? null : v.asText();
    }

    private static List<String> strs(JsonNode n) { return n.isArray() ? BerthClient.strings(n) : List.of(); }

    private static Map<String, String> strMap(JsonNode n) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Entry<String, JsonNode> e : n.properties()) m.put(e.getKey(), e.getValue().asText());
        return m;
    }
}
