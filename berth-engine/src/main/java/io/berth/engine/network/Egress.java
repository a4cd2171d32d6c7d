package io.berth.engine.network;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Berth's own egress rules, in a chain of its own per engine ({@code BERTH-EGRESS-<tag>}, tag: a hash of
 * the engine root) in the filter table, jumped to from FORWARD ahead of netavark's accept rules (which
 * would otherwise let the traffic through). Per network: traffic entering from its bridge to the cloud
 * metadata address (169.254.169.254, and fd00:ec2::254 with ip6tables) is rejected unless allowed, and an
 * internal network's traffic may not leave its bridge at all. Rules carry the comment "berth:NETWORK_ID",
 * the jump "berth egress isolation ROOT".
 *
 * <p>One chain per engine, so engines sharing a host (a daemon and a test, two test roots) never touch
 * each other's rules: {@link #sync} at engine start rebuilds this engine's chain from its recorded
 * networks (missing rules come back, rules of networks that no longer exist go); {@link #destroy} removes
 * chain and jump when the engine closes with no container running.
 */
final class Egress {
    static final String PREFIX = "BERTH-EGRESS-";
    static final String METADATA4 = "169.254.169.254/32", METADATA6 = "fd00:ec2::254/128";

    /** What one network needs. */
    record Policy(String networkId, String bridge, boolean internal, boolean allowMetadata) {
    }

    private final boolean ipv6 = Cmd.run("ip6tables", "-w", "-t", "filter", "-S", "FORWARD").code() == 0;
    private final String chain;
    private final String jumpComment;

    /**
     * @param tag   short and without spaces (the chain name may have 28 characters)
     * @param owner names the engine in the jump's comment (its root)
     */
    Egress(String tag, String owner) {
        this.chain = PREFIX + tag;
        this.jumpComment = ("berth egress isolation " + owner).replace("\"", "");
    }

    String chain() { return chain; }

    private List<String> jump() { return List.of("FORWARD", "-m", "comment", "--comment", jumpComment, "-j", chain); }

    /** Makes the chain exist and the jump to it come before netavark's jump in FORWARD. */
    synchronized void ensureChain() {
        for (String bin : bins()) {
            if (Cmd.run(bin, "-w", "-S", chain).code() != 0) Cmd.run(bin, "-w", "-N", chain).check("creating chain " + chain);
            if (jumpPlaced(bin)) continue;
            while (Cmd.run(cat(List.of(bin, "-w", "-D"), jump()), null).code() == 0) { /* drop a misplaced jump */ }
            List<String> ins = new ArrayList<>(List.of(bin, "-w", "-I", "FORWARD", "1"));
            ins.addAll(jump().subList(1, jump().size()));
            Cmd.run(ins, null).check("inserting the jump to " + chain);
        }
    }

    /** Whether our jump exists and precedes netavark's (which accepts the networks' traffic). */
    private boolean jumpPlaced(String bin) {
        String[] lines = Cmd.run(bin, "-w", "-S", "FORWARD").out().split("\n");
        int ours = -1, netavark = -1;
        for (int i = 0; i < lines.length; i++) {
            if (ours < 0 && lines[i].endsWith("-j " + chain)) ours = i;
            if (netavark < 0 && lines[i].contains("-j NETAVARK_FORWARD")) netavark = i;
        }
        return ours >= 0 && (netavark < 0 || ours < netavark);
    }

    /**
     * Puts the jump back ahead of netavark's if it is not. Netavark inserts its own FORWARD jump when it
     * finds it missing (another tool flushed FORWARD, or a first network on a fresh host): checked after
     * every setup.
     */
    synchronized void ensureFirst() {
        for (String bin : bins()) {
            if (!jumpPlaced(bin)) {
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

    /** Rebuilds this engine's chain: exactly the rules of {@code policies}. */
    synchronized void sync(Collection<Policy> policies) {
        ensureChain();
        for (String bin : bins()) Cmd.run(bin, "-w", "-F", chain).check("flushing " + chain);
        for (Policy p : policies) add(p);
    }

    /** Removes the jump and the chain (the engine closes and nothing of it runs). */
    synchronized void destroy() {
        for (String bin : bins()) {
            while (Cmd.run(cat(List.of(bin, "-w", "-D"), jump()), null).code() == 0) { /* all copies */ }
            Cmd.run(bin, "-w", "-F", chain);
            Cmd.run(bin, "-w", "-X", chain);
        }
    }

    /** The rules as iptables argv (argv[2] is the verb, "-A"). */
    List<List<String>> rules(Policy p) {
        List<List<String>> out = new ArrayList<>();
        String comment = "berth:" + p.networkId();
        for (String bin : bins()) {
            boolean v6 = bin.equals("ip6tables");
            if (p.internal()) {
                out.add(List.of(bin, "-w", "-A", chain, "-i", p.bridge(), "!", "-o", p.bridge(), "-m", "comment", "--comment", comment, "-j", "REJECT"));
            } else if (!p.allowMetadata()) {
                out.add(List.of(bin, "-w", "-A", chain, "-i", p.bridge(), "-d", v6 ? METADATA6 : METADATA4, "-m", "comment", "--comment", comment,
                        "-j", "REJECT"));
            }
        }
        return out;
    }

    /** This engine's rules, as iptables -S lines (for tests and leak checks). */
    List<String> current() {
        List<String> out = new ArrayList<>();
        for (String bin : bins()) {
            for (String l : Cmd.run(bin, "-w", "-S", chain).out().split("\n")) if (l.startsWith("-A ")) out.add(l);
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
