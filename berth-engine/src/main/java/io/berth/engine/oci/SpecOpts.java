package io.berth.engine.oci;

import io.berth.api.BerthException;
import io.berth.engine.oci.ContainerConfig.MountRequest;
import io.berth.engine.oci.ContainerConfig.NamespaceMode;
import io.berth.engine.oci.ContainerConfig.ResourceLimits;
import io.berth.engine.oci.ContainerConfig.Ulimit;
import io.berth.spec.image.ImageConfig;
import io.berth.spec.runtime.Hooks;
import io.berth.spec.runtime.Linux;
import io.berth.spec.runtime.Mount;
import io.berth.spec.runtime.Process;
import io.berth.spec.runtime.Resources;
import io.berth.spec.runtime.Root;
import io.berth.spec.runtime.Seccomp;
import io.berth.spec.runtime.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The options {@link SpecGenerator} composes, one per concern, each usable alone. Docker's rules
 * that need no spec (which args, which env) are exposed as pure functions next to their option.
 */
public final class SpecOpts {
    private SpecOpts() {}

    public static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** Where {@code --init} puts the init binary, as Docker does, so `ps` inside looks familiar. */
    public static final String INIT_DESTINATION = "/sbin/docker-init";

    // ---- process ------------------------------------------------------------------------------------

    static Spec process(Spec s, UnaryOperator<Process> f) { return s.withProcess(f.apply(s.process())); }

    static Spec linux(Spec s, UnaryOperator<Linux> f) { return s.withLinux(f.apply(s.linux() == null ? Linux.EMPTY : s.linux())); }

    static Spec resources(Spec s, UnaryOperator<Resources> f) {
        return linux(s, l -> l.withResources(f.apply(l.resources() == null ? Resources.EMPTY : l.resources())));
    }

    public static SpecOpt args(List<String> args) {
        return (s, c) -> process(s, p -> p.withArgs(args));
    }

    /**
     * Docker's argv: the entrypoint (the request's if given, else the image's) followed by the cmd
     * (the request's if given; else the image's, unless the request replaced the entrypoint, which
     * resets the image's cmd). An entrypoint of [] or [""] means none. Empty result: Docker's
     * "no command specified".
     */
    public static List<String> dockerArgs(ImageConfig.Config image, List<String> entrypoint, List<String> cmd) {
        boolean entrypointGiven = entrypoint != null;
        List<String> ep = entrypointGiven ? entrypoint : image.entrypoint();
        if (ep != null && ep.size() == 1 && ep.getFirst().isEmpty()) ep = List.of();
        List<String> c = cmd != null ? cmd : entrypointGiven ? null : image.cmd();
        List<String> out = new ArrayList<>();
        if (ep != null) out.addAll(ep);
        if (c != null) out.addAll(c);
        if (out.isEmpty()) throw BerthException.invalid("creating container: no command specified");
        return out;
    }

    /**
     * Docker's environment, in Docker's order: a default PATH, HOSTNAME, TERM=xterm with a tty, then
     * the image's entries and the request's, each replacing an earlier one with the same key. A
     * request entry without "=" removes that variable.
     */
    public static List<String> dockerEnv(List<String> imageEnv, List<String> env, String hostname, boolean tty) {
        Map<String, String> vars = new LinkedHashMap<>();
        put(vars, DEFAULT_PATH);
        if (hostname != null) put(vars, "HOSTNAME=" + hostname);
        if (tty) put(vars, "TERM=xterm");
        if (imageEnv != null) imageEnv.forEach(e -> put(vars, e));
        if (env != null) env.forEach(e -> put(vars, e));
        return new ArrayList<>(vars.values());
    }

    private static void put(Map<String, String> vars, String entry) {
        int eq = entry.indexOf('=');
        if (eq < 0) vars.remove(entry);
        else vars.put(entry.substring(0, eq), entry);
    }

    public static SpecOpt env(List<String> env) {
        return (s, c) -> process(s, p -> p.withEnv(env));
    }

