package io.berth.engine.network;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The three files a container's resolver reads, written on the host and bind-mounted over the image's:
 * {@code /etc/hosts}, {@code /etc/resolv.conf}, {@code /etc/hostname}. The text is built by pure
 * functions (tested without a container); {@link #write} rewrites a file in place so a bind mount
 * already made (a running container being connected to another network) sees the new content.
 */
final class EtcFiles {
    private EtcFiles() {}

    static final List<String> LOCALHOST = List.of(
            "127.0.0.1\tlocalhost",
            "::1\tlocalhost ip6-localhost ip6-loopback",
            "fe00::0\tip6-localnet",
            "ff00::0\tip6-mcastprefix",
            "ff02::1\tip6-allnodes",
            "ff02::2\tip6-allrouters");

    /** One address of the container with the names it answers to ("IP hostname name alias…"). */
    record Self(String ip, List<String> names) {
    }

    /**
     * /etc/hosts: Docker's localhost lines, then {@code --add-host} entries ("name:ip" or "name=ip";
     * "host-gateway" becomes {@code gateway}), then the container's own addresses.
     */
    static String hosts(List<String> extraHosts, List<Self> self, String gateway) {
        StringBuilder b = new StringBuilder();
        for (String l : LOCALHOST) b.append(l).append('\n');
        for (String e : extraHosts == null ? List.<String>of() : extraHosts) {
            int i = e.indexOf('=') >= 0 ? e.indexOf('=') : e.indexOf(':');
            if (i <= 0) continue;
            String ip = e.substring(i + 1);
            if (ip.equals("host-gateway")) ip = gateway == null ? "127.0.0.1" : gateway;
            b.append(ip).append('\t').append(e, 0, i).append('\n');
        }
        for (Self s : self) {
            Set<String> names = new LinkedHashSet<>(s.names());
            names.removeIf(n -> n == null || n.isEmpty());
            if (!names.isEmpty()) b.append(s.ip()).append('\t').append(String.join(" ", names)).append('\n');
        }
        return b.toString();
    }

    /** The host's resolver configuration, following systemd-resolved's stub to the upstream file. */
    static String hostResolvConf() {
        try {
            String etc = Files.readString(Path.of("/etc/resolv.conf"));
            Path upstream = Path.of("/run/systemd/resolve/resolv.conf");
            if (nameservers(etc).contains("127.0.0.53") && Files.isReadable(upstream)) return Files.readString(upstream);
            return etc;
        } catch (IOException e) {
            return "";
        }
    }

    static List<String> nameservers(String conf) { return values(conf, "nameserver"); }

    static List<String> values(String conf, String key) {
        List<String> out = new ArrayList<>();
        for (String l : conf.split("\n")) {
            String[] f = l.strip().split("\\s+");
            if (f.length >= 2 && f[0].equals(key)) for (int i = 1; i < f.length; i++) out.add(f[i]);
        }
        return out;
    }

    /**
     * /etc/resolv.conf for a container. {@code networkServers}: the network's own name server (aardvark
     * on the gateway) when it has one; otherwise the host's servers minus loopback ones (unreachable from
     * a private namespace; with none left, Docker's fallback 8.8.8.8/8.8.4.4). {@code --dns},
     * {@code --dns-search} and {@code --dns-option} replace the respective parts. {@code hostNetwork}: the
     * host's servers as they are.
     */
    static String resolvConf(String host, List<String> networkServers, boolean hostNetwork, List<String> dns, List<String> search,
                             List<String> options) {
        List<String> servers;
        if (dns != null && !dns.isEmpty()) servers = dns;
        else if (!networkServers.isEmpty()) servers = networkServers;
        else if (hostNetwork) servers = nameservers(host);
        else {
            servers = new ArrayList<>(nameservers(host).stream().filter(s -> !s.startsWith("127.") && !s.equals("::1")).toList());
            if (servers.isEmpty()) servers = List.of("8.8.8.8", "8.8.4.4");
        }
        List<String> s = search != null && !search.isEmpty() ? search : values(host, "search");
        List<String> o = options != null && !options.isEmpty() ? options : values(host, "options");
        StringBuilder b = new StringBuilder();
        for (String n : servers) b.append("nameserver ").append(n).append('\n');
        if (!s.isEmpty() && !(s.size() == 1 && s.getFirst().equals("."))) b.append("search ").append(String.join(" ", s)).append('\n');
        if (!o.isEmpty()) b.append("options ").append(String.join(" ", o)).append('\n');
        return b.toString();
    }

    /** Writes in place (same inode), creating the file if needed. */
    static void write(Path f, String text) throws IOException {
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
    }
}
