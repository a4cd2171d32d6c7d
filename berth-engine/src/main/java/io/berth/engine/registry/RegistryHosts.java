package io.berth.engine.registry;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which registry host is reached how. {@code docker.io} is served by {@code registry-1.docker.io};
 * every host is reached over HTTPS except insecure ones, which get plain HTTP:
 * <ul>
 *   <li>{@code localhost}, 127.0.0.0/8 and ::1, always (as dockerd has it);</li>
 *   <li>each entry of {@code insecureRegistries}: {@code host} (any port), {@code host:port}, or a CIDR
 *       such as {@code 10.0.0.0/8}. As in dockerd, a host name is resolved to see whether one of its
 *       addresses lies in an insecure CIDR.</li>
 * </ul>
 *
 * @param insecureRegistries the daemon's {@code insecure-registries} list
 */
public record RegistryHosts(List<String> insecureRegistries) {
    public static final String DOCKER_HUB = "docker.io";
    public static final String DOCKER_HUB_API = "registry-1.docker.io";
    private static final List<String> ALWAYS_INSECURE = List.of("127.0.0.0/8", "::1/128");

    public RegistryHosts {
        insecureRegistries = List.copyOf(insecureRegistries == null ? List.of() : insecureRegistries);
        for (String e : insecureRegistries) {
            if (e.contains("/")) Cidr.parse(e); // fail at startup, not at the first pull
        }
    }

    public static RegistryHosts defaults() { return new RegistryHosts(List.of()); }

    /** The host[:port] that serves the API for a reference's domain. */
    public static String apiHost(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        return d.equals(DOCKER_HUB) || d.equals("index.docker.io") ? DOCKER_HUB_API : domain;
    }

    /**
     * Normalises what a user types for {@code login} or what config.json uses as key
     * ({@code https://index.docker.io/v1/}, {@code http://host:5000}, {@code host:5000/}) to a
     * reference domain ({@code docker.io}, {@code host:5000}).
     */
    public static String domainOf(String serverAddress) {
        if (serverAddress == null || serverAddress.isBlank()) return DOCKER_HUB;
        String s = serverAddress.trim();
        int scheme = s.indexOf("://");
        if (scheme >= 0) s = s.substring(scheme + 3);
        int slash = s.indexOf('/');
        if (slash >= 0) s = s.substring(0, slash);
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.equals("index.docker.io") || lower.equals(DOCKER_HUB_API) || lower.equals(DOCKER_HUB)) return DOCKER_HUB;
        return s;
    }

    /** {@code https://host[:port]} or {@code http://host[:port]} for a reference's domain. */
    public URI baseUri(String domain) {
        String host = apiHost(domain);
        return URI.create((isInsecure(host) ? "http://" : "https://") + host);
    }

    /** Whether {@code hostPort} (as in a reference: host, host:port, [v6]:port) is reached over plain HTTP. */
    public boolean isInsecure(String hostPort) {
        String host = hostOnly(hostPort).toLowerCase(Locale.ROOT);
        if (host.equals("localhost")) return true;
        for (String e : insecureRegistries) {
            if (!e.contains("/") && (e.equalsIgnoreCase(hostPort) || e.equalsIgnoreCase(host))) return true;
        }
        List<InetAddress> addrs = addresses(host);
        for (String c : ALWAYS_INSECURE) if (Cidr.parse(c).containsAny(addrs)) return true;
        for (String e : insecureRegistries) if (e.contains("/") && Cidr.parse(e).containsAny(addrs)) return true;
        return false;
    }

    private static final Map<String, List<InetAddress>> RESOLVED = new ConcurrentHashMap<>();

    private static List<InetAddress> addresses(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (isIpLiteral(h)) {
            try { return List.of(InetAddress.getByName(h)); } catch (UnknownHostException e) { return List.of(); }
        }
        // Cached: a pull asks once per request, and a DNS lookup per blob would be wasted time.
        return RESOLVED.computeIfAbsent(h, k -> {
            try { return List.of(InetAddress.getAllByName(k)); }
            catch (UnknownHostException e) { return List.of(); }
        });
    }

    private static boolean isIpLiteral(String h) {
        return h.contains(":") || h.matches("[0-9.]+");
    }

    static String hostOnly(String hostPort) {
        if (hostPort.startsWith("[")) {
            int end = hostPort.indexOf(']');
            return end > 0 ? hostPort.substring(0, end + 1) : hostPort;
        }
        int colon = hostPort.lastIndexOf(':');
        return colon >= 0 && hostPort.indexOf(':') == colon ? hostPort.substring(0, colon) : hostPort;
    }

    /** An IPv4 or IPv6 network. */
    record Cidr(byte[] network, int prefix) {
        static Cidr parse(String s) {
            int slash = s.indexOf('/');
            try {
                String addr = s.substring(0, slash);
                if (!isIpLiteral(addr)) throw new IllegalArgumentException("not an IP address");
                byte[] net = InetAddress.getByName(addr).getAddress();
                int prefix = Integer.parseInt(s.substring(slash + 1));
                if (prefix < 0 || prefix > net.length * 8) throw new IllegalArgumentException("prefix out of range");
                return new Cidr(net, prefix);
            } catch (UnknownHostException | RuntimeException e) {
                throw new IllegalArgumentException("invalid insecure registry CIDR \"" + s + "\": " + e.getMessage());
            }
        }

        boolean contains(InetAddress a) {
            byte[] b = a.getAddress();
            if (b.length != network.length) return false;
            BigInteger mask = BigInteger.ONE.shiftLeft(b.length * 8).subtract(BigInteger.ONE)
                    .shiftRight(prefix).not();
            BigInteger x = new BigInteger(1, b), n = new BigInteger(1, network);
            return x.and(mask).equals(n.and(mask));
        }

        boolean containsAny(List<InetAddress> addrs) {
            for (InetAddress a : addrs) if (contains(a)) return true;
            return false;
        }
    }
}
