package io.berth.engine.network;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Berth's own egress rules, in its own chain {@value #CHAIN} of the filter table, jumped to first from
 * FORWARD (before netavark's accept rules, which would otherwise let the traffic through). Per network:
 * traffic entering from its bridge to the cloud metadata address (169.254.169.254, and fd00:ec2::254 with
 * ip6tables) is rejected unless allowed, and an internal network's traffic may not leave its bridge at
 * all. Every rule carries the comment "berth:NETWORK_ID" so {@link #sync} can tell Berth's rules from
 * anyone else's: at daemon start it rebuilds the chain from the recorded networks, which re-creates
 * missing rules and drops those of networks that no longer exist.
 */
final class Egress {
    static final String CHAIN = "BERTH-EGRESS";
    static final String METADATA4 = "169.254.169.254/32", METADATA6 = "fd00:ec2::254/128";
    private static final String JUMP_COMMENT = "berth egress isolation";

    /** What one network needs. */
    record Policy(String networkId, String bridge, boolean internal, boolean allowMetadata) {
    }

    private final boolean ipv6 = Cmd.run("ip6tables", "-w", "-t", "filter", "-S", "FORWARD").code() == 0;

    /** Makes the chain and the jump to it exist, the jump first in FORWARD. */
    synchronized void ensureChain() {
        for (String bin : bins()) {
            if (Cmd.run(bin, "-w", "-S", CHAIN).code() != 0) Cmd.run(bin, "-w", "-N", CHAIN).check("creating chain " + CHAIN);
            List<String> jump = List.of("FORWARD", "-m", "comment", "--comment", JUMP_COMMENT, "-j", CHAIN);
            String first = Cmd.run(bin, "-w", "-S", "FORWARD", "1").out().strip();
            if (!first.contains(CHAIN)) {
                while (Cmd.run(cat(List.of(bin, "-w", "-D"), jump), null).code() == 0) { /* drop a misplaced jump */ }
                List<String> ins = new ArrayList<>(List.of(bin, "-w", "-I", "FORWARD", "1"));
                ins.addAll(jump.subList(1, jump.size()));
                Cmd.run(ins, null).check("inserting the jump to " + CHAIN);
            }
        }
    }

    /**
     * Puts the jump back in first place if it is not there. Netavark inserts its own FORWARD jump when
     * it finds it missing (another tool flushed FORWARD, or a first network on a fresh host), which
     * would put its accept rules ahead of ours: checked after every setup.
     */
    synchronized void ensureFirst() {
        for (String bin : bins()) {
            if (!Cmd.run(bin, "-w", "-S", "FORWARD", "1").out().contains(CHAIN)) {
                ensureChain();
                return;
            }
        }
    }

    synchronized void add(Policy p) {
        ensureChain();
        for (List<String> r : rules(p)) {
            List<String> check = new ArrayList<>(r);
            check.set(2, "-C");
            if (Cmd.run(check, null).code() != 0) Cmd.run(r, null).check("adding egress rule for network " + p.networkId());
        }
    }

    synchronized void remove(Policy p) {
        for (List<String> r : rules(p)) {
            List<String> del = new ArrayList<>(r);
            del.set(2, "-D");
            while (Cmd.run(del, null).code() == 0) { /* a rule added twice goes twice */ }
        }
    }

    /** Rebuilds the chain: exactly the rules of {@code policies}. */
    synchronized void sync(Collection<Policy> policies) {
        ensureChain();
        for (String bin : bins()) Cmd.run(bin, "-w", "-F", CHAIN).check("flushing " + CHAIN);
        for (Policy p : policies) add(p);
    }

    /** The rules as iptables argv (argv[2] is the verb, "-A"). */
    List<List<String>> rules(Policy p) {
        List<List<String>> out = new ArrayList<>();
        String comment = "berth:" + p.networkId();
        for (String bin : bins()) {
            boolean v6 = bin.equals("ip6tables");
            if (p.internal()) {
                out.add(List.of(bin, "-w", "-A", CHAIN, "-i", p.bridge(), "!", "-o", p.bridge(), "-m", "comment", "--comment", comment, "-j", "REJECT"));
            } else if (!p.allowMetadata()) {
                out.add(List.of(bin, "-w", "-A", CHAIN, "-i", p.bridge(), "-d", v6 ? METADATA6 : METADATA4, "-m", "comment", "--comment", comment,
                        "-j", "REJECT"));
            }
        }
        return out;
    }

    /** Berth's rules currently in the chain, as iptables -S lines (for tests and leak checks). */
    List<String> current() {
        List<String> out = new ArrayList<>();
        for (String bin : bins()) {
            for (String l : Cmd.run(bin, "-w", "-S", CHAIN).out().split("\n")) if (l.startsWith("-A ")) out.add(l);
        }
        return out;
    }

    private List<String> bins() { return ipv6 ? List.of("iptables", "ip6tables") : List.of("iptables"); }

    private static List<String> cat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
