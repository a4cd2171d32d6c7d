package io.berth.engine.oci;

import io.berth.spec.image.ImageConfig;

import java.util.List;
import java.util.Map;

/**
 * Everything about one container that shapes its runtime spec, in engine terms (the server and the
 * CLI translate Docker's JSON and flags into this). Null means "not given": the image's value or
 * Docker's default applies. Lists and maps are copied; build one with {@link #builder(String)}.
 *
 * @param id              the container id (64 hex in practice); names the cgroup and, by its first
 *                        12 characters, the default hostname
 * @param image           the image's configuration, may be null for a bare rootfs
 * @param entrypoint      overrides the image's entrypoint; an empty list (or Docker CLI's [""])
 *                        clears it, and any explicit entrypoint also drops the image's cmd
 * @param cmd             overrides the image's cmd
 * @param env             KEY=VALUE entries replacing the image's by key; a bare KEY removes it
 * @param workingDir      absolute path; default the image's, then "/"
 * @param user            "name", "uid", "name:group", "uid:gid" (resolved against the rootfs)
 * @param groupAdd        extra groups, names or numeric ids
 * @param hostname        default: the first 12 characters of the id, or the host's under --uts host
 * @param tty             allocate a terminal (adds TERM=xterm)
 * @param consoleSize     initial terminal size, only with a tty
 * @param annotations     OCI annotations for hooks and the runtime (Docker's HostConfig.Annotations);
 *                        labels are NOT copied here, as Docker does not either
 * @param privileged      all capabilities and devices, no seccomp, masks or read-only paths
 * @param capAdd          capability names ("NET_ADMIN", "CAP_NET_ADMIN", "ALL")
 * @param capDrop         capability names to drop
 * @param securityOpt     "no-new-privileges[:true|=true]", "seccomp=unconfined", "seccomp=PATH",
 *                        "apparmor=PROFILE"
 * @param readOnlyRootfs  mount the root read-only
 * @param tmpfs           destination → Docker's option string ("size=64m,exec"); may be empty
 * @param mounts          binds and volumes with host sources already resolved
 * @param init            run an init (catatonit/tini from {@link DaemonDefaults#initPath()}) as pid 1
 * @param ulimits         rlimits to set; never above the host's hard limits (see {@link SpecOpts#rlimits})
 * @param shmSize         /dev/shm size in bytes; default 64 MiB
 * @param network         network namespace: PRIVATE (the "none" mode until bridges exist), HOST, or a path
 * @param pid             pid namespace mode (default PRIVATE)
 * @param ipc             ipc namespace mode (default PRIVATE; HOST also binds the host's /dev/shm)
 * @param uts             uts namespace mode (default PRIVATE)
 * @param cgroupns        cgroup namespace; default PRIVATE on a cgroup v2 host, HOST on v1 (as Docker)
 * @param cgroupParent    parent of the container's cgroup; default {@link DaemonDefaults#cgroupParent()}
 * @param resources       cgroup limits, may be null
 * @param oomScoreAdj     -1000..1000
 * @param sysctls         namespaced sysctls (net.*, kernel.shm*, ...)
 */