    /** The working directory: must be absolute; cleaned ("/a/./b/" → "/a/b"). */
    public static SpecOpt cwd(String dir) {
        return (s, c) -> {
            if (!dir.startsWith("/")) {
                throw BerthException.invalid("the working directory '%s' is invalid, it needs to be an absolute path", dir);
            }
            return process(s, p -> p.withCwd(Path.of(dir).normalize().toString()));
        };
    }

    /** The hostname (requires a private UTS namespace; runc refuses it otherwise). */
    public static SpecOpt hostname(String hostname) {
        return (s, c) -> s.withHostname(hostname);
    }

    public static SpecOpt terminal(boolean tty, ContainerConfig.ConsoleSize size) {
        return (s, c) -> process(s, p -> p.withTerminal(tty)
                .withConsoleSize(tty && size != null ? new Process.ConsoleSize(size.height(), size.width()) : null));
    }

    /** Resolves {@code user} and {@code groupAdd} against the container's rootfs (see {@link UserResolver}). */
    public static SpecOpt user(String user, List<String> groupAdd) {
        return (s, c) -> process(s, p -> p.withUser(UserResolver.resolve(c.rootfs(), user, groupAdd)));
    }

    public static SpecOpt oomScoreAdj(Integer adj) {
        return (s, c) -> {
            if (adj == null) return s;
            if (adj < -1000 || adj > 1000) throw BerthException.invalid("invalid value %d, range for oom score adj is [-1000, 1000]", adj);
            return process(s, p -> p.withOomScoreAdj(adj));
        };
    }

    /**
     * {@code --init}: the init binary is bound read-only at {@link #INIT_DESTINATION} and becomes
     * argv[0], with "--" before the original argv so the init never parses the program's flags.
     * Apply after the args are set. catatonit and tini both accept this form and reap zombies.
     */
    public static SpecOpt init(String initPath) {
        return (s, c) -> {
            if (initPath == null) {
                throw BerthException.unavailable("setting up --init: no init binary configured (install catatonit or tini)");
            }
            List<String> args = new ArrayList<>(List.of(INIT_DESTINATION, "--"));
            args.addAll(s.process().args());
            Spec t = process(s, p -> p.withArgs(args));
            return addMount(t, new Mount(INIT_DESTINATION, "bind", initPath, List.of("bind", "ro")));
        };
    }

    // ---- capabilities and security ------------------------------------------------------------------

    /**
     * Sets the capability sets to Docker's defaults tweaked by {@code add}/{@code drop} (see
     * {@link Caps#tweak}), or to every capability when {@code privileged}. Capabilities outside the
     * host process's bounding set are left out with a warning: runc could not grant them and would
     * fail the start instead.
     */
    public static SpecOpt capabilities(boolean privileged, List<String> add, List<String> drop) {
        return (s, c) -> {
            List<String> caps = privileged ? Caps.ALL : Caps.tweak(Caps.DOCKER_DEFAULT, add, drop);
            List<String> granted = caps.stream().filter(c.host().capabilities()::contains).toList();
            List<String> missing = caps.stream().filter(x -> !c.host().capabilities().contains(x)).toList();
            if (!missing.isEmpty()) {
                c.warn((privileged ? "privileged container runs without " : "container runs without ") + String.join(", ", missing)
                        + ": the daemon does not hold " + (missing.size() == 1 ? "it" : "them"));
            }
            return process(s, p -> p.withCapabilities(Process.Capabilities.of(granted)));
        };
    }

    public static SpecOpt noNewPrivileges(boolean on) {
        return (s, c) -> process(s, p -> p.withNoNewPrivileges(on ? Boolean.TRUE : null));
    }

    public static SpecOpt apparmor(String profile) {
        return (s, c) -> process(s, p -> p.withApparmorProfile(profile));
    }

    /** The default filter for the capabilities the spec grants at this point (apply after {@link #capabilities}). */
    public static SpecOpt defaultSeccomp() {
        return (s, c) -> linux(s, l -> l.withSeccomp(SeccompProfiles.dockerDefault(bounding(s))));
    }

