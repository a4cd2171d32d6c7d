package io.berth.engine.network;

import io.berth.api.BerthException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Published ports, in chains of this engine's own (tag: a hash of the engine root, as {@link Egress}):
 *
 * <pre>
 *   nat    BERTH-PORTS-tag  from PREROUTING and OUTPUT for local destinations: DNAT host port → container
 *   nat    BERTH-PMASQ-tag  from POSTROUTING: masquerade what would not find its way back (from 127.0.0.0/8,
 *                           and from the container's own network: hairpin)
 *   filter BERTH-PFWD-tag   appended to FORWARD: accept the forwarded connections (dockerd sets FORWARD's
 *                           policy to DROP on a host it runs on)
 * </pre>
 *
 * <p>Why Berth's own rules and not netavark's port forwarding: netavark 1.4 binds ports to a container's
 * network set-up (one {@code setup} call per namespace), so a namespace prepared ahead of time
 * (a warm namespace, see NetworkService) could not get its ports later; and netavark runs some fifteen iptables processes
 * per published container, where {@link #sync} is one {@code iptables-restore} of the whole state. The
 * chains are always rewritten whole from the records ({@code :CHAIN} under {@code --noflush} flushes just
 * that chain, in the same transaction), so there is no rule to miss on removal and a restart
 * re-creates exactly what runs.
 */
final class PortForwarder {
    static final String PREFIX = "BERTH-PORTS-", MASQ_PREFIX = "BERTH-PMASQ-", FWD_PREFIX = "BERTH-PFWD-";

    /** One published port of one running container. hostIp "" for every local address. */
    record Mapping(String containerId, String bridge, String subnet, String containerIp, String hostIp, int hostPort,
                   int containerPort, String protocol) {
    }

    private final String ports, masq, fwd;
    private boolean jumpsPlaced;

    PortForwarder(String tag) {
        this.ports = PREFIX + tag;
        this.masq = MASQ_PREFIX + tag;
        this.fwd = FWD_PREFIX + tag;
    }

    List<String> chains() { return List.of(ports, masq, fwd); }

    /** Makes the chains hold exactly {@code all}: one iptables-restore (plus the jumps, checked once per engine). */
    synchronized void sync(Collection<Mapping> all) {
        Set<String> bridges = new TreeSet<>();
        for (Mapping m : all) if (m.bridge() != null) bridges.add(m.bridge());
        for (String b : bridges) routeLocalnet(b);
        Cmd.run(List.of("iptables-restore", "--noflush", "-w"), restore(all).getBytes(StandardCharsets.UTF_8))
                .check("publishing ports (iptables-restore)");
        if (!jumpsPlaced) { // after the restore: it made the chains, and a jump to a missing chain is refused
            placeJumps();
            jumpsPlaced = true;
        }
    }

    /** The iptables-restore input for {@code all}: a pure function, for tests. */
    String restore(Collection<Mapping> all) {
        StringBuilder nat = new StringBuilder("*nat\n:" + ports + " - [0:0]\n:" + masq + " - [0:0]\n");
        StringBuilder filter = new StringBuilder("*filter\n:" + fwd + " - [0:0]\n");
        for (Mapping m : all) {
            String p = m.protocol();
            String c = "-m comment --comment berth:" + m.containerId().substring(0, Math.min(12, m.containerId().length()));
            String dst = m.hostIp() == null || m.hostIp().isEmpty() ? "" : "-d " + m.hostIp() + "/32 ";
            nat.append("-A ").append(ports).append(' ').append(dst).append("-p ").append(p).append(" -m ").append(p)
                    .append(" --dport ").append(m.hostPort()).append(' ').append(c).append(" -j DNAT --to-destination ")
                    .append(m.containerIp()).append(':').append(m.containerPort()).append('\n');
            String to = " -d " + m.containerIp() + "/32 -p " + p + " -m " + p + " --dport " + m.containerPort() + " " + c;
            nat.append("-A ").append(masq).append(" -s 127.0.0.0/8").append(to).append(" -j MASQUERADE\n");
            if (m.subnet() != null) nat.append("-A ").append(masq).append(" -s ").append(m.subnet()).append(to).append(" -j MASQUERADE\n");
            filter.append("-A ").append(fwd).append(to).append(" -j ACCEPT\n");
        }
        return nat.append("COMMIT\n").append(filter).append("COMMIT\n").toString();
    }

    /** Removes jumps and chains (the engine closes with nothing running). */
    synchronized void destroy() {
        for (List<String> j : jumps()) {
            List<String> del = new ArrayList<>(j);
            del.set(4, "-D");
            while (Cmd.run(del, null).code() == 0) { /* every copy */ }
        }
        for (String[] tc : new String[][]{{"nat", ports}, {"nat", masq}, {"filter", fwd}}) {
            Cmd.run("iptables", "-w", "-t", tc[0], "-F", tc[1]);
            Cmd.run("iptables", "-w", "-t", tc[0], "-X", tc[1]);
        }
        jumpsPlaced = false;
    }

    /** Re-checks the jumps at the next {@link #sync} (daemon start: someone may have flushed the built-in chains). */
    synchronized void recheck() { jumpsPlaced = false; }

    /** This engine's port rules as iptables -S lines (tests, leak checks). */
    List<String> current() {
        List<String> out = new ArrayList<>();
        for (String[] tc : new String[][]{{"nat", ports}, {"nat", masq}, {"filter", fwd}}) {
            for (String l : Cmd.run("iptables", "-w", "-t", tc[0], "-S", tc[1]).out().split("\n")) if (l.startsWith("-A ")) out.add(l);
        }
        return out;
    }

    /** iptables argv of each jump; index 4 is the verb. */
    private List<List<String>> jumps() {
        return List.of(
                List.of("iptables", "-w", "-t", "nat", "-I", "PREROUTING", "-m", "addrtype", "--dst-type", "LOCAL", "-j", ports),
                List.of("iptables", "-w", "-t", "nat", "-I", "OUTPUT", "-m", "addrtype", "--dst-type", "LOCAL", "-j", ports),
                List.of("iptables", "-w", "-t", "nat", "-I", "POSTROUTING", "-j", masq),
                List.of("iptables", "-w", "-t", "filter", "-A", "FORWARD", "-j", fwd));
    }

    private void placeJumps() {
        for (List<String> j : jumps()) {
            List<String> check = new ArrayList<>(j);
            check.set(4, "-C");
            if (Cmd.run(check, null).code() != 0) Cmd.run(j, null).check("inserting the jump to " + j.getLast());
        }
    }

    /**
     * Lets DNAT'd packets from 127.0.0.1 leave through the bridge (the kernel drops a loopback source
     * on any other interface otherwise); {@code BERTH-PMASQ} then gives them the bridge's address.
     */
    private static void routeLocalnet(String bridge) {
        Path f = Path.of("/proc/sys/net/ipv4/conf", bridge, "route_localnet");
        try {
            if (Files.exists(f) && !Files.readString(f).strip().equals("1")) Files.writeString(f, "1");
        } catch (IOException e) {
            throw BerthException.unavailable("publishing ports on %s: setting route_localnet: %s", bridge, e.getMessage());
        }
    }
}