public record ContainerConfig(
        String id,
        ImageConfig image,
        List<String> entrypoint,
        List<String> cmd,
        List<String> env,
        String workingDir,
        String user,
        List<String> groupAdd,
        String hostname,
        boolean tty,
        ConsoleSize consoleSize,
        Map<String, String> annotations,
        boolean privileged,
        List<String> capAdd,
        List<String> capDrop,
        List<String> securityOpt,
        boolean readOnlyRootfs,
        Map<String, String> tmpfs,
        List<MountRequest> mounts,
        boolean init,
        List<Ulimit> ulimits,
        Long shmSize,
        NamespaceMode network,
        NamespaceMode pid,
        NamespaceMode ipc,
        NamespaceMode uts,
        NamespaceMode cgroupns,
        String cgroupParent,
        ResourceLimits resources,
        Integer oomScoreAdj,
        Map<String, String> sysctls) {

    public ContainerConfig {
        if (id == null || id.isBlank()) throw new IllegalArgumentException("container id is required");
        entrypoint = copy(entrypoint);
        cmd = copy(cmd);
        env = copy(env);
        groupAdd = copy(groupAdd);
        annotations = annotations == null ? null : Map.copyOf(annotations);
        capAdd = copy(capAdd);
        capDrop = copy(capDrop);
        securityOpt = copy(securityOpt);
        tmpfs = tmpfs == null ? null : Map.copyOf(tmpfs);
        mounts = copy(mounts);
        ulimits = copy(ulimits);
        sysctls = sysctls == null ? null : Map.copyOf(sysctls);
    }

    private static <T> List<T> copy(List<T> l) { return l == null ? null : List.copyOf(l); }

    /** The image's config section, never null. */
    public ImageConfig.Config imageConfig() {
        ImageConfig.Config c = image == null ? null : image.config();
        return c != null ? c : new ImageConfig.Config(null, null, null, null, null, null, null, null, null);
    }

    public static Builder builder(String id) { return new Builder(id); }

    public Builder toBuilder() { return new Builder(this); }

    /** Terminal size in characters. */
    public record ConsoleSize(int height, int width) {}

    /**
     * A bind mount or a named volume, source already a host path (volumes resolved by the volume
     * service). {@code propagation} is one of private, rprivate (default), shared, rshared, slave,
     * rslave; {@code recursive} false gives a plain "bind" (Docker's bind-nonrecursive).
     */
    public record MountRequest(Kind kind, String source, String destination, boolean readOnly, String propagation,
                               boolean recursive) {
        public enum Kind { BIND, VOLUME }

        public static MountRequest bind(String source, String destination, boolean readOnly) {
            return new MountRequest(Kind.BIND, source, destination, readOnly, null, true);
        }

        public static MountRequest volume(String source, String destination, boolean readOnly) {
            return new MountRequest(Kind.VOLUME, source, destination, readOnly, null, true);
        }

        public MountRequest withPropagation(String p) { return new MountRequest(kind, source, destination, readOnly, p, recursive); }
    }

    /** {@code --ulimit name=soft[:hard]}: name as Docker spells it (nofile, nproc, core...), -1 unlimited. */
    public record Ulimit(String name, long soft, long hard) {}

    /**
     * How a namespace is set up: a new one (PRIVATE), the host's (HOST, i.e. none created), or the
     * one at {@code path} (an nsfs file such as /proc/PID/ns/net or a bind-mounted netns).
     */
    public record NamespaceMode(Kind kind, String path) {
        public enum Kind { PRIVATE, HOST, PATH }

        public static final NamespaceMode PRIVATE = new NamespaceMode(Kind.PRIVATE, null);
        public static final NamespaceMode HOST = new NamespaceMode(Kind.HOST, null);

        public static NamespaceMode join(String path) { return new NamespaceMode(Kind.PATH, path); }

        public boolean isHost() { return kind == Kind.HOST; }
    }

    /**
     * Docker's resource flags, in Docker's units: bytes, nano-CPUs, CFS microseconds. A null or 0
     * field is unset. {@code memorySwap} is memory+swap: -1 unlimited, unset with a memory limit
     * gives twice the memory (as Docker).
     */
    public record ResourceLimits(Long memory, Long memorySwap, Long memoryReservation, Long memorySwappiness,
                                 Boolean oomKillDisable, Long nanoCpus, Long cpuShares, Long cpuQuota, Long cpuPeriod,
                                 String cpusetCpus, String cpusetMems, Long pidsLimit, Integer blkioWeight) {
        public static final ResourceLimits NONE = new ResourceLimits(null, null, null, null, null, null, null, null, null, null, null, null, null);

        public ResourceLimits withMemory(Long m, Long swap) { return new ResourceLimits(m, swap, memoryReservation, memorySwappiness, oomKillDisable, nanoCpus, cpuShares, cpuQuota, cpuPeriod, cpusetCpus, cpusetMems, pidsLimit, blkioWeight); }
        public ResourceLimits withNanoCpus(Long n) { return new ResourceLimits(memory, memorySwap, memoryReservation, memorySwappiness, oomKillDisable, n, cpuShares, cpuQuota, cpuPeriod, cpusetCpus, cpusetMems, pidsLimit, blkioWeight); }
        public ResourceLimits withCpuShares(Long s) { return new ResourceLimits(memory, memorySwap, memoryReservation, memorySwappiness, oomKillDisable, nanoCpus, s, cpuQuota, cpuPeriod, cpusetCpus, cpusetMems, pidsLimit, blkioWeight); }
        public ResourceLimits withCpuQuota(Long quota, Long period) { return new ResourceLimits(memory, memorySwap, memoryReservation, memorySwappiness, oomKillDisable, nanoCpus, cpuShares, quota, period, cpusetCpus, cpusetMems, pidsLimit, blkioWeight); }
        public ResourceLimits withCpuset(String cpus, String mems) { return new ResourceLimits(memory, memorySwap, memoryReservation, memorySwappiness, oomKillDisable, nanoCpus, cpuShares, cpuQuota, cpuPeriod, cpus, mems, pidsLimit, blkioWeight); }
        public ResourceLimits withPidsLimit(Long p) { return new ResourceLimits(memory, memorySwap, memoryReservation, memorySwappiness, oomKillDisable, nanoCpus, cpuShares, cpuQuota, cpuPeriod, cpusetCpus, cpusetMems, p, blkioWeight); }
        public ResourceLimits withBlkioWeight(Integer w) { return new ResourceLimits(memory, memorySwap, memoryReservation, memorySwappiness, oomKillDisable, nanoCpus, cpuShares, cpuQuota, cpuPeriod, cpusetCpus, cpusetMems, pidsLimit, w); }
    }

    /** Assembles a {@link ContainerConfig}; every setter replaces the previous value. */
    public static final class Builder {
        private final String id;
        private ImageConfig image;
        private List<String> entrypoint, cmd, env, groupAdd, capAdd, capDrop, securityOpt;
        private String workingDir, user, hostname, cgroupParent;
        private boolean tty, privileged, readOnlyRootfs, init;
        private ConsoleSize consoleSize;
        private Map<String, String> annotations, tmpfs, sysctls;
        private List<MountRequest> mounts;
        private List<Ulimit> ulimits;
        private Long shmSize;
        private NamespaceMode network, pid, ipc, uts, cgroupns;
        private ResourceLimits resources;
        private Integer oomScoreAdj;

        private Builder(String id) { this.id = id; }

        private Builder(ContainerConfig c) {
            id = c.id; image = c.image; entrypoint = c.entrypoint; cmd = c.cmd; env = c.env; workingDir = c.workingDir;
            user = c.user; groupAdd = c.groupAdd; hostname = c.hostname; tty = c.tty; consoleSize = c.consoleSize;
            annotations = c.annotations; privileged = c.privileged; capAdd = c.capAdd; capDrop = c.capDrop;
            securityOpt = c.securityOpt; readOnlyRootfs = c.readOnlyRootfs; tmpfs = c.tmpfs; mounts = c.mounts;
            init = c.init; ulimits = c.ulimits; shmSize = c.shmSize; network = c.network; pid = c.pid; ipc = c.ipc;
            uts = c.uts; cgroupns = c.cgroupns; cgroupParent = c.cgroupParent; resources = c.resources;
            oomScoreAdj = c.oomScoreAdj; sysctls = c.sysctls;
        }

        public Builder image(ImageConfig v) { image = v; return this; }
        public Builder entrypoint(List<String> v) { entrypoint = v; return this; }
        public Builder cmd(List<String> v) { cmd = v; return this; }
        public Builder cmd(String... v) { cmd = List.of(v); return this; }
        public Builder env(List<String> v) { env = v; return this; }
        public Builder workingDir(String v) { workingDir = v; return this; }
        public Builder user(String v) { user = v; return this; }
        public Builder groupAdd(List<String> v) { groupAdd = v; return this; }
        public Builder hostname(String v) { hostname = v; return this; }
        public Builder tty(boolean v) { tty = v; return this; }
        public Builder consoleSize(ConsoleSize v) { consoleSize = v; return this; }
        public Builder annotations(Map<String, String> v) { annotations = v; return this; }
        public Builder privileged(boolean v) { privileged = v; return this; }
        public Builder capAdd(List<String> v) { capAdd = v; return this; }
        public Builder capDrop(List<String> v) { capDrop = v; return this; }
        public Builder securityOpt(List<String> v) { securityOpt = v; return this; }
        public Builder readOnlyRootfs(boolean v) { readOnlyRootfs = v; return this; }
        public Builder tmpfs(Map<String, String> v) { tmpfs = v; return this; }
        public Builder mounts(List<MountRequest> v) { mounts = v; return this; }
        public Builder init(boolean v) { init = v; return this; }
        public Builder ulimits(List<Ulimit> v) { ulimits = v; return this; }
        public Builder shmSize(Long v) { shmSize = v; return this; }
        public Builder network(NamespaceMode v) { network = v; return this; }
        public Builder pid(NamespaceMode v) { pid = v; return this; }
        public Builder ipc(NamespaceMode v) { ipc = v; return this; }
        public Builder uts(NamespaceMode v) { uts = v; return this; }
        public Builder cgroupns(NamespaceMode v) { cgroupns = v; return this; }
        public Builder cgroupParent(String v) { cgroupParent = v; return this; }
        public Builder resources(ResourceLimits v) { resources = v; return this; }
        public Builder oomScoreAdj(Integer v) { oomScoreAdj = v; return this; }
        public Builder sysctls(Map<String, String> v) { sysctls = v; return this; }

        public ContainerConfig build() {
            return new ContainerConfig(id, image, entrypoint, cmd, env, workingDir, user, groupAdd, hostname, tty,
                    consoleSize, annotations, privileged, capAdd, capDrop, securityOpt, readOnlyRootfs, tmpfs, mounts,
                    init, ulimits, shmSize, network, pid, ipc, uts, cgroupns, cgroupParent, resources, oomScoreAdj, sysctls);
        }
    }
}