    public static SpecOpt seccompProfile(Path profile) {
        return (s, c) -> linux(s, l -> l.withSeccomp(SeccompProfiles.load(profile, bounding(s))));
    }

    public static SpecOpt noSeccomp() {
        return (s, c) -> linux(s, l -> l.withSeccomp(null));
    }

    private static List<String> bounding(Spec s) {
        var caps = s.process().capabilities();
        return caps == null || caps.bounding() == null ? List.of() : caps.bounding();
    }

    /**
     * Applies Docker's {@code --security-opt} values: "no-new-privileges" (also ":true", "=true",
     * ":false"), "seccomp=unconfined", "seccomp=PATH", "apparmor=PROFILE"; "label=..." is accepted
     * and ignored with a warning (no SELinux here). The default seccomp filter applies unless
     * replaced. Anything else is an error naming the option.
     */
    public static SpecOpt securityOpts(List<String> opts, boolean privileged) {
        return (s, c) -> {
            boolean nnp = false;
            String seccomp = null;
            String apparmor = null;
            for (String o : opts == null ? List.<String>of() : opts) {
                String key = o, value = null;
                int sep = indexOfSeparator(o);
                if (sep >= 0) { key = o.substring(0, sep); value = o.substring(sep + 1); }
                switch (key) {
                    case "no-new-privileges" -> {
                        if (value == null || value.equals("true")) nnp = true;
                        else if (value.equals("false")) nnp = false;
                        else throw BerthException.invalid("invalid --security-opt: \"%s\"", o);
                    }
                    case "seccomp" -> {
                        if (value == null || value.isEmpty()) throw BerthException.invalid("invalid --security-opt: \"%s\"", o);
                        seccomp = value;
                    }
                    case "apparmor" -> apparmor = value;
                    case "label" -> c.warn("security option " + o + " ignored: SELinux labels are not supported");
                    default -> throw BerthException.invalid("invalid --security-opt: \"%s\"", o);
                }
            }
            Spec t = noNewPrivileges(nnp).apply(s, c);
            if (apparmor != null) t = apparmor(apparmor).apply(t, c);
            if (privileged || "unconfined".equals(seccomp)) return noSeccomp().apply(t, c);
            if (seccomp != null) return seccompProfile(Path.of(seccomp)).apply(t, c);
            return defaultSeccomp().apply(t, c);
        };
    }

    private static int indexOfSeparator(String o) {
        int eq = o.indexOf('='), colon = o.indexOf(':');
        if (eq < 0) return colon;
        if (colon < 0) return eq;
        return Math.min(eq, colon);
    }

    /**
     * {@code --privileged}: every host device (nodes and cgroup access), /sys and the cgroup mount
     * writable, no masked or read-only /proc paths. Capabilities and seccomp are handled by their
     * own options, which also take {@code privileged}.
     */
    public static SpecOpt privileged() {
        return (s, c) -> {
            List<Mount> mounts = new ArrayList<>();
            for (Mount m : s.mounts()) {
                if (("sysfs".equals(m.type()) || "cgroup".equals(m.type())) && m.options() != null) {
                    m = new Mount(m.destination(), m.type(), m.source(), m.options().stream().filter(o -> !o.equals("ro")).toList());
                }
                mounts.add(m);
            }
            Spec t = s.withMounts(mounts);
            t = linux(t, l -> l.withMaskedPaths(null).withReadonlyPaths(null).withDevices(HostDevices.list(Path.of("/dev"))));
            return resources(t, r -> r.withDevices(List.of(new Resources.DeviceRule(true, "a", null, null, "rwm"))));
        };
    }

    // ---- file systems -------------------------------------------------------------------------------

    public static SpecOpt root(String path, boolean readonly) {
        return (s, c) -> s.withRoot(new Root(path, readonly ? Boolean.TRUE : null));
    }

    public static SpecOpt readonlyRootfs(boolean ro) {
        return (s, c) -> s.withRoot(new Root(s.root() == null ? "rootfs" : s.root().path(), ro ? Boolean.TRUE : null));
    }

