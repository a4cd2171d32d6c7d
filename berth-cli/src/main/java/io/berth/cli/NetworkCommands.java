package io.berth.cli;

import io.berth.api.BerthException;
import io.berth.api.container.ContainerDetails;
import io.berth.api.network.EndpointSpec;
import io.berth.api.network.IpamConfig;
import io.berth.api.network.NetworkCreateSpec;
import io.berth.api.network.NetworkDetails;
import io.berth.client.DaemonException;
import io.berth.client.NetworkClient;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code berth network create|ls|inspect|rm|prune|connect|disconnect} and {@code berth port}, with
 * the docker CLI's flags, output and messages (cli/command/network in docker/cli 28.x).
 */
final class NetworkCommands {
    private NetworkCommands() { }

    static final String USAGE = """

            Usage:  berth network COMMAND

            Manage networks

            Commands:
              connect     Connect a container to a network
              create      Create a network
              disconnect  Disconnect a container from a network
              inspect     Display detailed information on one or more networks
              ls          List networks
              prune       Remove all unused networks
              rm          Remove one or more networks

            Run 'berth network COMMAND --help' for more information on a command.
            """;

    static int network(Cli cli, List<String> args) {
        if (args.isEmpty() || args.getFirst().equals("--help") || args.getFirst().equals("-h")) {
            cli.out.print(USAGE);
            return 0;
        }
        List<String> rest = args.subList(1, args.size());
        String c = "berth network " + args.getFirst();
        return switch (args.getFirst()) {
            case "create" -> create(cli, rest, c);
            case "ls", "list" -> ls(cli, rest, c);
            case "inspect" -> inspect(cli, rest, c);
            case "rm", "remove" -> rm(cli, rest, c);
            case "prune" -> prune(cli, rest, c);
            case "connect" -> connect(cli, rest, c);
            case "disconnect" -> disconnect(cli, rest, c);
            default -> throw new UsageException("berth network: '" + args.getFirst() + "' is not a berth network command.\nSee 'berth network --help'", 1);
        };
    }

    // ------------------------------------------------------------------ create

    static Flags createFlags(String cmd) {
        return new Flags(cmd + " [OPTIONS] NETWORK", "Create a network")
                .value("driver", 'd', "string", "Driver to manage the Network", "bridge")
                .value("opt", 'o', "map", "Set driver specific options")
                .value("label", '\0', "list", "Set metadata on a network")
                .bool("internal", '\0', "Restrict external access to the network")
                .bool("ipv4", '\0', "Enable or disable IPv4 address assignment (default true)")
                .bool("ipv6", '\0', "Enable or disable IPv6 address assignment")
                .bool("attachable", '\0', "Enable manual container attachment")
                .bool("ingress", '\0', "Create swarm routing-mesh network")
                .value("scope", '\0', "string", "Control the network's scope")
                .bool("config-only", '\0', "Create a configuration only network")
                .value("config-from", '\0', "string", "The network from which to copy the configuration")
                .value("ipam-driver", '\0', "string", "IP Address Management Driver", "default")
                .value("subnet", '\0', "strings", "Subnet in CIDR format that represents a network segment")
                .value("ip-range", '\0', "strings", "Allocate container ip from a sub-range")
                .value("gateway", '\0', "strings", "IPv4 or IPv6 Gateway for the master subnet")
                .value("aux-address", '\0', "map", "Auxiliary IPv4 or IPv6 addresses used by Network driver")
                .value("ipam-opt", '\0', "map", "Set IPAM driver specific options");
    }

