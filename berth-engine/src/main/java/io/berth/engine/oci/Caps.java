package io.berth.engine.oci;

import io.berth.api.BerthException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Capability names: the kernel's list, Docker's default set, and the add/drop rules. */
public final class Caps {
    private Caps() {}

    /** Every capability up to CAP_CHECKPOINT_RESTORE (Linux 5.9), indexed by its bit number. */
    public static final List<String> ALL = List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
            "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
            "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
            "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
            "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
            "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
            "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE");

    /**
     * Docker's default set: enough for a root process to own, chmod and serve files, switch users
     * and bind low ports, and nothing that reaches the host (no SYS_ADMIN, NET_ADMIN, SYS_PTRACE...).
     */
    public static final List<String> DOCKER_DEFAULT = List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
            "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
            "CAP_AUDIT_WRITE");

    /**
     * The canonical name of a capability as users write it: "net_admin", "NET_ADMIN" and
     * "CAP_NET_ADMIN" all give "CAP_NET_ADMIN"; "ALL" stays "ALL".
     */
    public static String normalize(String name) {
        String n = name.strip().toUpperCase(Locale.ROOT);
        if (n.equals("ALL")) return n;
        if (!n.startsWith("CAP_")) n = "CAP_" + n;
        if (!ALL.contains(n)) throw BerthException.invalid("unknown capability: \"%s\"", name);
        return n;
    }

    /** The names of the set bits of a capability mask (as in /proc/PID/status). */
    public static Set<String> fromMask(long mask) {
        Set<String> out = new LinkedHashSet<>();
        for (int bit = 0; bit < ALL.size(); bit++) if ((mask & (1L << bit)) != 0) out.add(ALL.get(bit));
        return out;
    }

    /** The mask of a set of names, the inverse of {@link #fromMask}. */
    public static long toMask(Iterable<String> caps) {
        long m = 0;
        for (String c : caps) m |= 1L << ALL.indexOf(c);
        return m;
    }

    /**
     * Docker's rules for {@code --cap-add}/{@code --cap-drop} on top of {@code base}: dropping ALL
     * starts from nothing, adding ALL starts from everything; otherwise drops apply first and adds
     * after, so a capability both added and dropped ends up added (as Docker 20.10+ does).
     * Result in {@link #ALL} order, deduplicated.
     */
    public static List<String> tweak(List<String> base, List<String> add, List<String> drop) {
        List<String> adds = normalizeAll(add), drops = normalizeAll(drop);
        Set<String> caps = new LinkedHashSet<>();
        if (adds.contains("ALL")) {
            caps.addAll(ALL);
            caps.removeAll(drops.stream().filter(d -> !adds.contains(d)).toList());
        } else {
            if (!drops.contains("ALL")) caps.addAll(base);
            caps.removeAll(drops);
            caps.addAll(adds);
        }
        List<String> ordered = new ArrayList<>();
        for (String c : ALL) if (caps.contains(c)) ordered.add(c);
        return ordered;
    }

    private static List<String> normalizeAll(List<String> names) {
        if (names == null) return List.of();
        return names.stream().map(Caps::normalize).distinct().toList();
    }
}
