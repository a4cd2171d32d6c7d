package io.berth.engine.oci;

import io.berth.engine.oci.ContainerConfig.MountRequest;
import io.berth.engine.oci.ContainerConfig.NamespaceMode;
import io.berth.spec.runtime.Linux;
import io.berth.spec.runtime.Mount;
import io.berth.spec.runtime.Process;
import io.berth.spec.runtime.Resources;
import io.berth.spec.runtime.Root;
import io.berth.spec.runtime.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place where a container's runtime spec is decided: it starts from Docker's defaults
 * ({@link #dockerDefaults}) and applies, in a fixed order, the {@link SpecOpt}s that the
 * container's {@link ContainerConfig} and the daemon's {@link DaemonDefaults} call for.
 *
 * <pre>{@code
 * SpecGenerator gen = new SpecGenerator(HostInfo.detect(), DaemonDefaults.standard());
 * SpecGenerator.Generated g = gen.generate(ContainerConfig.builder(id).image(img).cmd("sh").build(), rootfs);
 * // write g.spec() as bundle/config.json, log g.warnings()
 * }</pre>
 *
 * Errors are {@link io.berth.api.BerthException}: INVALID_ARGUMENT for a request Docker would
 * refuse (unknown user, bad capability, conflicting CPU options), UNAVAILABLE when the host lacks
 * something asked for (no init binary). Thread-safe: it holds only immutable values.
 */
public final class SpecGenerator {
    private final HostInfo host;
    private final DaemonDefaults defaults;

    public SpecGenerator(HostInfo host, DaemonDefaults defaults) {
        this.host = host;
        this.defaults = defaults;
    }

    /** The spec and what was changed from the request to fit the host (for the create response's Warnings). */
    public record Generated(Spec spec, List<String> warnings) {
        public Generated {
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * Generates the spec of container {@code c} whose root file system is at {@code rootfs} on the
     * host (read for /etc/passwd and /etc/group, and written as {@code root.path}).
     */
    public Generated generate(ContainerConfig c, Path rootfs) {
        SpecContext ctx = new SpecContext(c.id(), rootfs, host);
        Spec s = dockerDefaults(defaults.shmSize());
        s = SpecOpts.root(rootfs.toAbsolutePath().toString(), false).apply(s, ctx);
        for (SpecOpt o : options(c)) s = o.apply(s, ctx);
        return new Generated(s, ctx.warnings());
    }

    /** The options for {@code c}, in the order {@link #generate} applies them. */
    public List<SpecOpt> options(ContainerConfig c) {
        NamespaceMode network = or(c.network(), NamespaceMode.PRIVATE);
        NamespaceMode pid = or(c.pid(), NamespaceMode.PRIVATE);
        NamespaceMode ipc = or(c.ipc(), NamespaceMode.PRIVATE);
        NamespaceMode uts = or(c.uts(), NamespaceMode.PRIVATE);
        // Docker's default: a cgroup namespace on cgroup v2 hosts only (on v1 the container would see
        // a tree of empty mount points anyway).
        NamespaceMode cgroupns = or(c.cgroupns(), host.cgroupV2() ? NamespaceMode.PRIVATE : NamespaceMode.HOST);
        // Docker gives a container in the host's UTS namespace (or on the host network) the host's name.
        String hostname = c.hostname() != null && !c.hostname().isEmpty() ? c.hostname()
                : uts.isHost() || network.isHost() ? host.hostname() : c.id().substring(0, Math.min(12, c.id().length()));
        var image = c.imageConfig();

        List<SpecOpt> o = new ArrayList<>();
        o.add(SpecOpts.args(SpecOpts.dockerArgs(image, c.entrypoint(), c.cmd())));
        if (c.init()) o.add(SpecOpts.init(defaults.initPath()));
        o.add(SpecOpts.cwd(c.workingDir() != null && !c.workingDir().isEmpty() ? c.workingDir()
                : image.workingDir() != null && !image.workingDir().isEmpty() ? image.workingDir() : "/"));
        o.add(SpecOpts.env(SpecOpts.dockerEnv(image.env(), c.env(), hostname, c.tty())));
        if (!uts.isHost()) o.add(SpecOpts.hostname(hostname));
        o.add(SpecOpts.terminal(c.tty(), c.consoleSize()));
        o.add(SpecOpts.user(c.user() != null ? c.user() : image.user(), c.groupAdd()));
        o.add(SpecOpts.oomScoreAdj(c.oomScoreAdj()));

        o.add(SpecOpts.namespace("pid", pid));
        o.add(SpecOpts.namespace("network", network));
        o.add(SpecOpts.namespace("ipc", ipc));
        o.add(SpecOpts.namespace("uts", uts));
        o.add(SpecOpts.namespace("cgroup", cgroupns));

        if (c.shmSize() != null && c.shmSize() > 0) o.add(SpecOpts.shmSize(c.shmSize()));
        if (ipc.isHost()) o.add(SpecOpts.hostShm());
        if (c.tmpfs() != null) c.tmpfs().forEach((dest, opts) -> o.add(SpecOpts.tmpfs(dest, opts)));
        if (c.mounts() != null) for (MountRequest m : c.mounts()) o.add(SpecOpts.mount(m));
        o.add(checkDuplicateMounts(c));
        o.add(SpecOpts.sortMounts());
        o.add(SpecOpts.readonlyRootfs(c.readOnlyRootfs()));

        o.add(SpecOpts.capabilities(c.privileged(), c.capAdd(), c.capDrop()));
        if (c.privileged()) o.add(SpecOpts.privileged());
        o.add(SpecOpts.securityOpts(c.securityOpt(), c.privileged()));
        o.add(SpecOpts.rlimits(defaults.defaultUlimits(), c.ulimits()));

        String parent = c.cgroupParent() != null && !c.cgroupParent().isBlank() ? c.cgroupParent() : defaults.cgroupParent();
        o.add(SpecOpts.cgroupsPath((parent.startsWith("/") ? parent : "/" + parent).replaceAll("/+$", "") + "/" + c.id()));
        o.add(SpecOpts.resources(c.resources()));
        o.add(SpecOpts.sysctls(c.sysctls(), network, ipc));
        o.add(SpecOpts.annotations(c.annotations()));
        o.add(SpecOpts.hooks(defaults.hooks()));
        o.add(defaults.hookRules().specOpt()); // last: its conditions read the final args, annotations and mounts
        return o;
    }

    private static SpecOpt checkDuplicateMounts(ContainerConfig c) {
        return (s, ctx) -> {
            List<String> seen = new ArrayList<>();
            if (c.tmpfs() != null) for (String d : c.tmpfs().keySet()) seen.add(Path.of(d).normalize().toString());
            if (c.mounts() != null) {
                for (MountRequest m : c.mounts()) {
                    String d = Path.of(m.destination()).normalize().toString();
                    if (seen.contains(d)) throw io.berth.api.BerthException.invalid("Duplicate mount point: %s", d);
                    seen.add(d);
                }
            }
            return s;
        };
    }

    private static <T> T or(T v, T dflt) { return v != null ? v : dflt; }

    // ---- Docker's defaults --------------------------------------------------------------------------

    /** /proc entries that leak host information or allow harm; runc bind-mounts /dev/null (or an empty tmpfs) over them. */
    public static final List<String> MASKED_PATHS = List.of(
            "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
            "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap");

    /** /proc entries that stay readable but must not be written (kernel tunables, sysrq). */
    public static final List<String> READONLY_PATHS = List.of(
            "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    /**
     * Docker's device cgroup: deny everything, then allow mknod of any node (creating one is
     * harmless; opening it is what is controlled) and read/write/mknod of the standard
     * pseudo-devices: null, zero, full, random, urandom, tty, console, the pty master and slaves,
     * and tun (so a container with NET_ADMIN can make a tun device).
     */
    public static List<Resources.DeviceRule> defaultDeviceRules() {
        List<Resources.DeviceRule> r = new ArrayList<>();
        r.add(new Resources.DeviceRule(false, null, null, null, "rwm"));
        r.add(new Resources.DeviceRule(true, "c", null, null, "m"));
        r.add(new Resources.DeviceRule(true, "b", null, null, "m"));
        long[][] chars = {{1, 3}, {1, 8}, {1, 7}, {5, 0}, {1, 5}, {1, 9}, {5, 1}, {136, -1}, {5, 2}, {10, 200}};
        for (long[] d : chars) r.add(new Resources.DeviceRule(true, "c", d[0], d[1] < 0 ? null : d[1], "rwm"));
        return r;
    }

    /** Docker's standard mounts, with /dev/shm of {@code shmSize} bytes. */
    public static List<Mount> defaultMounts(long shmSize) {
        List<String> nsn = List.of("nosuid", "noexec", "nodev");
        return List.of(
                new Mount("/proc", "proc", "proc", nsn),
                new Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                new Mount("/dev/pts", "devpts", "devpts", List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
                new Mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")),
                new Mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("ro", "nosuid", "noexec", "nodev")),
                new Mount("/dev/mqueue", "mqueue", "mqueue", nsn),
                new Mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=" + shmSize)));
    }

    /**
     * The spec every container starts from, before any option: root as uid 0 in "/", Docker's
     * default capabilities, the standard mounts, private pid/ipc/uts/mount/network namespaces,
     * masked and read-only /proc paths, the default device rules. No args, env, seccomp or hostname
     * yet: those depend on the container and are set by options.
     */
    public static Spec dockerDefaults(long shmSize) {
        Process process = new Process(false, null, Process.User.root(), null, null, "/",
                Process.Capabilities.of(Caps.DOCKER_DEFAULT), null, null, null, null, null);
        Linux linux = Linux.EMPTY
                .withResources(Resources.EMPTY.withDevices(defaultDeviceRules()))
                .withNamespaces(List.of(Linux.Namespace.of("pid"), Linux.Namespace.of("network"), Linux.Namespace.of("ipc"),
                        Linux.Namespace.of("uts"), Linux.Namespace.of("mount")))
                .withMaskedPaths(MASKED_PATHS)
                .withReadonlyPaths(READONLY_PATHS);
        return new Spec(Spec.VERSION, process, new Root("rootfs", null), null, defaultMounts(shmSize), null, null, linux);
    }
}