    /** Replaces any mount at the same destination: a user's /dev/shm replaces the default one. */
    static Spec addMount(Spec s, Mount m) {
        List<Mount> out = new ArrayList<>();
        for (Mount x : s.mounts() == null ? List.<Mount>of() : s.mounts()) if (!x.destination().equals(m.destination())) out.add(x);
        out.add(m);
        return s.withMounts(out);
    }

    /** /dev/shm as a tmpfs of {@code bytes}. */
    public static SpecOpt shmSize(long bytes) {
        return (s, c) -> {
            if (bytes <= 0) throw BerthException.invalid("invalid shm size %d: must be positive", bytes);
            return addMount(s, new Mount("/dev/shm", "tmpfs", "shm",
                    List.of("nosuid", "noexec", "nodev", "mode=1777", "size=" + bytes)));
        };
    }

    /** The host's /dev/shm, for {@code --ipc host} (the segments must be the host's too). */
    public static SpecOpt hostShm() {
        return (s, c) -> addMount(s, new Mount("/dev/shm", "bind", "/dev/shm", List.of("rbind", "nosuid", "noexec", "nodev")));
    }

    /**
     * {@code --tmpfs DEST:OPTIONS}: a tmpfs with Docker's defaults (nosuid, nodev, noexec) unless
     * the options say otherwise ("exec", "suid", "dev").
     */
    public static SpecOpt tmpfs(String destination, String options) {
        return (s, c) -> {
            checkDestination(destination);
            List<String> opts = new ArrayList<>();
            if (options != null && !options.isBlank()) for (String o : options.split(",")) if (!o.isBlank()) opts.add(o.strip());
            for (String[] pair : new String[][]{{"nosuid", "suid"}, {"nodev", "dev"}, {"noexec", "exec"}}) {
                if (!opts.contains(pair[0]) && !opts.contains(pair[1])) opts.add(pair[0]);
            }
            return addMount(s, new Mount(Path.of(destination).normalize().toString(), "tmpfs", "tmpfs", opts));
        };
    }

    /**
     * A bind mount or a named volume (already a host directory): rbind (or bind when not
     * recursive), ro when asked, propagation rprivate unless given. A shared or slave propagation
     * makes the root's propagation rshared/rslave, or the kernel would not propagate through it.
     */
    public static SpecOpt mount(MountRequest m) {
        return (s, c) -> {
            checkDestination(m.destination());
            if (m.source() == null || !m.source().startsWith("/")) {
                throw BerthException.invalid("invalid mount config for %s: source must be an absolute host path: %s", m.destination(), m.source());
            }
            String prop = m.propagation() == null || m.propagation().isEmpty() ? "rprivate" : m.propagation();
            if (!Set.of("private", "rprivate", "shared", "rshared", "slave", "rslave").contains(prop)) {
                throw BerthException.invalid("invalid mount config for %s: invalid propagation mode: %s", m.destination(), prop);
            }
            List<String> opts = new ArrayList<>(List.of(m.recursive() ? "rbind" : "bind"));
            if (m.readOnly()) opts.add("ro");
            opts.add(prop);
            Spec t = addMount(s, new Mount(Path.of(m.destination()).normalize().toString(), "bind", m.source(), opts));
            String rootProp = t.linux() == null ? null : t.linux().rootfsPropagation();
            if (prop.endsWith("shared")) return linux(t, l -> l.withRootfsPropagation("rshared"));
            if (prop.endsWith("slave") && !"rshared".equals(rootProp)) return linux(t, l -> l.withRootfsPropagation("rslave"));
            return t;
        };
    }

    private static void checkDestination(String d) {
        if (d == null || !d.startsWith("/")) throw BerthException.invalid("invalid mount config: mount path must be absolute: %s", d);
        if (Path.of(d).normalize().toString().equals("/")) throw BerthException.invalid("invalid mount config: destination can't be '/'");
    }

    /**
     * Orders mounts parents first (by path depth, stable), since runc mounts in list order and a
     * child mounted before its parent would be hidden under it.
     */
    public static SpecOpt sortMounts() {
        return (s, c) -> s.withMounts(s.mounts().stream()
                .sorted(Comparator.comparingInt(m -> Path.of(m.destination()).normalize().getNameCount())).toList());
    }

