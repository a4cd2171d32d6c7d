package io.berth.cli;

import io.berth.api.container.PortBinding;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code -p/--publish} and {@code --expose} as the docker CLI parses them (go-connections' nat
 * rules): {@code [ip:][hostPort:]containerPort[/proto]} where ports may be ranges
 * ({@code 8000-8010:80-90}), an IPv6 host address may be bracketed ({@code [::1]:8080:80}), a
 * host range with a single container port is a range to pick from ({@code 8000-8010:80}), and
 * the long form {@code target=80,published=8080,protocol=udp} is accepted. Pure: no I/O.
 */
final class PortSpec {
    private PortSpec() { }

    /** What the flags amount to: Config.ExposedPorts (in order) and HostConfig.PortBindings. */
    record Ports(Set<String> exposed, Map<String, List<PortBinding>> bindings) { }

    /** One container port and the host side asked for it. */
    record Mapping(String port, PortBinding binding) { }

    private static final Pattern IPV4 = Pattern.compile("^\\d{1,3}(\\.\\d{1,3}){3}$");

    /** All {@code -p} values then all {@code --expose} values, as docker's parse does. */
    static Ports parse(List<String> publish, List<String> expose) {
        Set<String> exposed = new LinkedHashSet<>();
        Map<String, List<PortBinding>> bindings = new LinkedHashMap<>();
        for (String raw : publish) {
            for (Mapping m : parseSpec(standard(raw))) {
                exposed.add(m.port());
                bindings.computeIfAbsent(m.port(), k -> new ArrayList<>()).add(m.binding());
            }
        }
        for (String e : expose) {
            if (e.contains(":")) throw new CliException("invalid port format for --expose: " + e);
            String[] pp = splitProtoPort(e);
            long[] r;
            try { r = range(pp[1]); }
            catch (IllegalArgumentException x) { throw new CliException("invalid range format for --expose: " + e + ", error: " + x.getMessage()); }
            String proto = pp[0].toLowerCase(Locale.ROOT);
            if (!validProto(proto)) throw new CliException("invalid proto: " + pp[0]);
            for (long p = r[0]; p <= r[1]; p++) exposed.add(p + "/" + proto);
        }
        Map<String, List<PortBinding>> frozen = new LinkedHashMap<>();
        bindings.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        return new Ports(exposed, frozen);
    }

    /** The long form {@code target=80,published=8080,protocol=tcp} in the short notation; other values unchanged. */
    static String standard(String publish) {
        if (!publish.contains("=")) return publish;
        Map<String, String> params = new LinkedHashMap<>();
        params.put("protocol", "tcp");
        for (String param : publish.split(",")) {
            int eq = param.indexOf('=');
            if (eq <= 0) throw new CliException("invalid publish opts format (should be name=value but got '" + param + "')");
            params.put(param.substring(0, eq), param.substring(eq + 1));
        }
        return params.getOrDefault("published", "") + ":" + params.getOrDefault("target", "") + "/" + params.get("protocol");
    }

    /** One short-form spec → one mapping per container port of its range. */
    static List<Mapping> parseSpec(String raw) {
        String[] parts = raw.split(":", -1);
        int n = parts.length;
        String ip = n <= 2 ? "" : String.join(":", java.util.Arrays.copyOfRange(parts, 0, n - 2));
        String hostPort = n >= 2 ? parts[n - 2] : "";
        String[] pp = splitProtoPort(parts[n - 1]);
        String proto = pp[0], containerPort = pp[1];
        if (ip.startsWith("[")) {
            if (!ip.endsWith("]") || ip.length() < 3) throw new CliException("invalid IP address " + ip + ": missing ']' in address");
            ip = ip.substring(1, ip.length() - 1);
        }
        if (!ip.isEmpty() && !isIp(ip)) throw new CliException("invalid IP address: " + ip);
        if (containerPort.isEmpty()) throw new CliException("no port specified: " + raw + "<empty>");
        long[] c;
        try { c = range(containerPort); }
        catch (IllegalArgumentException e) { throw new CliException("invalid containerPort: " + containerPort); }
        long[] h = {0, 0};
        if (!hostPort.isEmpty()) {
            try { h = range(hostPort); }
            catch (IllegalArgumentException e) { throw new CliException("invalid hostPort: " + hostPort); }
            // A host range with one container port is a range to allocate from; otherwise the sizes must match.
            if (c[1] - c[0] != h[1] - h[0] && c[1] != c[0])
                throw new CliException("invalid ranges specified for container and host Ports: " + containerPort + " and " + hostPort);
        }
        String lower = proto.toLowerCase(Locale.ROOT);
        if (!validProto(lower)) throw new CliException("invalid proto: " + proto);
        List<Mapping> out = new ArrayList<>();
        for (long i = 0; i <= c[1] - c[0]; i++) {
            String hp = hostPort;
            if (!hostPort.isEmpty()) {
                hp = Long.toString(h[0] + i);
                if (c[0] == c[1] && h[0] != h[1]) hp = h[0] + "-" + h[1];
            }
            out.add(new Mapping((c[0] + i) + "/" + lower, new PortBinding(ip, hp)));
        }
        return out;
    }

    /** "80/udp" → {udp, 80}; no protocol (or an empty one) is tcp; an empty spec is {"", ""}. */
    static String[] splitProtoPort(String raw) {
        String[] parts = raw.split("/", -1);
        if (raw.isEmpty() || parts[0].isEmpty()) return new String[]{"", ""};
        if (parts.length == 1 || parts[1].isEmpty()) return new String[]{"tcp", parts[0]};
        return new String[]{parts[1], parts[0]};
    }

    /** "80" → {80, 80}; "8000-8010" → {8000, 8010}; each a 16-bit number, the end not below the start. */
    static long[] range(String ports) {
        if (ports.isEmpty()) throw new IllegalArgumentException("empty string specified for ports");
        int dash = ports.indexOf('-');
        if (dash < 0) {
            long p = port(ports);
            return new long[]{p, p};
        }
        long start = port(ports.substring(0, dash)), end = port(ports.substring(dash + 1));
        if (end < start) throw new IllegalArgumentException("invalid range specified for port: " + ports);
        return new long[]{start, end};
    }

    private static long port(String s) {
        if (s.isEmpty() || !s.chars().allMatch(Character::isDigit) || s.length() > 5 || Long.parseLong(s) > 65535)
            throw new IllegalArgumentException("strconv.ParseUint: parsing \"" + s + "\": " + (s.chars().allMatch(Character::isDigit) && !s.isEmpty()
                    ? "value out of range" : "invalid syntax"));
        return Long.parseLong(s);
    }

    private static boolean validProto(String p) { return p.equals("tcp") || p.equals("udp") || p.equals("sctp"); }

    /** An IP literal as Go's net.ParseIP takes it: dotted-quad IPv4 or IPv6; never a DNS lookup. */
    static boolean isIp(String s) {
        try {
            if (s.contains(":")) {
                if (s.contains("%") || s.contains("[")) return false;
                Inet6Address.ofLiteral(s);
                return true;
            }
            if (!IPV4.matcher(s).matches()) return false;
            Inet4Address.ofLiteral(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