    static int create(Cli cli, List<String> args, String cmd) {
        Flags f = createFlags(cmd);
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 1, 1);
        NetworkCreateSpec spec = createSpec(p);
        cli.out.println(cli.client().networks().create(spec).id());
        return 0;
    }

    /** The flags as a create request; swarm-only options are refused clearly instead of ignored. */
    static NetworkCreateSpec createSpec(Flags.Parsed p) {
        if (p.bool("ingress") || p.bool("config-only") || p.value("config-from") != null)
            throw new CliException("berth does not support swarm networks (--ingress, --config-only, --config-from)");
        if (!"default".equals(p.value("ipam-driver"))) throw new CliException("only the default IPAM driver is supported, not " + p.value("ipam-driver"));
        Map<String, String> opts = keyValues(p.values("opt"), "opt");
        Map<String, String> labels = new LinkedHashMap<>();
        for (String l : p.values("label")) {
            int eq = l.indexOf('=');
            labels.put(eq < 0 ? l : l.substring(0, eq), eq < 0 ? "" : l.substring(eq + 1));
        }
        List<IpamConfig> ipam = ipamConfig(slice(p.values("subnet")), slice(p.values("ip-range")), slice(p.values("gateway")));
        return new NetworkCreateSpec(p.args().getFirst(), p.value("driver"), p.bool("internal"), p.bool("attachable"), p.bool("ipv6"),
                ipam, opts, labels, true);
    }

    /**
     * Pairs each {@code --ip-range} and {@code --gateway} with the {@code --subnet} that contains it,
     * with docker's checks and messages.
     */
    static List<IpamConfig> ipamConfig(List<String> subnets, List<String> ranges, List<String> gateways) {
        if (ranges.size() > subnets.size() || gateways.size() > subnets.size())
            throw new CliException("every ip-range or gateway must have a corresponding subnet");
        Map<String, String[]> data = new LinkedHashMap<>(); // subnet → {range, gateway}
        for (String s : subnets) {
            cidr(s);
            for (String other : data.keySet())
                if (overlaps(s, other)) throw new CliException("multiple overlapping subnet configuration is not supported");
            data.put(s, new String[2]);
        }
        for (String r : ranges) {
            boolean match = false;
            for (Map.Entry<String, String[]> e : data.entrySet()) {
                if (!contains(e.getKey(), cidr(r)[0])) continue;
                if (e.getValue()[0] != null)
                    throw new CliException("cannot configure multiple ranges (" + r + ", " + e.getValue()[0] + ") on the same subnet (" + e.getKey() + ")");
                e.getValue()[0] = r;
                match = true;
            }
            if (!match) throw new CliException("no matching subnet for range " + r);
        }
        for (String g : gateways) {
            if (!PortSpec.isIp(g)) throw new CliException("invalid gateway address " + g);
            boolean match = false;
            for (Map.Entry<String, String[]> e : data.entrySet()) {
                if (!contains(e.getKey(), g)) continue;
                if (e.getValue()[1] != null)
                    throw new CliException("cannot configure multiple gateways (" + g + ", " + e.getValue()[1] + ") for the same subnet (" + e.getKey() + ")");
                e.getValue()[1] = g;
                match = true;
            }
            if (!match) throw new CliException("no matching subnet for gateway " + g);
        }
        List<IpamConfig> out = new ArrayList<>();
        data.forEach((s, v) -> out.add(new IpamConfig(s, v[0], v[1])));
        return List.copyOf(out);
    }

    /** "10.5.0.0/24" → {"10.5.0.0", "24"}, checked. */
    static String[] cidr(String s) {
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        int bits;
        try { bits = slash < 0 ? -1 : Integer.parseInt(s.substring(slash + 1)); }
        catch (NumberFormatException e) { bits = -1; }
        int max = addr.contains(":") ? 128 : 32;
        if (!PortSpec.isIp(addr) || bits < 0 || bits > max) throw new CliException("invalid CIDR address: " + s);
        return new String[]{addr, Integer.toString(bits)};
    }

    /** Whether {@code ip} lies inside {@code subnet} (same address family and prefix). */
    static boolean contains(String subnet, String ip) {
        String[] c = cidr(subnet);
        byte[] net = InetAddress.ofLiteral(c[0]).getAddress(), a = InetAddress.ofLiteral(ip).getAddress();
        if (net.length != a.length) return false;
        int bits = Integer.parseInt(c[1]), len = net.length * 8;
        BigInteger mask = BigInteger.ONE.shiftLeft(len).subtract(BigInteger.ONE).shiftRight(len - bits).shiftLeft(len - bits);
        return new BigInteger(1, net).and(mask).equals(new BigInteger(1, a).and(mask));
    }

    private static boolean overlaps(String a, String b) {
        return contains(a, cidr(b)[0]) || contains(b, cidr(a)[0]);
    }

    // ------------------------------------------------------------------ ls

    static final String LS_TABLE = "{{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}";
    static final Map<String, String> LS_HEADERS = Map.of("ID", "NETWORK ID", "Name", "NAME", "Driver", "DRIVER", "Scope", "SCOPE",
            "IPv4", "IPV4", "IPv6", "IPV6", "Internal", "INTERNAL", "Labels", "LABELS", "CreatedAt", "CREATED AT");

    static int ls(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " [OPTIONS]", "List networks")
                .value("filter", 'f', "filter", "Provide filter values (e.g. \"driver=bridge\")")
                .value("format", '\0', "string", "Format output using a custom template")
                .bool("no-trunc", '\0', "Do not truncate the output")
                .bool("quiet", 'q', "Only display network IDs");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 0, 0);
        List<NetworkDetails> list = new ArrayList<>(cli.client().networks().list(Cli.filters(p.values("filter"))));
        list.sort((a, b) -> PortFormat.naturalCompare(a.name(), b.name()));
        boolean trunc = !p.bool("no-trunc");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (NetworkDetails d : list) rows.add(row(d, trunc));
        String format = p.value("format");
        if (format == null || format.isEmpty() || format.equals("table")) format = p.bool("quiet") ? "{{.ID}}" : "table " + LS_TABLE;
        cli.out.print(Formatter.render(format, LS_TABLE, rows, LS_HEADERS));
        return 0;
    }

    static Map<String, Object> row(NetworkDetails d, boolean trunc) {
        Map<String, Object> m = new TreeMap<>();
        m.put("ID", trunc && d.id().length() > 12 ? d.id().substring(0, 12) : d.id());
        m.put("Name", d.name());
        m.put("Driver", d.driver());
        m.put("Scope", d.scope());
        m.put("IPv4", "true");
        m.put("IPv6", Boolean.toString(d.enableIPv6()));
        m.put("Internal", Boolean.toString(d.internal()));
        List<String> labels = new ArrayList<>();
        new TreeMap<>(d.labels()).forEach((k, v) -> labels.add(k + "=" + v));
        m.put("Labels", String.join(",", labels));
        m.put("CreatedAt", ImageCommands.goTime(d.created()));
        return m;
    }

    // ------------------------------------------------------------------ inspect

    static int inspect(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " [OPTIONS] NETWORK [NETWORK...]", "Display detailed information on one or more networks")
                .value("format", 'f', "string", "Format output using a custom template")
                .bool("verbose", 'v', "Verbose output for diagnostics");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 1, Integer.MAX_VALUE);
        NetworkClient n = cli.client().networks();
        List<String> raws = new ArrayList<>(), errors = new ArrayList<>();
        for (String ref : p.args()) {
            try { raws.add(n.inspectRaw(ref)); }
            catch (DaemonException e) { errors.add("Error response from daemon: " + e.getMessage()); }
        }
        return cli.printInspected(p.value("format"), raws, errors);
    }

    /** For {@code berth inspect}'s fallback after containers and images: the network's JSON, or null if there is none. */
    static String inspectRawOrNull(Cli cli, String ref) {
        try { return cli.client().networks().inspectRaw(ref); }
        catch (DaemonException e) {
            if (e.kind() == BerthException.Kind.NOT_FOUND) return null;
            throw e;
        }
    }

    // ------------------------------------------------------------------ rm, prune

    static int rm(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " NETWORK [NETWORK...]", "Remove one or more networks")
                .bool("force", 'f', "Do not error if the network does not exist");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 1, Integer.MAX_VALUE);
        int status = 0;
        for (String name : p.args()) {
            try {
                cli.client().networks().remove(name);
                cli.out.println(name);
            } catch (DaemonException e) {
                if (p.bool("force") && e.kind() == BerthException.Kind.NOT_FOUND) continue;
                cli.out.flush();
                cli.err.println("Error response from daemon: " + e.getMessage());
                status = 1;
            }
        }
        return status;
    }

    static int prune(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " [OPTIONS]", "Remove all unused networks")
                .value("filter", '\0', "filter", "Provide filter values (e.g. \"until=<timestamp>\")")
                .bool("force", 'f', "Do not prompt for confirmation");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 0, 0);
        if (!p.bool("force")) {
            if (!cli.confirm("WARNING! This will remove all custom networks not used by at least one container.")) {
                cli.err.println("network prune has been cancelled");
                return 1;
            }
        }
        List<String> deleted = cli.client().networks().prune(Cli.filters(p.values("filter")));
        if (!deleted.isEmpty()) {
            // docker prints "Deleted Networks:\n" + one name per line, then a newline of its own.
            cli.out.println("Deleted Networks:");
            deleted.forEach(cli.out::println);
            cli.out.println();
        }
        return 0;
    }

    // ------------------------------------------------------------------ connect, disconnect

    static int connect(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " [OPTIONS] NETWORK CONTAINER", "Connect a container to a network")
                .value("alias", '\0', "strings", "Add network-scoped alias for the container")
                .value("ip", '\0', "string", "IPv4 address (e.g., \"172.30.100.104\")")
                .value("ip6", '\0', "string", "IPv6 address (e.g., \"2001:db8::33\")")
                .value("link", '\0', "list", "Add link to another container")
                .value("link-local-ip", '\0', "strings", "Add a link-local address for the container")
                .value("driver-opt", '\0', "strings", "driver options for the network")
                .value("gw-priority", '\0', "int", "Highest gw-priority provides the default gateway. Accepts positive and negative values.");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 2, 2);
        if (!p.values("link").isEmpty()) throw new CliException("--link is not supported by berth: use a user-defined network and its DNS names");
        EndpointSpec ep = new EndpointSpec(slice(p.values("alias")), blank(p.value("ip")), blank(p.value("ip6")), null);
        cli.client().networks().connect(p.args().get(0), p.args().get(1), ep);
        return 0;
    }

    static int disconnect(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " [OPTIONS] NETWORK CONTAINER", "Disconnect a container from a network")
                .bool("force", 'f', "Force the container to disconnect from a network");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 2, 2);
        cli.client().networks().disconnect(p.args().get(0), p.args().get(1), p.bool("force"));
        return 0;
    }

    // ------------------------------------------------------------------ port

    static int port(Cli cli, List<String> args, String cmd) {
        Flags f = new Flags(cmd + " CONTAINER [PRIVATE_PORT[/PROTO]]", "List port mappings or a specific mapping for the container");
        Flags.Parsed p = cli.parse(f, args);
        if (p == null) return 0;
        Cli.requireArgs(f, p, 1, 2);
        String ref = p.args().getFirst(), only = null;
        if (p.args().size() == 2) {
            String raw = p.args().get(1);
            int slash = raw.indexOf('/');
            String port = slash < 0 ? raw : raw.substring(0, slash), proto = slash < 0 ? "tcp" : raw.substring(slash + 1);
            try { PortSpec.range(port); if (port.contains("-")) throw new IllegalArgumentException("invalid syntax"); }
            catch (IllegalArgumentException e) {
                throw new CliException("Error: invalid port (" + port + "): strconv.ParseUint: parsing \"" + port + "\": invalid syntax");
            }
            only = port + "/" + (proto.isEmpty() ? "tcp" : proto);
        }
        ContainerDetails d = cli.client().containers().inspect(ref);
        List<String> lines = PortFormat.portLines(d.networkSettings().ports(), only);
        if (lines == null) throw new CliException("Error: No public port '" + p.args().get(1) + "' published for " + ref);
        for (String l : lines) cli.out.println(l);
        return 0;
    }

    // ------------------------------------------------------------------ helpers

    /** pflag string slices: each value may itself be comma-separated. */
    static List<String> slice(List<String> values) {
        List<String> out = new ArrayList<>();
        for (String v : values) for (String x : v.split(",")) if (!x.isBlank()) out.add(x.strip());
        return List.copyOf(out);
    }

    private static Map<String, String> keyValues(List<String> values, String flag) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String v : values) {
            int eq = v.indexOf('=');
            if (eq <= 0) throw new CliException("invalid argument \"" + v + "\" for \"--" + flag + "\" flag: invalid key/value pair format in driver options");
            m.put(v.substring(0, eq), v.substring(eq + 1));
        }
        return m;
    }

    private static String blank(String s) { return s == null || s.isEmpty() ? null : s; }
}