    // ---- namespaces and cgroups ---------------------------------------------------------------------

    /**
     * Sets one namespace: a new one (PRIVATE), none (HOST: the runtime's, i.e. the host's), or the one
     * at a path. Types as the spec names them: pid, network, ipc, uts, mount, cgroup, user.
     */
    public static SpecOpt namespace(String type, NamespaceMode mode) {
        return (s, c) -> linux(s, l -> {
            List<Linux.Namespace> ns = new ArrayList<>();
            for (Linux.Namespace n : l.namespaces() == null ? List.<Linux.Namespace>of() : l.namespaces()) if (!n.type().equals(type)) ns.add(n);
            switch (mode.kind()) {
                case PRIVATE -> ns.add(Linux.Namespace.of(type));
                case PATH -> ns.add(new Linux.Namespace(type, mode.path()));
                case HOST -> { }
            }
            return l.withNamespaces(ns);
        });
    }

    public static SpecOpt cgroupsPath(String path) {
        return (s, c) -> linux(s, l -> l.withCgroupsPath(path));
    }

    /**
     * Docker's resource rules, translated to cgroup values: memory-swap -1 is unlimited and unset
     * means twice the memory; {@code --cpus} becomes a CFS quota over a 100 ms period; settings the
     * host's cgroups cannot apply (swap without accounting, blkio weight without BFQ) are dropped
     * with Docker's warnings instead of failing the start.
     */
    public static SpecOpt resources(ResourceLimits r) {
        return (s, c) -> {
            if (r == null) return s;
            HostInfo host = c.host();
            Resources.Memory memory = memory(r, host, c);
            Resources.Cpu cpu = cpu(r, host);
            Resources.Pids pids = r.pidsLimit() != null && r.pidsLimit() > 0 ? new Resources.Pids(r.pidsLimit()) : null;
            Resources.BlockIO blkio = null;
            Integer w = r.blkioWeight();
            if (w != null && w != 0) {
                if (w < 10 || w > 1000) throw BerthException.invalid("Range of blkio weight is from 10 to 1000");
                if (host.blkioWeight()) blkio = new Resources.BlockIO(w);
                else c.warn("Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.");
            }
            Resources.Memory fm = memory;
            Resources.Cpu fc = cpu;
            Resources.BlockIO fb = blkio;
            return resources(s, x -> x.withMemory(fm).withCpu(fc).withPids(pids).withBlockIO(fb));
        };
    }

    static final long MIN_MEMORY = 6L << 20;

    private static Resources.Memory memory(ResourceLimits r, HostInfo host, SpecContext c) {
        long mem = r.memory() == null ? 0 : r.memory();
        long swap = r.memorySwap() == null ? 0 : r.memorySwap();
        if (mem < 0) throw BerthException.invalid("invalid memory limit %d", mem);
        if (mem > 0 && mem < MIN_MEMORY) throw BerthException.invalid("Minimum memory limit allowed is 6MB");
        if (swap > 0 && mem == 0) throw BerthException.invalid("You should always set the Memory limit when using Memoryswap limit, see usage");
        if (swap > 0 && swap < mem) throw BerthException.invalid("Minimum memoryswap limit should be larger than memory limit, see usage");
        Long swapValue = null;
        if (mem > 0 || swap == -1) {
            swapValue = swap == -1 ? -1L : swap > 0 ? swap : 2 * mem;
            if (!host.swapAccounting()) {
                c.warn("Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.");
                swapValue = null;
            }
        }
        Long swappiness = r.memorySwappiness();
        if (swappiness != null && swappiness != -1 && (swappiness < 0 || swappiness > 100)) {
            throw BerthException.invalid("Invalid value: %d, valid memory swappiness range is 0-100", swappiness);
        }
        if (swappiness != null && swappiness == -1) swappiness = null;
        Long reservation = r.memoryReservation() == null || r.memoryReservation() == 0 ? null : r.memoryReservation();
        if (reservation != null && mem > 0 && reservation > mem) {
            throw BerthException.invalid("Minimum memory limit can not be less than memory reservation limit, see usage");
        }
        Boolean oomDisable = Boolean.TRUE.equals(r.oomKillDisable()) ? Boolean.TRUE : null;
        if (oomDisable != null && mem == 0) c.warn("OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.");
        if (mem == 0 && swapValue == null && swappiness == null && reservation == null && oomDisable == null) return null;
        return new Resources.Memory(mem > 0 ? mem : null, reservation, swapValue, null, swappiness, oomDisable);
    }

