package io.berth.cli;

import io.berth.api.container.ContainerSpec;
import io.berth.api.container.HostSpec;
import io.berth.api.container.NetworkSpec;
import io.berth.api.network.EndpointSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The networking flags of {@code run}/{@code create} ({@code -p}, {@code -P}, {@code --expose},
 * {@code --network-alias}, {@code --ip}, {@code --ip6}, {@code --dns*}, {@code --add-host},
 * {@code --mac-address}; {@code --network} itself is defined by {@link RunFlags}) and their
 * translation into {@link ContainerSpec#network()} with the docker CLI's validation and wording.
 * Pure: the tests call {@link #apply} directly.
 */
final class NetworkFlags {
    private NetworkFlags() { }

    private static final Pattern MAC = Pattern.compile("^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$");

    static Flags add(Flags f) {
        return f.value("publish", 'p', "list", "Publish a container's port(s) to the host")
                .bool("publish-all", 'P', "Publish all exposed ports to random ports")
                .value("expose", '\0', "list", "Expose a port or a range of ports")
                .value("network-alias", '\0', "list", "Add network-scoped alias for the container")
                .value("ip", '\0', "string", "IPv4 address (e.g., 172.30.100.104)")
                .value("ip6", '\0', "string", "IPv6 address (e.g., 2001:db8::33)")
                .value("dns", '\0', "list", "Set custom DNS servers")
                .value("dns-search", '\0', "list", "Set custom DNS search domains")
                .value("dns-option", '\0', "list", "Set DNS options")
                .value("dns-opt", '\0', "list", "Set DNS options")
                .value("add-host", '\0', "list", "Add a custom host-to-IP mapping (host:ip)")
                .value("mac-address", '\0', "string", "Container MAC address (e.g., 92:d0:c6:0a:29:33)");
    }

    /**
     * The spec with its networking from the flags. {@code --network} may repeat: the first is
     * HostConfig.NetworkMode and gets {@code --network-alias}/{@code --ip}/{@code --ip6}/{@code --mac-address}
     * (under "default" when no network was named, as the docker CLI sends it), the others are
     * joined too.
     */
    static ContainerSpec apply(Flags.Parsed p, ContainerSpec spec) {
        PortSpec.Ports ports = PortSpec.parse(p.values("publish"), p.values("expose"));
        List<String> dns = new ArrayList<>();
        for (String d : p.values("dns")) {
            if (!PortSpec.isIp(d.strip())) throw new CliException("invalid argument \"" + d + "\" for \"--dns\" flag: IP address is not correctly formatted: " + d);
            dns.add(d.strip());
        }
        List<String> dnsOptions = new ArrayList<>(p.values("dns-option"));
        dnsOptions.addAll(p.values("dns-opt"));
        List<String> hosts = new ArrayList<>();
        for (String h : p.values("add-host")) hosts.add(extraHost(h));
        String ip = p.value("ip"), ip6 = p.value("ip6"), mac = p.value("mac-address");
        if (ip != null && !ip.isEmpty() && (ip.contains(":") || !PortSpec.isIp(ip))) throw new CliException("invalid IPv4 address: " + ip);
        if (ip6 != null && !ip6.isEmpty() && (!ip6.contains(":") || !PortSpec.isIp(ip6))) throw new CliException("invalid IPv6 address: " + ip6);
        if (mac != null && !mac.isEmpty() && !MAC.matcher(mac.strip()).matches()) throw new CliException(mac + " is not a valid mac address");

        List<String> nets = new ArrayList<>(p.values("network"));
        nets.addAll(p.values("net"));
        Map<String, EndpointSpec> endpoints = new LinkedHashMap<>();
        String first = nets.isEmpty() ? "default" : nets.getFirst();
        EndpointSpec primary = new EndpointSpec(List.copyOf(aliases(p.values("network-alias"))), empty(ip), empty(ip6), empty(mac));
        if (!primary.equals(EndpointSpec.DEFAULT)) endpoints.put(first, primary);
        for (String n : nets.subList(Math.min(1, nets.size()), nets.size())) {
            if (n.equals(first) || endpoints.containsKey(n)) throw new CliException("network \"" + n + "\" is specified multiple times");
            endpoints.put(n, EndpointSpec.DEFAULT);
        }
        boolean userDefined = false, builtin = false;
        for (String n : nets) {
            if (isUserDefined(n)) userDefined = true; else builtin = true;
        }
        if (userDefined && builtin)
            throw new CliException("conflicting options: cannot attach both user-defined and non-user-defined network-modes");

        NetworkSpec ns = new NetworkSpec(ports.exposed(), ports.bindings(), p.bool("publish-all"), List.copyOf(dns),
                List.copyOf(p.values("dns-search")), List.copyOf(dnsOptions), List.copyOf(hosts), endpoints, empty(mac));
        ContainerSpec out = spec.withNetwork(ns);
        if (!nets.isEmpty() && !first.equals(spec.host().networkMode())) out = out.withHost(withNetworkMode(spec.host(), first));
        return out;
    }

    /** Docker's ValidateExtraHost: "name:ip" or "name=ip", an IP in brackets allowed, or host-gateway; sent as "name:ip". */
    static String extraHost(String val) {
        int eq = val.indexOf('=');
        int cut = eq >= 0 ? eq : val.indexOf(':');
        String k = cut < 0 ? "" : val.substring(0, cut), v = cut < 0 ? "" : val.substring(cut + 1);
        if (cut < 0 || k.isEmpty() || k.contains(":")) throw new CliException("invalid argument \"" + val + "\" for \"--add-host\" flag: bad format for add-host: \"" + val + "\"");
        if (!v.equals("host-gateway")) {
            if (v.length() > 2 && v.startsWith("[") && v.endsWith("]")) v = v.substring(1, v.length() - 1);
            if (!PortSpec.isIp(v)) throw new CliException("invalid argument \"" + val + "\" for \"--add-host\" flag: invalid IP address in add-host: \"" + v + "\"");
        }
        return k + ":" + v;
    }

    /** --network-alias takes comma-separated lists too (a pflag string slice). */
    private static List<String> aliases(List<String> values) {
        List<String> out = new ArrayList<>();
        for (String v : values) for (String a : v.split(",")) if (!a.isBlank()) out.add(a.strip());
        return out;
    }

    /** Not one of Docker's built-in modes: a network name (or ID) the user created. */
    static boolean isUserDefined(String mode) {
        String m = mode.toLowerCase(Locale.ROOT);
        return !(m.equals("default") || m.equals("bridge") || m.equals("host") || m.equals("none") || m.startsWith("container:"));
    }

    private static HostSpec withNetworkMode(HostSpec h, String mode) {
        return new HostSpec(h.binds(), h.mounts(), h.tmpfs(), mode, h.autoRemove(), h.privileged(), h.capAdd(), h.capDrop(),
                h.securityOpt(), h.readOnlyRootfs(), h.init(), h.ulimits(), h.shmSize(), h.restartPolicy(), h.restartMaxRetries(),
                h.resources(), h.runtime(), h.groupAdd(), h.sysctls(), h.oomScoreAdj(), h.pidMode(), h.ipcMode(), h.utsMode(), h.consoleSize());
    }

    private static String empty(String s) { return s == null || s.isEmpty() ? null : s; }
}