    public static final long CFS_PERIOD = 100_000;

    private static Resources.Cpu cpu(ResourceLimits r, HostInfo host) {
        long nano = r.nanoCpus() == null ? 0 : r.nanoCpus();
        long quota = r.cpuQuota() == null ? 0 : r.cpuQuota();
        long period = r.cpuPeriod() == null ? 0 : r.cpuPeriod();
        if (nano > 0 && period > 0) throw BerthException.invalid("Conflicting options: Nano CPUs and CPU Period cannot both be set");
        if (nano > 0 && quota > 0) throw BerthException.invalid("Conflicting options: Nano CPUs and CPU Quota cannot both be set");
        if (nano != 0 && (nano < 10_000_000L || nano > host.cpus() * 1_000_000_000L)) {
            throw BerthException.invalid("Range of CPUs is from 0.01 to %d.00, as there are only %d CPUs available", host.cpus(), host.cpus());
        }
        if (nano > 0) {
            period = CFS_PERIOD;
            quota = nano * CFS_PERIOD / 1_000_000_000L;
        }
        if (period != 0 && (period < 1000 || period > 1_000_000)) throw BerthException.invalid("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
        if (quota > 0 && quota < 1000) throw BerthException.invalid("CPU cfs quota can not be less than 1ms (i.e. 1000)");
        Long shares = r.cpuShares() == null || r.cpuShares() == 0 ? null : r.cpuShares();
        String cpus = blankToNull(r.cpusetCpus()), mems = blankToNull(r.cpusetMems());
        if (cpus != null) checkCpuset(cpus, host.cpus());
        if (mems != null && !CPUSET.matcher(mems).matches()) throw BerthException.invalid("Invalid value %s for cpuset mems", mems);
        if (shares == null && quota == 0 && period == 0 && cpus == null && mems == null) return null;
        return new Resources.Cpu(shares, quota != 0 ? quota : null, period != 0 ? period : null, cpus, mems);
    }

    private static final java.util.regex.Pattern CPUSET = java.util.regex.Pattern.compile("\\d+(-\\d+)?(,\\d+(-\\d+)?)*");

    private static void checkCpuset(String cpus, int online) {
        if (!CPUSET.matcher(cpus).matches()) throw BerthException.invalid("Invalid value %s for cpuset cpus", cpus);
        for (String part : cpus.split(",")) {
            String[] range = part.split("-");
            int hi = Integer.parseInt(range[range.length - 1]);
            if (Integer.parseInt(range[0]) > hi) throw BerthException.invalid("Invalid value %s for cpuset cpus", cpus);
            if (hi >= online) {
                throw BerthException.invalid("Requested CPUs are not available - requested %s, available: 0-%d", cpus, online - 1);
            }
        }
    }

    private static String blankToNull(String s) { return s == null || s.isBlank() ? null : s.strip(); }

    // ---- limits -------------------------------------------------------------------------------------

    private static final Set<String> ULIMITS = Set.of("as", "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue",
            "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack");

    /**
     * Sets rlimits, never above the host's hard limits. A process without CAP_SYS_RESOURCE cannot
     * raise a hard limit above its own, and runc, conmon and the container inherit the daemon's; a
     * request above it would make runc's setrlimit fail with EPERM and the start fail (podman's
     * default nofile=1048576 fails on such a host). So each hard value is clamped to the host's
     * hard limit and each soft value to the resulting hard value, with a warning for each change.
     * An explicit soft above hard is still the user's error, as in Docker. {@code defaults} (the
     * daemon's default ulimits) apply where the container does not set the same name.
     */
    public static SpecOpt rlimits(List<Ulimit> defaults, List<Ulimit> ulimits) {
        return (s, c) -> {
            Map<String, Ulimit> byName = new LinkedHashMap<>();
            for (Ulimit u : defaults == null ? List.<Ulimit>of() : defaults) byName.put(u.name().toLowerCase(Locale.ROOT), u);
            for (Ulimit u : ulimits == null ? List.<Ulimit>of() : ulimits) byName.put(u.name().toLowerCase(Locale.ROOT), u);
            if (byName.isEmpty()) return s;
            List<Process.Rlimit> out = new ArrayList<>();
            for (var e : byName.entrySet()) {
                String name = e.getKey();
                if (!ULIMITS.contains(name)) throw BerthException.invalid("invalid ulimit type: %s", name);
                long soft = e.getValue().soft() < 0 ? Process.Rlimit.INFINITY : e.getValue().soft();
                long hard = e.getValue().hard() < 0 ? Process.Rlimit.INFINITY : e.getValue().hard();
                if (Long.compareUnsigned(soft, hard) > 0) {
                    throw BerthException.invalid("invalid ulimit %s: soft limit %s must be less than or equal to hard limit %s",
                            name, show(soft), show(hard));
                }
                String type = "RLIMIT_" + name.toUpperCase(Locale.ROOT);
                long hostHard = c.host().hardLimit(type);
                if (Long.compareUnsigned(hard, hostHard) > 0) {
                    c.warn("ulimit " + name + ": hard limit " + show(hard) + " lowered to the host's hard limit " + show(hostHard));
                    hard = hostHard;
                }
                if (Long.compareUnsigned(soft, hard) > 0) {
                    c.warn("ulimit " + name + ": soft limit " + show(soft) + " lowered to " + show(hard));
                    soft = hard;
                }
                out.add(new Process.Rlimit(type, hard, soft));
            }
            return process(s, p -> p.withRlimits(out));
        };
    }

    private static String show(long v) { return v == Process.Rlimit.INFINITY ? "unlimited" : Long.toUnsignedString(v); }

    // ---- the rest -----------------------------------------------------------------------------------

    /**
     * Namespaced sysctls only, as Docker: net.* needs a network namespace of the container's own,
     * kernel.shm*, kernel.msg*, kernel.sem and fs.mqueue.* need a private IPC namespace.
     */
    public static SpecOpt sysctls(Map<String, String> sysctls, NamespaceMode network, NamespaceMode ipc) {
        return (s, c) -> {
            if (sysctls == null || sysctls.isEmpty()) return s;
            for (String k : sysctls.keySet()) {
                boolean ipcKey = k.startsWith("kernel.shm") || k.startsWith("kernel.msg") || k.equals("kernel.sem") || k.startsWith("fs.mqueue.");
                if (k.startsWith("net.")) {
                    if (network.isHost()) throw BerthException.invalid("sysctl %s is not allowed in host network namespace", k);
                } else if (ipcKey) {
                    if (ipc.isHost()) throw BerthException.invalid("sysctl %s is not allowed in host IPC namespace", k);
                } else if (!k.equals("kernel.domainname")) {
                    throw BerthException.invalid("sysctl %s is not whitelisted", k);
                }
            }
            return linux(s, l -> l.withSysctl(new LinkedHashMap<>(sysctls)));
        };
    }

    public static SpecOpt annotations(Map<String, String> annotations) {
        return (s, c) -> annotations == null || annotations.isEmpty() ? s : s.withAnnotations(annotations);
    }

    /** Adds hooks after any already in the spec, phase by phase; an empty set changes nothing. */
    public static SpecOpt hooks(Hooks hooks) {
        return (s, c) -> {
            if (hooks == null || hooks.isEmpty()) return s;
            Hooks merged = s.hooks() == null ? hooks : s.hooks().plus(hooks);
            return s.withHooks(merged);
        };
    }
}
